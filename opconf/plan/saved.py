"""Saved plans (``plan --out FILE``): written atomically, read back as untrusted input.

A plan file is checked before anything in it is believed: it must be JSON, of this format
version, valid against ``schemas/plan.schema.json``, carry the digest of its own content
(any edit is refused), be consistent (what each change writes agrees with its action and its
base), and every object it would write must pass the document schema and rules. Problems
inside the file are one-line :class:`~opconf.errors.PlanRefused` errors (exit 1), located
``FILE:line:column`` where there is a place; a missing or unreadable file is a usage error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from opconf import __version__
from opconf.errors import PlanRefused, StalePlanError, UsageError
from opconf.fsio import exists, read_bytes, write_text
from opconf.jsontext import digest
from opconf.load.locate import Locator
from opconf.plan import derive
from opconf.plan.model import FORMAT_VERSION, Plan
from opconf.plan.render import plan_json
from opconf.plan.snapshot import Snapshot
from opconf.plan.trust import PlanProblem, check_changes, dotted
from opconf.store.model import StoreState
from opconf.visible import visible

SAVE_HINT = "save a plan with `opconf plan --out FILE`"
MAX_PLAN_BYTES = 1024 * 1024 * 1024  # far above any real plan; bounds a runaway file
EDITED_HINT = "a saved plan is applied exactly as it was reviewed: plan again, do not edit it"


def save(plan: Plan, path: Path) -> None:
    """Write ``plan`` to ``path`` atomically: a temporary file beside it, then a rename."""
    write_text(path, plan_json(plan))


def load(path: Path) -> Plan:
    """Read and check the plan saved in ``path`` (see the module docstring)."""
    text = _read(path)
    data = _parse(path, text)
    _check_schema(path, text, data)
    expected = digest({k: v for k, v in data.items() if k != "digest"})
    if data["digest"] != expected:
        raise PlanRefused(
            f"{path}: the plan was changed after it was saved (its digest does not match)",
            hint=EDITED_HINT,
        )
    plan = Plan.from_dict(data)
    if plan.digest != data["digest"]:
        raise PlanRefused(
            f"{path}: the plan is inconsistent: its summary or flags do not match its changes",
            hint=EDITED_HINT,
        )
    problem = next(iter(check_changes(plan)), None) or next(iter(derive.check(plan)), None)
    if problem is not None:
        raise PlanRefused(_located(path, text, problem), hint=EDITED_HINT)
    return plan


def with_store(plan: Plan, state: StoreState, last: Callable[[], Snapshot | None] | None) -> Plan:
    """A loaded plan as the live store sees it: details, impact, the fields edited in the CRM
    since the last apply (``last`` reads the snapshot of ``state``'s revision) and safety
    errors derived again against ``state`` (what apply shows and decides on); the file's
    digest kept."""
    return derive.with_store(plan, state, last)


def expect_digest(plan: Plan, path: Path, expected: str) -> None:
    """``apply FILE --expect-digest``: ``plan`` (loaded from ``path``) is the one reviewed."""
    if plan.digest != expected:
        raise PlanRefused(
            f"{path} is plan {plan.digest}, not the expected {expected}",
            hint="apply the plan that was reviewed (its digest is in the plan's output and the "
            "PR comment), or review this one",
        )


def check_origin(plan: Plan, store_url: str) -> None:
    """A saved plan applies only to the store it was made for, by the same opconf."""
    if plan.base.store != store_url:
        raise StalePlanError(
            f"the plan was made for {visible(plan.base.store)}, not {store_url}",
            hint="select the same store with --store or --target",
        )
    if plan.base.tool_version != __version__:
        raise StalePlanError(
            f"the plan was made by opconf {visible(plan.base.tool_version)}; this is {__version__}",
            hint="plan again with this version",
        )


def _read(path: Path) -> str:
    if not exists(path):
        raise UsageError(f"plan file {path} does not exist", hint=SAVE_HINT)
    raw = read_bytes(path, MAX_PLAN_BYTES)  # a regular file within the cap, or a FileError
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanRefused(
            f"{path}: not an opconf plan: not UTF-8 (byte {exc.start + 1})", hint=SAVE_HINT
        ) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {json.dumps(key, ensure_ascii=False)}")
        out[key] = value
    return out


def _parse(path: Path, text: str) -> dict[str, Any]:
    """The JSON object of the file, with a located error for anything else."""
    try:
        data = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        body = text.strip()
        ends_early = body[:1] == "{" and body[-1:] != "}"
        cut = " (the file ends early: truncated?)" if ends_early else ""
        raise PlanRefused(
            f"{where}: not an opconf plan: invalid JSON: {visible(exc.msg)}{cut}", hint=SAVE_HINT
        ) from None
    except (ValueError, RecursionError) as exc:
        raise PlanRefused(
            f"{path}: not an opconf plan: {visible(str(exc))}", hint=SAVE_HINT
        ) from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanRefused(f"{path}: not an opconf plan (no format_version)", hint=SAVE_HINT)
    if data["format_version"] != FORMAT_VERSION:
        shown = visible(json.dumps(data["format_version"], ensure_ascii=False))
        raise PlanRefused(
            f"{path}: plan format_version {shown} is not supported (this opconf reads "
            f"{FORMAT_VERSION})",
            hint="plan again with this version of opconf",
        )
    return data


@cache
def plan_schema() -> dict[str, Any]:
    """The packaged ``plan.schema.json`` (generated from the plan model by ``opconf schema``)."""
    text = resources.files("opconf.schema").joinpath("files", "plan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _check_schema(path: Path, text: str, data: dict[str, Any]) -> None:
    import jsonschema_rs

    if jsonschema_rs.Draft202012Validator(plan_schema()).is_valid(data):
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(plan_schema()).iter_errors(data))
    problem = PlanProblem(tuple(error.absolute_path), _schema_message(error))
    raise PlanRefused(_located(path, text, problem), hint=EDITED_HINT)


_TYPES = {
    "integer": "an integer",
    "string": "a string",
    "object": "an object",
    "array": "a list",
    "boolean": "true or false",
}


def _schema_message(error: Any) -> str:
    where = dotted(tuple(error.absolute_path)) or "the plan"
    got = visible(json.dumps(error.instance, ensure_ascii=False))
    got = got if len(got) <= 60 else got[:57] + "..."
    if error.validator == "enum":
        return f"{where} must be one of: {', '.join(map(str, error.validator_value))}; got {got}"
    wanted = _wanted_types(error)
    if wanted:
        return f"{where} must be {' or '.join(_TYPES.get(t) or t for t in wanted)}, not {got}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        unknown = sorted(set(error.instance) - set(error.schema["properties"]))
        return f"{where} has an unknown field {visible(repr(unknown[0]))}"
    if error.validator == "required":
        return f"{where} lacks the field {visible(error.message.split(' ')[0])}"
    return f"{where}: {visible(error.message)}"


def _wanted_types(error: Any) -> list[str]:
    """The types a ``type`` error names, or the branches of an ``anyOf``: the generated
    schema's way to say that a field may be null, each branch a type (``string``, ``null``)."""
    if error.validator == "type":
        return [error.validator_value]
    if error.validator == "anyOf":
        return [c.validator_value for c in error.context]
    return []


def _located(path: Path, text: str, problem: PlanProblem) -> str:
    """``FILE:line:column: message``: the place of ``problem.path`` in the plan's text."""
    line, column = Locator(lambda _: text).position(str(path), 0, problem.path)
    return f"{path}:{line}:{column}: {problem.message}"
