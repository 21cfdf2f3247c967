"""Rollback: open opportunities that a ``replaces`` moved go back to the stage they left.

Each apply records, by id, the open opportunities on every stage row it removes (the
snapshot's ``moved``). A rollback that creates such a stage again while it keeps the stage
they moved to (and so cannot move a whole stage, as :mod:`opconf.plan.rollback` does when it
removes the replacing stage) moves back those still open on a stage it keeps: the plan shows
them, and the apply moves exactly them (:func:`returns_of`), never an opportunity that was
on the kept stage before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from opconf.errors import StoreError
from opconf.plan.model import Change, Plan
from opconf.plan.snapshot import Snapshot
from opconf.store.ids import RowId
from opconf.store.model import StoreState
from opconf.store.moves import Return

_TEMPLATE = "OpportunityTemplate"
Where = Callable[[Sequence[RowId]], dict[RowId, RowId]]  # opportunity ids → stage row, open ones


def recreates_stages(plan: Plan, snapshot: Snapshot, state: StoreState) -> bool:
    """Whether ``plan`` writes a template with a stage whose row is gone since ``snapshot``."""
    return any(_candidates(c, snapshot, state, None) for c in plan.changes)


def with_returns(
    plan: Plan, snapshot: Snapshot, state: StoreState, moved: dict[RowId, list[RowId]], where: Where
) -> Plan:
    """``plan`` whose templates move opportunities back to the stages they come back to."""
    wanted = {c.key: _candidates(c, snapshot, state, moved) for c in plan.changes}
    ids = sorted({i for stages in wanted.values() for ds in stages.values() for i in ds})
    if not ids:
        return plan
    now = where(ids)
    changes = []
    for c in plan.changes:
        then = snapshot.get("stage_ids", {}).get(c.key, {})
        kept = {row: key for key, row in then.items() if row in _rows_now(c, state)}
        returns = {
            to: by_stage
            for to, opportunities in wanted.get(c.key, {}).items()
            if (by_stage := _by_stage(opportunities, now, kept))
        }
        changes.append(replace(c, stage_returns=returns) if returns else c)
    return replace(plan, changes=tuple(changes))


def _candidates(
    change: Change, snapshot: Snapshot, state: StoreState, moved: dict[RowId, list[RowId]] | None
) -> dict[str, list[RowId]]:
    """Stage key → the opportunities once moved off its row, for stages created again
    (``moved`` None: every stage created again, with no opportunities)."""
    if change.kind != _TEMPLATE or change.after is None or change.action == "release":
        return {}
    then = snapshot.get("stage_ids", {}).get(change.key, {})
    now = _rows_now(change, state)
    after = {s["key"] for s in change.after["stages"]}
    return {
        key: [] if moved is None else moved[row]
        for key, row in then.items()
        if (moved is None or row in moved) and row not in now and key in after
    }


def _rows_now(change: Change, state: StoreState) -> set[int]:
    row = state.objects.get((change.kind, change.store_key))
    return set(row.stage_ids.values()) if row else set()


def _by_stage(
    ids: list[RowId], now: dict[RowId, RowId], kept: dict[RowId, str]
) -> dict[str, list[RowId]]:
    """Stage key → those of ``ids`` open on that kept stage now."""
    out: dict[str, list[RowId]] = {}
    for i in ids:
        if now.get(i) in kept:
            out.setdefault(kept[now[i]], []).append(i)
    return out


def returns_of(batch: Sequence[Change], stage_ids: dict[str, dict[str, int]]) -> list[Return]:
    """The moves back of ``batch``'s templates, by stage row once their stages are written."""
    out = []
    for c in batch:
        rows = stage_ids.get(c.key, {})
        for to, by_stage in c.stage_returns.items():
            for source, ids in by_stage.items():
                if to not in rows or source not in rows:
                    missing = to if to not in rows else source
                    raise StoreError(f"template '{c.key}' has no stage '{missing}' to move to")
                out.append(Return(rows[source], rows[to], ids))
    return out
