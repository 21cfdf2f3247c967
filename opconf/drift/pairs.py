"""The three sides of every object, matched by identity, for ``drift --accept``.

An object at the last apply is found live by its store row, and in the configuration by its
key, a ``previousKeys`` entry, or — a key change accepted before — the key its row has now.
A configuration object the last apply did not know is pending; a live row no side knows was
created in the CRM. Core only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from opconf.canonical import KIND_ORDER
from opconf.plan.diff import Desired
from opconf.plan.model import Obj
from opconf.plan.snapshot import Snapshot, row_ids
from opconf.store.model import StoredObject, StoreState

Key = tuple[str, str]


@dataclass(frozen=True)
class Pair:
    """One object: at the last apply (``then``), in the configuration, live."""

    kind: str
    then: Obj | None
    desired: Desired | None
    live: StoredObject | None

    @property
    def names(self) -> tuple[str, ...]:
        """Its keys on the three sides (for ``KIND/KEY`` selections)."""
        keys = (self.then or {}).get("key"), self.desired and self.desired.key
        return tuple(k for k in (*keys, self.live and self.live.key) if isinstance(k, str))


def pairs(desired: Iterable[Desired], snapshot: Snapshot | None, state: StoreState) -> list[Pair]:
    """Every object of the three sides, once."""
    snapshot = snapshot or {}
    config = {(d.kind, d.key): d for d in desired}
    previous = {(d.kind, old): d for d in config.values() for old in d.previous_keys}
    ids = row_ids(snapshot)
    by_row = {(o.kind, o.id): o for o in state.objects.values()}
    applied = {(kind, o["key"]): o for kind in KIND_ORDER for o in snapshot.get(kind, ())}
    out, used, seen = [], set(), set()
    for (kind, key), then in applied.items():
        row = ids.get((kind, key))
        live = by_row.get((kind, row)) if row is not None else state.objects.get((kind, key))
        mine = _accepted(config, applied, key, live) or config.get((kind, key))
        mine = mine or previous.get((kind, key))
        if mine is not None and (mine.kind, mine.key) in used:
            mine = None
        used |= {(mine.kind, mine.key)} if mine else set()
        seen |= {(kind, live.id)} if live else set()
        out.append(Pair(kind, then, mine, live))
    known = {(kind, i) for (kind, _), i in ids.items()}
    for key, d in config.items():
        if key not in used:
            live = state.objects.get(key)
            if live is not None and (live.kind, live.id) in known | seen:
                live = None  # another object's row, renamed onto this key in the CRM
            seen |= {(live.kind, live.id)} if live else set()
            out.append(Pair(d.kind, None, d, live))
    if snapshot:
        out += [Pair(o.kind, None, None, o) for o in _created(state, known | seen)]
    return out


def _accepted(
    config: dict[Key, Desired], applied: dict[Key, Obj], key: str, live: StoredObject | None
) -> Desired | None:
    """The configuration's object under the key the row has now, when a key change was
    accepted before: the values are the row's, or the configuration has the old key no
    more and the new one was no applied object's."""
    mine = config.get((live.kind, live.key)) if live is not None else None
    if mine is None or live is None or live.key == key:
        return None
    if mine.data == live.data:
        return mine
    gone = (live.kind, key) not in config and (live.kind, live.key) not in applied
    return mine if gone else None


def _created(state: StoreState, known: set[tuple[str, int]]) -> Iterator[StoredObject]:
    for obj in sorted(state.objects.values(), key=lambda o: (KIND_ORDER.index(o.kind), o.key)):
        if (obj.kind, obj.id) not in known:
            yield obj
