"""The field differences of one object on the three sides (see :mod:`opconf.drift.compare`).

A stage whose row the CRM kept under another key is a rename (by the snapshot's and the
store's stage row ids), as the plan names it (``stages[old]``); a stage the configuration
renamed (its ``previousKeys``) is one too, so an accepted stage rename compares equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from opconf.drift.model import Difference
from opconf.plan.details import object_details
from opconf.plan.model import Detail, Obj
from opconf.plan.snapshot import Snapshot
from opconf.store.model import StoredObject, Usage

_NO_USAGE = Usage()


@dataclass(frozen=True)
class StageRenames:
    """A template's stage renames since the last apply: in the store, in the configuration."""

    live: dict[str, str] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)


NO_RENAMES = StageRenames()


def stage_renames(
    snapshot: Snapshot,
    then: Obj | None,
    config: Obj | None,
    live: StoredObject | None,
    previous: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]],
) -> StageRenames:
    if then is None or "stages" not in then:
        return NO_RENAMES
    applied = {s["key"] for s in then["stages"]}
    was = snapshot.get("stage_ids", {}).get(then["key"], {})
    back = {i: k for k, i in (live.stage_ids if live is not None else {}).items()}
    in_store = {old: back[i] for old, i in was.items() if back.get(i, old) != old}
    olds = previous.get(("OpportunityTemplate", config["key"]), {}) if config else {}
    here = {o: s for s, keys in olds.items() for o in keys if o in applied and s not in applied}
    return StageRenames(in_store, here)


def object_fields(
    kind: str, key: str, sides: tuple[Obj, Obj, Obj], renames: StageRenames
) -> Iterator[Difference]:
    """``sides``: the configuration's, the last apply's and the live object."""
    config, then, now = sides
    if then["key"] != now["key"] != config["key"]:  # renamed in the CRM: the row kept
        yield Difference(
            "drift", kind, key, "rename", "key", config["key"], then["key"], now["key"]
        )
    drift = _details(kind, then, now, renames.live)
    pending = _details(kind, then, config, renames.config)
    for path, d in drift.items():
        mine = pending.get(path)
        if mine is None:
            yield Difference("drift", kind, key, d.op, path, _old(d), _old(d), _new(d))
        elif _new(mine) != _new(d):
            yield Difference("conflict", kind, key, d.op, path, _new(mine), _old(d), _new(d))
    for path, d in pending.items():
        if path not in drift:
            yield Difference("pending", kind, key, d.op, path, _new(d), _old(d), _old(d))


def _details(kind: str, before: Obj, after: Obj, renames: dict[str, str]) -> dict[str, Detail]:
    if before == after:
        return {}
    found = object_details(kind, before, after, renames, _NO_USAGE, swaps_in_place=True)
    return {d.path: d for d in found}


def _old(d: Detail) -> Any:
    """The value before: an element removed without a value (a product, a stage) is its key."""
    if d.op == "remove" and d.old is None:
        return _element(d.path)
    return d.old


def _new(d: Detail) -> Any:
    if d.op == "add" and d.new is None:
        return _element(d.path)
    return d.new


def _element(path: str) -> str:
    """``heloc`` of ``products[heloc]``."""
    return path[path.index("[") + 1 : -1] if path.endswith("]") else path
