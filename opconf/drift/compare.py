"""The three-way comparison: the configuration, the last apply's snapshot, the live store.

The snapshot is the common ancestor (as in a three-way merge): what changed from it in the
store is *drift*, what changed from it in the configuration is *pending*, a field changed on
both sides differently is a *conflict*, and a store object the snapshot does not know is *new*
in the CRM. Field differences are the plan's own details (:func:`opconf.plan.details.
object_details`: stages, steps and products by key, members by user, order changes as moves),
computed only for objects that differ — one diff engine for plan and drift.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import astuple, replace

from opconf.canonical import KIND_ORDER
from opconf.drift.fields import NO_RENAMES, StageRenames, object_fields, stage_renames
from opconf.drift.merge import same
from opconf.drift.model import ABSENT, Category, Difference
from opconf.drift.threeway import follow
from opconf.plan.model import Obj
from opconf.plan.snapshot import Snapshot, row_ids
from opconf.store.model import StoredObject, StoreState

Key = tuple[str, str]  # (kind, key)


def compare(
    config: Mapping[Key, Obj],
    snapshot: Snapshot | None,
    state: StoreState,
    previous: Mapping[Key, str] | None = None,
    stage_previous: Mapping[Key, Mapping[str, tuple[str, ...]]] | None = None,
) -> list[Difference]:
    """Every difference, by kind (apply order), key, then field; ``previous``: a previous key
    in the configuration → the key of the object that claims it; ``stage_previous``: a
    template's stages' previous keys in the configuration."""
    snapshot = snapshot or {}
    applied = {(kind, o["key"]): o for kind in KIND_ORDER for o in snapshot.get(kind, ())}
    ids = {
        (kind, key): i for kind, keys in snapshot.get("ids", {}).items() for key, i in keys.items()
    }
    found = list(_sides(config, applied, ids, state, previous or {}))
    pending = {k: o for k, o in config.items() if k not in applied}
    context = (snapshot, {(kind, i) for (kind, _), i in ids.items()}, stage_previous or {})
    out = list(_each(found, pending, context))
    seen = {(kind, i) for (kind, _), i in row_ids(snapshot).items()}
    seen |= {(kind, live.id) for kind, _, _, _, live in found if live is not None}
    for obj in _ordered_objects(state) if snapshot else ():  # never applied: no "since"
        if (obj.kind, obj.id) not in seen:
            out.append(Difference("new", obj.kind, obj.key, "add", "", ABSENT, ABSENT, obj.data))
    return out


Side = tuple[str, str, Obj | None, Obj | None, StoredObject | None]


def _each(
    found: list[Side],
    pending: Mapping[Key, Obj],
    context: tuple[Snapshot, set[tuple[str, int]], Mapping[Key, Mapping[str, tuple[str, ...]]]],
) -> Iterator[Difference]:
    """The differences of each object; ``context``: the snapshot, its rows, the stages'
    previous keys in the configuration."""
    snapshot, rows, stage_previous = context
    to_then = _to_then(found)
    known = {(kind, i) for (kind, _), i in row_ids(snapshot).items()} if snapshot else None
    for kind, key, mine, then, live in found:
        if then is not None:  # references compared as the rows' keys at the last apply
            mine = follow(mine, to_then[0]) if mine is not None else None
            live = replace(live, data=follow(live.data, to_then[1])) if live else None
        if then is None and live is not None and _clash(kind, mine, live, rows, known):
            yield Difference("conflict", kind, key, "add", "", mine, ABSENT, live.data)
            continue
        moved = stage_renames(snapshot, then, mine, live, stage_previous)
        for d in _object(kind, key, mine, then, live, moved):
            yield _onto_pending(d, pending)


def _clash(
    kind: str,
    mine: Obj | None,
    live: StoredObject,
    rows: set[tuple[str, int]],
    known: set[tuple[str, int]] | None,
) -> bool:
    """Pending here, and under its key in the CRM another object renamed onto it, or one
    created since the last apply (``known``: its rows), with other values."""
    if (kind, live.id) in rows:
        return True
    return known is not None and (kind, live.id) not in known and not same(mine, live.data)


def _to_then(
    found: list[Side],
) -> tuple[dict[Key, str], dict[Key, str]]:
    """The keys of the configuration and of the store whose object had another key at the
    last apply (a key changed in the CRM, accepted or not yet): → that key. A template's
    references are compared through them, so a key change is one difference, not three."""
    here, there = {}, {}
    for kind, key, mine, then, live in found:
        if then is not None and mine is not None and mine["key"] != key:
            here[(kind, mine["key"])] = key
        if then is not None and live is not None and live.key != key:
            there[(kind, live.key)] = key
    return here, there


def _sides(
    config: Mapping[Key, Obj],
    applied: Mapping[Key, Obj],
    ids: Mapping[Key, int],
    state: StoreState,
    previous: Mapping[Key, str],
) -> Iterator[tuple[str, str, Obj | None, Obj | None, StoredObject | None]]:
    """Each object as (kind, key, configuration, last apply, live), in order. An applied
    object is found live by its row; a configuration object can have the key an applied
    object had before the CRM changed it (then it is another object: new, or renamed)."""
    by_row = {(o.kind, o.id): o for o in state.objects.values()}
    rekeyed = _rekeyed(config, applied, ids, by_row, previous)
    taken = set(rekeyed.values())  # the configuration's objects another row has taken
    objects = [(k, True) for k in applied] + [
        (k, False)
        for k in config
        if k not in rekeyed.values() and k not in applied.keys() - rekeyed
    ]
    for (kind, key), was_applied in _ordered(objects):
        if not was_applied:
            yield kind, key, config[(kind, key)], None, state.objects.get((kind, key))
            continue
        row = ids.get((kind, key))
        live = by_row.get((kind, row)) if row is not None else state.objects.get((kind, key))
        here = rekeyed.get((kind, key), (kind, key))
        mine = None if here == (kind, key) and here in taken else config.get(here)
        yield kind, key, mine, applied[(kind, key)], live


def _rekeyed(
    config: Mapping[Key, Obj],
    applied: Mapping[Key, Obj],
    ids: Mapping[Key, int],
    by_row: Mapping[tuple[str, int], StoredObject],
    previous: Mapping[Key, str],
) -> dict[Key, Key]:
    """Applied objects whose key changed in the CRM and in the configuration alike (an
    accepted key change): the applied key → the configuration's, so they compare as one —
    also when the key was another applied object's (a swap, a chain) and the configuration
    has the row's values under it. A row gone since is found by the previous key the
    accept recorded."""
    out: dict[Key, Key] = {}
    for kind, key in applied:
        live = by_row.get((kind, ids.get((kind, key), -1)))
        now = (kind, live.key if live is not None else previous.get((kind, key), key))
        if now[1] == key or now not in config:
            continue
        taken = live is not None and config[now] == live.data  # the row's key and its values
        if taken or (now not in applied and (kind, key) not in config):
            out[(kind, key)] = now
    return out


def _onto_pending(d: Difference, pending: Mapping[Key, Obj]) -> Difference:
    """A key changed in the CRM onto the key of an object pending in the configuration: a
    conflict, not drift accept could take."""
    if d.op == "rename" and d.path == "key" and (d.kind, d.live) in pending:
        return Difference("conflict", *astuple(d)[1:])
    return d


def _ordered(objects: list[tuple[Key, bool]]) -> list[tuple[Key, bool]]:
    return sorted(objects, key=lambda o: (KIND_ORDER.index(o[0][0]), o[0][1], not o[1]))


def _ordered_objects(state: StoreState) -> list[StoredObject]:
    return sorted(state.objects.values(), key=lambda o: (KIND_ORDER.index(o.kind), o.key))


def _object(
    kind: str,
    key: str,
    config: Obj | None,
    then: Obj | None,
    live: StoredObject | None,
    renames: StageRenames = NO_RENAMES,
) -> list[Difference]:
    """The differences of one object the configuration or the last apply names."""
    now = live.data if live is not None else None
    if then is None:  # not applied yet: plan creates or adopts it
        return [Difference("pending", kind, key, "add", "", config, ABSENT, now)]
    if now is None:  # deleted in the CRM
        if config is None:
            return []  # and from the configuration too: nothing left to do
        # A key changed here (a rename not applied yet) is a change too: never dropped silently.
        category: Category = "drift" if config == then else "conflict"
        return [Difference(category, kind, key, "remove", "", config, then, ABSENT)]
    if config is None:  # removed from the configuration: plan deletes it
        category = "pending" if now == then else "conflict"
        return [Difference(category, kind, key, "remove", "", ABSENT, then, now)]
    if config == then == now:
        return []
    return list(object_fields(kind, key, (config, then, now), renames))
