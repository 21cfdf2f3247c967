"""What a saved plan would write, checked before it is believed.

Its digest proves a plan file was not edited by accident, not that it was made by opconf: a
digest can be recomputed. So each change must agree with its action and its base (a create
writes an object that was absent, an update one that existed), and every object it would write
must pass the same document schema and per-document rules that ``validate`` applies, and be
in the canonical form opconf itself writes (prices as exact decimals, members sorted, every
field present). A *release* (rollback past an adopt) is the exception: it writes back the CRM's
own object as it was, which no document rule ever governed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from opconf.canonical import canonical
from opconf.diagnostics import Diagnostic
from opconf.kinds import API_VERSION
from opconf.load.yamlread import Document
from opconf.plan.model import Change, Obj, Plan
from opconf.validate.catalogue import ADJUSTABLE
from opconf.validate.index import Index
from opconf.validate.rules import members, stages
from opconf.validate.schema_check import check_schema
from opconf.visible import visible

# The rules that look at one document alone: a plan holds only the objects it changes, so the
# rules across documents (unique names, references) cannot be judged from it.
_DOCUMENT_RULES = (stages.check, members.check)
_EXISTS = ("update", "adopt", "release", "delete")


class PlanProblem(NamedTuple):
    path: tuple[Any, ...]  # into the plan's JSON, for the error's line and column
    message: str


def check_changes(plan: Plan) -> Iterator[PlanProblem]:
    """Every problem of the plan's changes, in order; the plan is sound when there is none."""
    # Keys the plan itself takes away (a delete, a rename): another change may take them
    # (a rollback renames an object back onto the key a newer object has, and deletes that one).
    freed = {(c.kind, c.store_key) for c in plan.changes if c.action in ("delete", "rename")}
    for i, change in enumerate(plan.changes):
        where = ("changes", i)
        name = f"{change.kind} {visible(change.key)}"
        shape = _shape(change, plan.base.rows, (change.kind, change.key) in freed)
        if shape:
            yield PlanProblem(where, f"{name}: {change.action} {shape}")
        elif change.after is not None and change.action != "release":
            for path, message in _object(change.kind, change.after):
                yield PlanProblem((*where, "after", *path), f"{name}: {message}")


def _shape(change: Change, rows: dict[str, str], freed: bool) -> str:
    """What is wrong with the change's form, or an empty string. ``freed``: another change of
    the plan takes the object's key away from the row that holds it."""
    before = rows.get(f"{change.kind}/{change.store_key}")
    after = rows.get(f"{change.kind}/{change.key}")
    if before is None or after is None:
        return "names an object the plan's base does not hold"
    if (change.after is None) != (change.action == "delete"):
        return "has no object to write" if change.after is None else "writes an object"
    if (change.before is None) != (change.action == "create"):
        return "has no object before" if change.before is None else "has an object before"
    if (change.old_key is not None) != (change.action == "rename"):
        return "has no old key" if change.old_key is None else "has an old key"
    if change.action == "create" and after != "absent" and not freed:
        return "writes an object that exists already"
    if change.action == "rename" and after != "absent" and not freed:
        return "renames onto a key that exists already"
    if change.action in (*_EXISTS, "rename") and before == "absent":
        return "changes an object that does not exist"
    if change.after is not None and change.after.get("key") != change.key:
        return "writes an object of another key"
    return ""


def _object(kind: str, after: Obj) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, message) for each problem of one object the plan would write."""
    floats: list[float] = []  # canonical objects hold none (prices are decimal strings)
    doc = Document("plan", 0, 1, 1, as_document(kind, after, floats))
    problems = check_schema(doc, kind)
    if not problems:
        index = Index()
        index.add(kind, doc)
        # A rule a project may waive (opconf.yaml) protects no data: not a reason to distrust.
        found = (f for rule in _DOCUMENT_RULES for f in rule(index))
        problems = [f for f in found if f.severity == "error" and f.code not in ADJUSTABLE]
    for finding in problems:
        yield finding.path, f"{finding.code} {visible(finding.message)}"
    if problems:
        return
    expected = canonical(kind, doc.data)
    if after == expected and not floats:  # the usual case, decided at C speed (after the
        return  # schema, == can only confuse an integer with a float: there is none)
    # A float of ``after`` always differs in type from ``expected``, which holds none.
    path = _first_difference(after, expected, ())
    if path is not None:  # else only the order of fields differs, which means nothing
        yield path, _not_canonical(after, expected, path)


def as_document(kind: str, after: Obj, floats: list[float]) -> Obj:
    """The document that an object in canonical form comes from (defaults left in place);
    the floats met on the way are added to ``floats``."""
    doc: Obj = {"apiVersion": API_VERSION, "kind": kind, **_present(after, floats)}
    price = doc.get("listPrice")
    if isinstance(price, str):
        try:
            number = Decimal(price)
        except InvalidOperation:
            return doc  # the schema then says that a price is a number
        if number.is_finite():
            doc["listPrice"] = (
                int(number) if number == number.to_integral_value() else float(number)
            )
    return doc


def _present(value: Any, floats: list[float]) -> Any:
    """``value`` without the ``None`` fields of its mappings (absent optionals)."""
    kind = type(value)
    if kind is dict:
        return {k: _present(v, floats) for k, v in value.items() if v is not None}
    if kind is list:
        return [_present(v, floats) for v in value]
    if kind is float:
        floats.append(value)
    return value


_MISSING = object()


def _first_difference(actual: Any, expected: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The path of the first place where ``actual`` differs from ``expected``, if any."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            found = _first_difference(
                actual.get(key, _MISSING), expected.get(key, _MISSING), (*path, key)
            )
            if found is not None:
                return found
        return None
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = _first_difference(a, e, (*path, i))
            if found is not None:
                return found
        return None
    same = type(actual) is type(expected) and actual == expected
    return None if same else path


def _not_canonical(after: Obj, expected: Obj, path: tuple[Any, ...]) -> str:
    values: list[Any] = []
    for obj in (after, expected):
        value: Any = obj
        for part in path:
            value = value.get(part, _MISSING) if isinstance(value, dict) else value[part]
        values.append(value)
    actual, wanted = values
    field = dotted(path)
    if actual is _MISSING:
        return f"lacks the field {field}"
    if wanted is _MISSING:
        return f"has an unknown field {field}"
    shown, canon = (visible(json.dumps(v, ensure_ascii=False)[:60]) for v in (actual, wanted))
    return f"{field} is {shown}, not in the form opconf writes ({canon})"


def dotted(path: tuple[Any, ...]) -> str:
    """``stages[0].name``: a path as people write it."""
    return visible(Diagnostic("", "error", "", path=path).dotted)
