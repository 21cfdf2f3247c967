"""Revision snapshots: what apply records after each revision, and what rollback reads back.

A snapshot (docs/store.md) holds the managed configuration in canonical form, ``{kind:
[objects]}``, plus what identifies rows across renames::

    "ids":       {kind: {key: row id}}                       managed objects
    "stage_ids": {template key: {stage key: row id}}
    "unmanaged": {kind: [{"id": row id, "data": object}]}    the CRM's own objects
    "refs":      {template key: {"products": [row id], "defaultCoverageGroup": row id}}
    "moves":     {removed stage row id: row id of the stage its open opportunities moved to}
    "adopted":   {kind: [row id]}                            the CRM's rows this apply adopted
    "moved":     {removed stage row id: [opportunity id]}    the open ones a ``replaces`` moved
    "changes":   [line]                                      the applied plan, as text shows it

``refs`` records every template's references by row, so a rollback points each template at
the same rows whatever they are called by then; ``moves`` lets a rollback move opportunities
back to the stages they left; ``adopted`` lets a rollback past the apply release those rows
rather than delete them (they were the CRM's, even if no snapshot saw them unmanaged);
``moved`` lets a rollback that keeps the replacing stage move those opportunities back;
``changes`` is what ``opconf history show`` prints of the revision.
Snapshots written before ``refs`` existed are upgraded when read (:func:`upgrade`): their
keys are mapped to rows through the snapshot's own ids, or — for a template the apply did not
touch, which kept the keys of the revision before — through the previous revision's snapshot.
"""

from __future__ import annotations

from typing import Any

from opconf.canonical import KIND_ORDER
from opconf.plan.model import Change, Obj
from opconf.plan.render_text import change_lines
from opconf.store.model import StoreState

Snapshot = dict[str, Any]
Key = tuple[str, str]  # (kind, key)
_TEMPLATE = "OpportunityTemplate"


def snapshot_after(
    state: StoreState,
    changes: tuple[Change, ...],
    created: dict[Key, int],
    stage_ids: dict[str, dict[str, int]],
    moved: dict[int, list[int]] | None = None,
) -> Snapshot:
    """The configuration once ``changes`` are applied to ``state`` (the format above);
    ``moved``: the open opportunities on each stage row removed, before they moved."""
    managed = {k: o.data for k, o in state.objects.items() if o.managed}
    unmanaged = {k: o.data for k, o in state.objects.items() if not o.managed}
    ids = {k: o.id for k, o in state.objects.items()}
    renamed = {(c.kind, c.old_key): c.key for c in changes if c.old_key}
    for change in changes:
        old = (change.kind, change.store_key)
        managed.pop(old, None)
        unmanaged.pop(old, None)
        row_id = ids.pop(old, 0)
        if change.after is not None:
            new = (change.kind, change.key)
            (unmanaged if change.action == "release" else managed)[new] = change.after
            ids[new] = created.get(new, row_id)
    touched = {(c.kind, c.key) for c in changes}
    for objects in (managed, unmanaged) if renamed else ():  # untouched templates: new keys
        for k, data in objects.items():
            if k[0] == _TEMPLATE and k not in touched:
                objects[k] = _follow(data, renamed)
    snapshot = _layout(managed, unmanaged, ids, stage_ids)
    snapshot["moves"] = _moves(state, changes, stage_ids)
    snapshot["adopted"] = _adopted(state, changes)
    snapshot["moved"] = {str(row): ids for row, ids in sorted((moved or {}).items())}
    snapshot["changes"] = [line for c in changes for line in change_lines(c)]
    return snapshot


def _adopted(state: StoreState, changes: tuple[Change, ...]) -> dict[str, list[int]]:
    """Kind → the rows of the CRM's own objects that ``changes`` make managed."""
    out: dict[str, list[int]] = {}
    for c in changes:
        row = state.objects.get((c.kind, c.store_key))
        if row is not None and not row.managed and c.action != "release" and c.after:
            out.setdefault(c.kind, []).append(row.id)
    return out


def _moves(
    state: StoreState, changes: tuple[Change, ...], stage_ids: dict[str, dict[str, int]]
) -> dict[str, int]:
    """Removed stage row id → the row of the stage its open opportunities moved to."""
    out = {}
    for c in changes:
        if c.stage_moves:
            before = state.objects[(c.kind, c.store_key)].stage_ids
            after = stage_ids.get(c.key, {})
            out.update({str(before[old]): after[new] for old, new in c.stage_moves.items()})
    return out


def _follow(template: Obj, renamed: dict[Key, str]) -> Obj:
    group = template["defaultCoverageGroup"]
    return {
        **template,
        "products": [renamed.get(("Product", k), k) for k in template["products"]],
        "defaultCoverageGroup": renamed.get(("CoverageGroup", group), group),
    }


def _layout(
    managed: dict[Key, Obj],
    unmanaged: dict[Key, Obj],
    ids: dict[Key, int],
    stage_ids: dict[str, dict[str, int]],
) -> Snapshot:
    keys = sorted(managed)
    snapshot: Snapshot = {kind: [managed[k] for k in keys if k[0] == kind] for kind in KIND_ORDER}
    snapshot["ids"] = {kind: {k[1]: ids[k] for k in keys if k[0] == kind} for kind in KIND_ORDER}
    templates = {key for kind, key in keys if kind == _TEMPLATE}
    snapshot["stage_ids"] = {key: ids for key, ids in stage_ids.items() if key in templates}
    # The CRM's own objects as they were, so that a rollback past an adopt releases them.
    snapshot["unmanaged"] = {
        kind: [{"id": ids[k], "data": unmanaged[k]} for k in sorted(unmanaged) if k[0] == kind]
        for kind in KIND_ORDER
    }
    everything = {**managed, **unmanaged}
    snapshot["refs"] = {
        key: _refs(data, ids)
        for (kind, key), data in sorted(everything.items())
        if kind == _TEMPLATE
    }
    return snapshot


def _refs(template: Obj, row: dict[Key, int]) -> Obj:
    group = template["defaultCoverageGroup"]
    return {
        "products": [row.get(("Product", k)) for k in template["products"]],
        "defaultCoverageGroup": None if group is None else row.get(("CoverageGroup", group)),
    }


# --- reading ----------------------------------------------------------------------------------


def templates(snapshot: Snapshot) -> list[Obj]:
    """Every template of the snapshot, managed and unmanaged."""
    unmanaged = snapshot.get("unmanaged", {}).get(_TEMPLATE, ())
    return [*snapshot.get(_TEMPLATE, ()), *(e["data"] for e in unmanaged)]


def row_ids(snapshot: Snapshot) -> dict[Key, int]:
    """(kind, key) → row id of every object the snapshot names, managed or not."""
    out = {
        (kind, key): i for kind, keys in snapshot.get("ids", {}).items() for key, i in keys.items()
    }
    for kind, entries in snapshot.get("unmanaged", {}).items():
        out.update({(kind, e["data"]["key"]): e["id"] for e in entries})
    return out


def upgrade(snapshot: Snapshot, previous: Snapshot | None) -> Snapshot:
    """A snapshot with ``refs``; one written before them gets them from its keys (see above)."""
    if "refs" in snapshot:
        return snapshot
    row = {**row_ids(previous or {}), **row_ids(snapshot)}
    return {**snapshot, "refs": {t["key"]: _refs(t, row) for t in templates(snapshot)}}


def keys_after_rollback(snapshot: Snapshot, state: StoreState) -> dict[tuple[str, int], str]:
    """(kind, row id) → the key the row will have once the store is back at ``snapshot``.

    Managed then: its key then; the CRM's own then and managed now: released with its key
    then; any other row: its key now.
    """
    out = {(o.kind, o.id): o.key for o in state.objects.values()}
    managed_now = {(o.kind, o.id) for o in state.objects.values() if o.managed}
    for kind, entries in snapshot.get("unmanaged", {}).items():
        for e in entries:
            if (kind, e["id"]) in managed_now or (kind, e["id"]) not in out:
                out[(kind, e["id"])] = e["data"]["key"]
    for kind, keys in snapshot.get("ids", {}).items():
        out.update({(kind, i): key for key, i in keys.items()})
    return out


def resolve_refs(template: Obj, refs: Obj | None, keys: dict[tuple[str, int], str]) -> Obj:
    """``template`` pointing at the keys its referenced rows will have (``keys``)."""
    if refs is None:
        return template
    products = [
        keys.get(("Product", i), k) if i is not None else k
        for i, k in zip(refs["products"], template["products"], strict=True)
    ]
    group, group_id = template["defaultCoverageGroup"], refs["defaultCoverageGroup"]
    if group_id is not None:
        group = keys.get(("CoverageGroup", group_id), group)
    return {**template, "products": products, "defaultCoverageGroup": group}
