"""Fields a plan changes that were edited in the CRM since the last apply (Terraform's "changed
outside of Terraform").

The last revision's snapshot is what the store held after that apply: a field whose live value
differs from it was edited in the CRM's own UI since, and the plan puts it back to what the
configuration says — it reverts that edit. The snapshot is read once per plan; only the objects
the plan changes are compared, each with the plan's own details (fields, members, products,
stages and steps by key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from opconf.canonical import KIND_ORDER
from opconf.plan.details import object_details
from opconf.plan.model import Change, Obj
from opconf.plan.snapshot import Snapshot
from opconf.store.model import StoreState, Usage

_NO_USAGE = Usage()
_MANAGED = ("update", "rename")  # managed rows the plan writes over (an adopt's are the CRM's)


def mark(
    changes: Iterable[Change], state: StoreState, snapshot: Snapshot | None
) -> tuple[Change, ...]:
    """``changes`` with ``reverts`` set: detail path → the revision since which the CRM
    changed that field (``snapshot`` is that revision's, ``state.revision``'s)."""
    applied = _by_row(snapshot) if snapshot else {}
    return tuple(_marked(c, state, applied) for c in changes)


def _by_row(snapshot: Snapshot) -> dict[tuple[str, int], Obj]:
    """The managed objects of ``snapshot`` by (kind, row id)."""
    ids = snapshot.get("ids", {})
    return {
        (kind, ids[kind][obj["key"]]): obj
        for kind in KIND_ORDER
        for obj in snapshot.get(kind, ())
        if obj["key"] in ids.get(kind, {})
    }


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
