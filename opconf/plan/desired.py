"""The desired side of a plan: from validated documents, or from a history snapshot."""

from __future__ import annotations

from opconf.canonical import KIND_ORDER, canonical
from opconf.plan.diff import Desired
from opconf.plan.model import Obj
from opconf.plan.snapshot import Snapshot, keys_after_rollback, resolve_refs
from opconf.store.model import StoreState
from opconf.validate.index import Index

_TEMPLATE = "OpportunityTemplate"


def from_index(index: Index) -> list[Desired]:
    """Desired objects from schema-valid, rule-checked documents, *emptying* ``index``.

    Each document is released as soon as its canonical form exists, so a large configuration
    is never held twice (the plan's peak memory is the store's state plus one copy).
    """
    out = []
    for kind in KIND_ORDER:
        docs = index.by_kind.pop(kind, [])
        index.by_key.pop(kind, None)
        docs.reverse()
        while docs:
            doc = docs.pop()
            data = doc.data
            stages = data.get("stages") or ()
            out.append(
                Desired(
                    kind=kind,
                    key=data["key"],
                    data=canonical(kind, data),
                    previous_keys=tuple(data.get("previousKeys") or ()),
                    stage_previous={
                        s["key"]: tuple(s["previousKeys"]) for s in stages if s.get("previousKeys")
                    },
                    replaces={old: s["key"] for s in stages for old in s.get("replaces") or ()},
                    source=f"{doc.file}:{doc.line}:{doc.column}",
                )
            )
    return out


def from_snapshot(snapshot: Snapshot, state: StoreState) -> list[Desired]:
    """Desired objects from a revision's snapshot (``opconf rollback``), upgraded if need be.

    Identity is by row: an object or a stage whose row now has another key was renamed since
    and is renamed back (the row, and the opportunities on it, kept) rather than deleted and
    created anew; templates point at the rows they pointed at then, by their keys to be.
    """
    by_id = {(o.kind, o.id): o for o in state.objects.values()}
    ids = snapshot.get("ids", {})
    keys = keys_after_rollback(snapshot, state)
    refs = snapshot.get("refs", {})
    out = []
    for kind in KIND_ORDER:
        for obj in snapshot.get(kind, ()):
            row_id = ids.get(kind, {}).get(obj["key"])
            now = by_id.get((kind, row_id))
            data = resolve_refs(obj, refs.get(obj["key"]), keys) if kind == _TEMPLATE else obj
            stages = snapshot.get("stage_ids", {}).get(obj["key"], {})
            previous = _stage_previous(stages, now.stage_ids if now else {})
            out.append(Desired(kind, obj["key"], data, stage_previous=previous, row_id=row_id))
    return out


def released(snapshot: Snapshot, state: StoreState) -> dict[tuple[str, int], Obj]:
    """The CRM's own objects of the snapshot that are managed now, by (kind, row id), as a
    rollback releases them."""
    keys = keys_after_rollback(snapshot, state)
    refs = snapshot.get("refs", {})
    managed = {(o.kind, o.id) for o in state.objects.values() if o.managed}
    return {
        (kind, e["id"]): resolve_refs(e["data"], refs.get(e["data"]["key"]), keys)
        if kind == _TEMPLATE
        else e["data"]
        for kind, entries in snapshot.get("unmanaged", {}).items()
        for e in entries
        if (kind, e["id"]) in managed
    }


def _stage_previous(then: dict[str, int], now: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """Stage key then → (its key now,), for stages whose row has been renamed since."""
    key_now = {stage_id: key for key, stage_id in now.items()}
    return {
        key: (key_now[stage_id],)
        for key, stage_id in then.items()
        if stage_id in key_now and key_now[stage_id] != key
    }
