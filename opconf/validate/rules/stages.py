"""Stages and steps of a template: unique keys, a sane pipeline, consistent replacements.

A value the schema found ill-typed is None here (:mod:`~opconf.validate.welltyped`): each
check skips what it cannot judge, and the pipeline checks need every stage's outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opconf.canonical import integer
from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index, enumerate_items, steps

CLOSED_PROBABILITY = {"won": 100, "lost": 0}


def check(index: Index) -> Iterator[Finding]:
    for doc in index.docs("OpportunityTemplate"):
        yield from check_document(doc)


def check_document(doc: Document) -> Iterator[Finding]:
    """The findings of one template."""
    yield from _keys(doc)
    yield from _pipeline(doc)
    yield from _probabilities(doc)
    yield from _replacements(doc)
    yield from _assignees(doc)


def _label(stage: dict[str, Any], i: int) -> str:
    """How messages name a stage: its key, or its place when the key is ill-typed."""
    key = stage.get("key")
    return f"'{key}'" if key is not None else f"stages[{i}]"


def _keys(doc: Document) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, stage in enumerate_items(doc, "stages"):
        key = stage.get("key")
        if key is None:
            continue
        if key in seen:
            message = f"stage key '{key}' is already used by stages[{seen[key]}]"
            yield Finding("OPC220", message, doc, ("stages", i, "key"))
        seen.setdefault(key, i)
    step_seen: dict[str, str] = {}
    for path, step in steps(doc):
        key = step.get("key")
        if key is None:
            continue
        if key in step_seen:
            message = f"step key '{key}' is already used by {step_seen[key]}"
            yield Finding("OPC221", message, doc, (*path, "key"))
        step_seen.setdefault(key, f"stages[{path[1]}].steps[{path[3]}]")


def _outcome(stage: dict[str, Any]) -> str | None:
    outcome: str | None = stage.get("outcome", "open")
    return outcome


def _pipeline(doc: Document) -> Iterator[Finding]:
    stages = doc.data.get("stages") or []
    if any(stage is None or _outcome(stage) is None for stage in stages):
        return  # the order of outcomes is unknown
    outcomes = [_outcome(s) for s in stages]
    if not stages:
        return  # no stages at all: the schema says so
    if "won" not in outcomes:
        yield Finding("OPC222", "template has no stage with outcome 'won'", doc, ("stages",))
    if "lost" not in outcomes:
        yield Finding("OPC223", "template has no stage with outcome 'lost'", doc, ("stages",))
    if outcomes[0] != "open":
        message = f"the first stage {_label(stages[0], 0)} must be open, not {outcomes[0]}"
        yield Finding("OPC225", message, doc, ("stages", 0, "outcome"))
    closed = None
    for i, (stage, outcome) in enumerate(zip(stages, outcomes, strict=True)):
        if outcome != "open":
            closed = closed or _label(stage, i)
        elif closed is not None and i > 0:
            message = f"open stage {_label(stage, i)} comes after closed stage {closed}"
            yield Finding("OPC224", message + "; closed stages go last", doc, ("stages", i))


def _probabilities(doc: Document) -> Iterator[Finding]:
    previous: tuple[str, int] | None = None
    for i, stage in enumerate_items(doc, "stages"):
        outcome, probability = _outcome(stage), integer(stage.get("probability"))  # 1e2 is 100
        if outcome is None or probability is None:
            continue
        path = ("stages", i, "probability")
        if outcome in CLOSED_PROBABILITY:
            expected = CLOSED_PROBABILITY[outcome]
            if probability != expected:
                code = "OPC226" if outcome == "won" else "OPC227"
                message = f"a {outcome} stage has probability {expected}, not {probability}"
                yield Finding(code, message, doc, path)
            continue
        if previous is not None and probability < previous[1]:
            message = (
                f"probability {probability} is lower than {previous[1]} "
                f"of the earlier open stage {previous[0]}"
            )
            yield Finding("OPC228", message, doc, path, severity="warning")
        previous = (_label(stage, i), probability)


def _replacements(doc: Document) -> Iterator[Finding]:
    stages = list(enumerate_items(doc, "stages"))
    live = {s.get("key") for _, s in stages}
    claimed: dict[str, str] = {}
    for i, stage in stages:
        for field, code_live in (("previousKeys", "OPC230"), ("replaces", "OPC232")):
            for j, old in enumerate(stage.get(field) or ()):
                path = ("stages", i, field, j)
                if old is None:
                    continue
                if old in live:
                    what = "previous key" if field == "previousKeys" else "replaced stage"
                    yield Finding(code_live, f"{what} '{old}' is still a stage key", doc, path)
                elif claimed.setdefault(old, _label(stage, i)) != _label(stage, i):
                    code = "OPC231" if field == "previousKeys" else "OPC233"
                    message = f"stage '{old}' is also claimed by stage {claimed[old]}"
                    yield Finding(code, message, doc, path)


def _assignees(doc: Document) -> Iterator[Finding]:
    for path, step in steps(doc):
        assignee = step.get("assignee")
        if step.get("type") == "document" and isinstance(assignee, dict) and "role" in assignee:
            message = "a document step cannot be assigned by role (use owner or a user)"
            yield Finding("OPC229", message, doc, (*path, "assignee"))
