"""What a saved plan shows, derived again from what it writes.

A plan file's digest can be recomputed by anyone, so nothing a reviewer or a safety rule relies
on is read from the file: each change's details (and so its destructive flag) follow from its
``before`` and ``after``, exactly as :func:`opconf.plan.diff.compute` derives them; impact and
the safety errors follow from the live store. ``before`` itself is tied to the store: it must
be the row whose digest the plan's base records, which apply then checks against the store
under the lock. A file whose details disagree with the derivation is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from opconf.canonical import KIND_ORDER
from opconf.plan import outside, row_digest, safety
from opconf.plan.details import ADOPTED, object_details
from opconf.plan.diff import by_kind, follow_renames, keys_after
from opconf.plan.model import Change, Detail, Plan
from opconf.plan.snapshot import Snapshot
from opconf.plan.trust import PlanProblem
from opconf.store.model import StoredObject, StoreState, Usage
from opconf.visible import visible

_REFERENCED = ("Product", "CoverageGroup")  # what templates refer to, by row
_ROW_LABEL = re.compile(r" \(row -?\d+\)")  # keys_after's label of a key two rows share


def check(plan: Plan) -> Iterator[PlanProblem]:
    """Every disagreement between the plan's changes and what they write, in order.

    Without the store, impact figures and the row numbers in labels cannot be known: they are
    left out of the comparison (apply derives them again from the live store)."""
    managed = _managed(plan)
    meaning = _meaning(plan, _rows_of_base(plan))
    for i, change in enumerate(plan.changes):
        name = f"{change.kind} {visible(change.key)}"
        problem = (
            _identity(change, managed.get(i))
            or _stage_maps(change)
            or _reverts(change, plan.base.revision)
        )
        if problem:
            yield PlanProblem(("changes", i), f"{name}: {problem}")
            continue
        derived = details(change, bool(managed.get(i)), meaning, Usage())
        if [_plain(d) for d in derived] != [_plain(d) for d in change.details]:
            yield PlanProblem(
                ("changes", i, "details"),
                f"{name}: its details do not match what it writes (before → after)",
            )


def with_store(plan: Plan, state: StoreState, last: Callable[[], Snapshot | None] | None) -> Plan:
    """``plan`` (already :func:`check`-ed) as the live store sees it: details and impact
    derived against ``state``, the fields edited in the CRM since the last apply marked
    (``last`` reads that revision's snapshot), and the safety errors of ``state`` added to its own.

    The result keeps the file's digest: it names the plan that was reviewed."""
    managed = _managed(plan)
    current = by_kind(state)
    meaning = _meaning(plan, current)
    changes = outside.mark(
        (
            replace(
                c,
                details=details(c, bool(managed.get(i)), meaning, state.usage),
                impact=_impact(c, state.usage),
                reverts={},
            )
            for i, c in enumerate(plan.changes)
        ),
        state,
        last,
    )
    known = {(e.code, e.kind, e.key) for e in plan.errors}
    live = [e for e in safety.check(list(changes), state) if (e.code, e.kind, e.key) not in known]
    out = replace(plan, changes=changes, errors=(*plan.errors, *live))
    out.__dict__["digest"] = plan.digest  # cached_property's slot: the file's own digest
    return out


def details(
    change: Change, managed: bool, meaning: Mapping[str, Mapping[str, str]], usage: Usage
) -> tuple[Detail, ...]:
    """The details :func:`opconf.plan.diff.compute` gives a change writing ``after`` over
    ``before``; ``managed``: whether the row is opconf's before the change."""
    if change.before is None or change.after is None:
        return ()
    before = change.before
    if change.action != "release":  # a release writes the CRM's object back as it was
        before = follow_renames(change.kind, before, meaning)
    out = object_details(change.kind, before, change.after, change.stage_renames, usage)
    if change.old_key and not managed:  # renaming the CRM's own object adopts it
        out.insert(0, Detail("set", ADOPTED, False, True))
    return tuple(out)


def _managed(plan: Plan) -> dict[int, bool | None]:
    """Change index → whether its ``before`` is the managed or the CRM's own row the base
    records (None: neither)."""
    out: dict[int, bool | None] = {}
    for i, c in enumerate(plan.changes):
        if c.before is None:
            continue
        recorded = plan.base.rows.get(f"{c.kind}/{c.store_key}")
        row = StoredObject(c.kind, c.store_key, 0, True, c.before)
        out[i] = True if row_digest(row) == recorded else None
        if out[i] is None and row_digest(replace(row, managed=False)) == recorded:
            out[i] = False
    return out


def _identity(change: Change, managed: bool | None) -> str:
    """What is wrong with the object before the change, or an empty string."""
    if change.before is None:
        return ""
    if managed is None:
        return f"{change.action}: its object before is not the row the plan's base records"
    if managed and change.action == "adopt":
        return "adopt of an object opconf manages already"
    if not managed and change.action in ("update", "release"):
        return f"{change.action} of an object opconf does not manage (the CRM's own)"
    return ""


def _stage_maps(change: Change) -> str:
    """Stage renames and moves name stages of ``before`` and ``after``, or what is wrong."""
    if not (change.stage_renames or change.stage_moves):
        return ""
    if change.kind != "OpportunityTemplate" or change.before is None or change.after is None:
        return "renames or moves stages it does not have"
    old = {s["key"] for s in change.before.get("stages") or ()}
    new = {s["key"] for s in change.after.get("stages") or ()}
    maps = {"stage_renames": change.stage_renames, "stage_moves": change.stage_moves}
    for name, mapping in maps.items():
        for was, now in mapping.items():
            if was not in old or now not in new:
                return f"{name} names a stage it does not have ({visible(was)} → {visible(now)})"
    return ""


def _reverts(change: Change, revision: int) -> str:
    """The fields marked as edited in the CRM are fields the change writes, or what is
    wrong."""
    paths = {d.path for d in change.details}
    if any(path not in paths or since != revision for path, since in change.reverts.items()):
        return "reverts names a field it does not change, or another revision"
    return ""


def _rows_of_base(plan: Plan) -> dict[str, dict[str, StoredObject]]:
    """The store's objects as far as the base knows them: the keys it records as present
    (their row ids unknown)."""
    out: dict[str, dict[str, StoredObject]] = {kind: {} for kind in KIND_ORDER}
    for ident, row in plan.base.rows.items():
        kind, key = ident.split("/", 1)
        if row != "absent" and kind in out:
            out[kind][key] = StoredObject(kind, key, -1, True, {})
    return out


def _meaning(
    plan: Plan, current: Mapping[str, Mapping[str, StoredObject]]
) -> dict[str, dict[str, str]]:
    return {k: keys_after(k, current.get(k, {}), plan.changes) for k in _REFERENCED}


def _impact(change: Change, usage: Usage) -> int:
    if change.action == "create":
        return 0
    if change.kind == "OpportunityTemplate":
        return usage.template_open.get(change.store_key, 0)
    if change.kind == "Product":
        return usage.product_open.get(change.store_key, 0)
    return 0


def _plain(d: Detail) -> Detail:
    """``d`` without what only the store knows: impact, row numbers in labels."""
    return Detail(d.op, _unlabel(d.path), _unlabel(d.old), _unlabel(d.new), d.destructive)


def _unlabel(value: Any) -> Any:
    return _ROW_LABEL.sub(" (row ?)", value) if isinstance(value, str) else value
