"""Stages and steps of a template: unique keys, a sane pipeline, consistent replacements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index, steps

CLOSED_PROBABILITY = {"won": 100, "lost": 0}


def check(index: Index) -> Iterator[Finding]:
    for doc in index.docs("OpportunityTemplate"):
        yield from _keys(doc)
        yield from _pipeline(doc)
        yield from _probabilities(doc)
        yield from _replacements(doc)
        yield from _assignees(doc)


def _keys(doc: Document) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, stage in enumerate(doc.data["stages"]):
        if stage["key"] in seen:
            message = f"stage key '{stage['key']}' is already used by stages[{seen[stage['key']]}]"
            yield Finding("OPC220", message, doc, ("stages", i, "key"))
        seen.setdefault(stage["key"], i)
    step_seen: dict[str, str] = {}
    for path, step in steps(doc):
        where = f"stages[{path[1]}].steps[{path[3]}]"
        if step["key"] in step_seen:
            message = f"step key '{step['key']}' is already used by {step_seen[step['key']]}"
            yield Finding("OPC221", message, doc, (*path, "key"))
        step_seen.setdefault(step["key"], where)


def _outcome(stage: dict[str, Any]) -> str:
    return str(stage.get("outcome", "open"))


def _pipeline(doc: Document) -> Iterator[Finding]:
    stages = doc.data["stages"]
    outcomes = [_outcome(s) for s in stages]
    if "won" not in outcomes:
        yield Finding("OPC222", "template has no stage with outcome 'won'", doc, ("stages",))
    if "lost" not in outcomes:
        yield Finding("OPC223", "template has no stage with outcome 'lost'", doc, ("stages",))
    if outcomes[0] != "open":
        message = f"the first stage '{stages[0]['key']}' must be open, not {outcomes[0]}"
        yield Finding("OPC225", message, doc, ("stages", 0, "outcome"))
    closed = None
    for i, (stage, outcome) in enumerate(zip(stages, outcomes, strict=True)):
        if outcome != "open":
            closed = closed or stage["key"]
        elif closed is not None and i > 0:
            message = f"open stage '{stage['key']}' comes after closed stage '{closed}'"
            yield Finding("OPC224", message + "; closed stages go last", doc, ("stages", i))


def _probabilities(doc: Document) -> Iterator[Finding]:
    previous: tuple[str, int] | None = None
    for i, stage in enumerate(doc.data["stages"]):
        outcome, probability = _outcome(stage), stage["probability"]
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
                f"of the earlier open stage '{previous[0]}'"
            )
            yield Finding("OPC228", message, doc, path, severity="warning")
        previous = (stage["key"], probability)


def _replacements(doc: Document) -> Iterator[Finding]:
    live = {s["key"] for s in doc.data["stages"]}
    claimed: dict[str, str] = {}
    for i, stage in enumerate(doc.data["stages"]):
        for field, code_live in (("previousKeys", "OPC230"), ("replaces", "OPC232")):
            for j, old in enumerate(stage.get(field) or ()):
                path = ("stages", i, field, j)
                if old in live:
                    what = "previous key" if field == "previousKeys" else "replaced stage"
                    yield Finding(code_live, f"{what} '{old}' is still a stage key", doc, path)
                elif claimed.setdefault(old, stage["key"]) != stage["key"]:
                    code = "OPC231" if field == "previousKeys" else "OPC233"
                    message = f"stage '{old}' is also claimed by stage '{claimed[old]}'"
                    yield Finding(code, message, doc, path)


def _assignees(doc: Document) -> Iterator[Finding]:
    for path, step in steps(doc):
        assignee = step.get("assignee")
        if step["type"] == "document" and isinstance(assignee, dict) and "role" in assignee:
            message = "a document step cannot be assigned by role (use owner or a user)"
            yield Finding("OPC229", message, doc, (*path, "assignee"))
