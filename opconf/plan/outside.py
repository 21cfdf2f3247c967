"""Fields a plan changes that were edited in the CRM since the last apply (Terraform's "changed
outside of Terraform").

The last revision's snapshot is what the store held after that apply: a field whose live value
differs from it was edited in the CRM's own UI since, and the plan puts it back to what the
configuration says — it reverts that edit. The snapshot is read once per plan; only the objects
the plan changes are compared, each with the plan's own details (fields, members, products,
stages and steps by key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from opconf.canonical import KIND_ORDER
from opconf.plan.details import object_details
from opconf.plan.model import Change, Obj
from opconf.plan.snapshot import Snapshot
from opconf.store.model import StoreState, Usage

_NO_USAGE = Usage()
_MANAGED = ("update", "rename")  # managed rows the plan writes over (an adopt's are the CRM's)


def mark(
    changes: Iterable[Change], state: StoreState, last: Callable[[], Snapshot | None] | None
) -> tuple[Change, ...]:
    """``changes`` with ``reverts`` set: detail path → the revision since which the CRM
    changed that field. ``last`` reads the snapshot of ``state.revision``: only when a change
    writes over a managed object (parsing a snapshot costs about as much as reading the
    store: a plan with nothing to update does not pay it)."""
    out = tuple(changes)
    if last is None or not any(c.action in _MANAGED and c.details for c in out):
        return out
    rows = {(c.kind, o.id) for c in out if (o := state.objects.get((c.kind, c.store_key)))}
    snapshot = last()
    applied = _by_row(snapshot, rows) if snapshot else {}
    del snapshot  # only the objects the plan changes are kept
    return tuple(_marked(c, state, applied) for c in out)


def _by_row(snapshot: Snapshot, rows: set[tuple[str, int]]) -> dict[tuple[str, int], Obj]:
    """The managed objects of ``snapshot`` that are one of ``rows`` (kind, row id), by row."""
    ids = snapshot.get("ids", {})
    out = {}
    for kind in KIND_ORDER:
        row_of = ids.get(kind, {})
        for obj in snapshot.get(kind, ()):
            row = (kind, row_of.get(obj["key"], -1))
            if row in rows:
                out[row] = obj
    return out


def _marked(change: Change, state: StoreState, applied: dict[tuple[str, int], Obj]) -> Change:
    live = state.objects.get((change.kind, change.store_key))
    if change.action not in _MANAGED or live is None or not change.details:
        return change
    then = applied.get((change.kind, live.id))
    if then is None or then == live.data:
        return change
    edited = {d.path for d in object_details(change.kind, then, live.data, {}, _NO_USAGE)}
    reverts = {d.path: state.revision for d in change.details if d.path in edited}
    return replace(change, reverts=reverts) if reverts else change
