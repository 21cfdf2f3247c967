"""What ``drift --accept`` does to each object: the keys changed in the CRM solved as one
permutation, deletions, creations, and the conflicts it leaves. Core only.

A key change is accepted when the configuration still has the key of the last apply and no
other object keeps (or takes) the new key; renames that would collide are conflicts, found
again until none is left, so chains (beta → gamma, alpha → beta) and swaps are accepted
whole. A key the configuration cannot hold (a file name, a YAML key) is refused before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from opconf.drift.merge import Conflict, same
from opconf.drift.pairs import Key, Pair
from opconf.errors import UsageError
from opconf.keys import KEY_RULE, is_key

Chosen = Callable[[Pair], bool]


@dataclass
class Resolution:
    """The decisions: by (kind, configuration key) → new key (None: the object is deleted)."""

    store: dict[Key, str | None] = field(default_factory=dict)  # the CRM's renames, by row
    accepted: dict[Key, str | None] = field(default_factory=dict)  # taken into the files
    created: list[Pair] = field(default_factory=list)  # new files
    twins: list[Pair] = field(default_factory=list)  # created on both sides: the CRM's taken
    conflicts: list[Conflict] = field(default_factory=list)


def resolve(found: Iterable[Pair], chosen: Chosen, take: Chosen) -> Resolution:
    """``chosen``: the objects accept takes; ``take``: those whose conflicts take the CRM's."""
    out, found = Resolution(), list(found)
    for p in found:
        if p.then is not None:
            out.store[(p.kind, p.then["key"])] = p.live.key if p.live else None
    candidates = {}
    for p in (p for p in found if chosen(p)):
        if p.then is None:
            _new(out, p, found, take(p))
        elif p.desired is None:
            _removed_here(out, p, take(p))
        elif p.live is None:
            _deleted(out, p, take(p))
        elif p.live.key not in (p.then["key"], p.desired.key):
            if p.desired.key == p.then["key"] or take(p):
                candidates[(p.kind, p.desired.key)] = p
            else:
                out.conflicts.append(_key_conflict(p, "key"))
    _renames(out, candidates, found)
    _refuse([(p.kind, p.live.key) for p in out.created if p.live])
    _refuse([(kind, k) for (kind, _), k in out.accepted.items() if k is not None])
    return out


def _new(out: Resolution, p: Pair, found: list[Pair], take: bool) -> None:
    if p.live is None or (p.desired is not None and same(p.desired.data, p.live.data)):
        return  # pending in the configuration, or created on both sides alike
    if p.desired is not None:  # created on both sides, differently: pending here
        if take:  # the CRM's object, written where the configuration's is
            out.twins.append(p)
        else:
            out.conflicts.append(
                Conflict(p.kind, p.live.key, "", p.desired.data, None, p.live.data)
            )
        return
    holder = next(
        (
            q
            for q in found
            if q.desired and q.kind == p.kind and p.live.key in q.desired.previous_keys
        ),
        None,
    )
    if holder is not None and holder.desired is not None:  # for mypy
        path = f"(created in the CRM; {holder.desired.key} has it in previousKeys)"
        out.conflicts.append(Conflict(p.kind, p.live.key, path, None, None, p.live.data))
        return
    out.created.append(p)


def _removed_here(out: Resolution, p: Pair, take: bool) -> None:
    assert p.then is not None
    if p.live is None or same(p.live.data, p.then):
        return  # the removal is pending: plan deletes it
    if take:
        out.created.append(p)
    else:
        out.conflicts.append(Conflict(p.kind, p.live.key, "", None, p.then, p.live.data))


def _deleted(out: Resolution, p: Pair, take: bool) -> None:
    assert p.then is not None and p.desired is not None
    # Renamed here, not applied yet, and deleted in the CRM: a conflict like any change (the
    # rename may be one accepted from the CRM before, but nothing tells them apart now).
    if same(p.desired.data, p.then) or take:
        out.accepted[(p.kind, p.desired.key)] = None
    else:
        out.conflicts.append(Conflict(p.kind, p.desired.key, "", p.desired.data, p.then, None))


def _renames(out: Resolution, candidates: dict[Key, Pair], found: list[Pair]) -> None:
    """Accept the renames that leave every key of a kind to one object."""
    while True:
        moving = {k: p.live.key for k, p in candidates.items() if p.live}
        kept = {
            (p.kind, p.desired.key)
            for p in found
            if p.desired
            and (p.kind, p.desired.key) not in moving
            and out.accepted.get((p.kind, p.desired.key), "") is not None
        }
        claimed = {(p.kind, k) for p in found if p.desired for k in p.desired.previous_keys}
        targets = [(kind, new) for (kind, _), new in moving.items()]
        clash = {
            k
            for k, (kind, new) in zip(moving, targets, strict=True)
            if (kind, new) in kept | claimed or targets.count((kind, new)) > 1
        }
        if not clash:
            out.accepted.update(moving)
            return
        for k in clash:
            out.conflicts.append(_key_conflict(candidates.pop(k), "key"))


def _key_conflict(p: Pair, path: str) -> Conflict:
    assert p.then is not None and p.desired is not None and p.live is not None
    return Conflict(p.kind, p.desired.key, path, p.desired.key, p.then["key"], p.live.key)


def _refuse(keys: list[Key]) -> None:
    for kind, key in keys:
        if not is_key(key):
            raise UsageError(
                f"the CRM's {kind} key {key!r} cannot be a key of the configuration"
                f" ({KEY_RULE}); nothing was written",
                hint=f"change the key in the CRM, or leave it out: --exclude '{kind}/*'",
            )
