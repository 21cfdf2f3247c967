"""Rollback's own part of a plan: opportunities moved back to the stages they left.

An apply whose stage ``replaces`` others moves their open opportunities; the snapshot records
each move by stage row (``moves``). Rolling back past it removes the replacing stage again, so
its open opportunities go back to the stage they came from — when the records name exactly
one such stage of the revision rolled back to. Otherwise the plan keeps its OPC302 error,
worded for a rollback (a rollback has no configuration to add ``replaces`` to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from opconf.diagnostics import plural
from opconf.plan.diff import Desired
from opconf.plan.model import Change, Detail, Obj, Plan, PlanError
from opconf.plan.snapshot import Snapshot, keys_after_rollback, resolve_refs, row_ids
from opconf.store.ids import RowId
from opconf.store.ids import row_id as parse_id
from opconf.store.model import StoredObject, StoreState


@dataclass(frozen=True)
class Since:
    """What the snapshots after a revision record, read in one pass (each dropped once read)."""

    adopted: set[tuple[str, RowId]]  # (kind, row id) of the CRM's rows adopted
    moves: dict[RowId, set[RowId]]  # stage row → the removed rows whose opportunities moved to it
    moved: dict[RowId, list[RowId]]  # removed stage row → the open opportunities moved off it


def since(later: Iterable[Snapshot | None]) -> Since:
    """The records of the ``later`` snapshots (older ones may lack some: nothing then)."""
    out = Since(set(), {}, {})
    for snapshot in later:
        s = snapshot or {}
        out.adopted.update((k, i) for k, rows in s.get("adopted", {}).items() for i in rows)
        for removed, target in s.get("moves", {}).items():
            out.moves.setdefault(target, set()).add(parse_id(removed))
        for row, ids in s.get("moved", {}).items():
            out.moved.setdefault(parse_id(row), []).extend(ids)
    return out


def unknown_then(snapshot: Snapshot, state: StoreState) -> list[StoredObject]:
    """Managed rows of which ``snapshot`` knows nothing: created, or adopted, since."""
    known = {(kind, i) for (kind, _), i in row_ids(snapshot).items()}
    return [o for o in state.objects.values() if o.managed and (o.kind, o.id) not in known]


def adopted_since(
    since: Since, snapshot: Snapshot, state: StoreState
) -> dict[tuple[str, int], Obj]:
    """Managed rows of which ``snapshot`` knows nothing and that were adopted since:
    (kind, row id) → their data now, to release (never delete) them with."""
    keys = keys_after_rollback(snapshot, state)
    return {
        (o.kind, o.id): resolve_refs(o.data, _refs_now(o, state), keys)
        for o in unknown_then(snapshot, state)
        if (o.kind, o.id) in since.adopted
    }


def _refs_now(obj: StoredObject, state: StoreState) -> Obj | None:
    """A template's references by row, as the store holds them now."""
    if obj.kind != "OpportunityTemplate":
        return None
    group = obj.data["defaultCoverageGroup"]
    row = {k: o.id for k, o in state.objects.items()}
    return {
        "products": [row.get(("Product", k)) for k in obj.data["products"]],
        "defaultCoverageGroup": None if group is None else row.get(("CoverageGroup", group)),
    }


def move_back(
    desired: list[Desired], snapshot: Snapshot, state: StoreState, moved: dict[RowId, set[RowId]]
) -> list[Desired]:
    """``desired`` with ``replaces`` that send opportunities back where they came from."""
    rows = {(o.kind, o.id): o for o in state.objects.values()}
    out = []
    for d in desired:
        now = rows.get((d.kind, d.row_id or 0))
        then = {i: key for key, i in snapshot.get("stage_ids", {}).get(d.key, {}).items()}
        back = {}
        for key, stage_id in (now.stage_ids if now else {}).items():
            origins = _origins(stage_id, moved) & set(then)
            if stage_id not in then and len(origins) == 1:
                back[key] = then[origins.pop()]
        out.append(replace(d, replaces={**d.replaces, **back}) if back else d)
    return out


def _origins(stage_id: RowId, moved: dict[RowId, set[RowId]]) -> set[RowId]:
    """Every stage row whose opportunities reached ``stage_id``, through chains of moves."""
    seen: set[RowId] = set()
    todo = [stage_id]
    while todo:
        for origin in moved.get(todo.pop(), ()):
            if origin not in seen:
                seen.add(origin)
                todo.append(origin)
    return seen


def lost_references(snapshot: Snapshot, state: StoreState, revision: int) -> list[PlanError]:
    """References of the templates a rollback writes (managed then, or released) to rows that
    are gone and that it does not create again (the CRM's own objects then)."""
    managed_now = {(o.kind, o.id) for o in state.objects.values() if o.managed}
    rows = {(o.kind, o.id) for o in state.objects.values()}
    rows |= {(kind, i) for kind, keys in snapshot.get("ids", {}).items() for i in keys.values()}
    released = snapshot.get("unmanaged", {}).get("OpportunityTemplate", ())
    written = [
        *snapshot.get("OpportunityTemplate", ()),
        *(e["data"] for e in released if ("OpportunityTemplate", e["id"]) in managed_now),
    ]
    out = []
    for template in written:
        for kind, row_id, key in _references(template, snapshot.get("refs", {})):
            if row_id is not None and (kind, row_id) not in rows:
                message = (
                    f"template '{template['key']}' of revision {revision} uses {kind} '{key}', "
                    "which is no longer in the store and was not managed then: a rollback "
                    "cannot create it again"
                )
                out.append(PlanError("OPC307", message, "OpportunityTemplate", template["key"]))
    return out


def _references(template: Obj, refs: dict[str, Obj]) -> list[tuple[str, int | None, str]]:
    """(kind, row id, key then) of what ``template`` refers to."""
    ref = refs.get(template["key"])
    if ref is None:
        return []
    products = zip(ref["products"], template["products"], strict=True)
    group = ("CoverageGroup", ref["defaultCoverageGroup"], template["defaultCoverageGroup"])
    return [*(("Product", i, k) for i, k in products), group]


def explain(plan: Plan, revision: int) -> Plan:
    """OPC302 reworded for a rollback: what to do instead of adding ``replaces``."""
    if not any(e.code == "OPC302" for e in plan.errors):
        return plan
    errors = [e for e in plan.errors if e.code != "OPC302"]
    for change in plan.changes:
        held = {d.path[len("stages[") : -1]: d.impact for d in change.details if _empties(d)}
        errors += [
            _stranded(change, stage, n, revision)
            for stage, n in held.items()
            if stage not in change.stage_moves
        ]
    return replace(plan, errors=tuple(errors))


def _empties(d: Detail) -> bool:
    """A stage removal that leaves open opportunities behind."""
    return d.op == "remove" and d.path.startswith("stages[") and d.impact > 0


def _stranded(change: Change, stage: str, n: int, revision: int) -> PlanError:
    open_ = plural(n, "open opportunity", "open opportunities")
    message = (
        f"stage '{stage}' of template '{change.key}' holds {open_} and revision {revision} "
        "has no stage they came from; move them first (apply a configuration in which a "
        f"stage `replaces: [{stage}]`), then roll back"
    )
    return PlanError("OPC302", message, change.kind, change.key)
