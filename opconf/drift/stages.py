"""A template's stages and steps merged three ways by identity (see :mod:`opconf.drift.merge`).

A stage is the same stage on the three sides when its row is (the snapshot's and the store's
stage row ids), or — in the configuration — when it has the key, or a ``previousKeys`` entry,
the stage had at the last apply. A stage deleted and another created in the CRM are a
deletion and an addition, never a rename. Steps are identified by key within their stage.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from opconf.drift.merge import Merger, merge_fields, merge_order
from opconf.plan.model import Obj

Inner = Callable[[Merger, Obj, Obj, Obj], Obj]


@dataclass(frozen=True)
class Stages:
    """The merged stages, each with the key it has in the configuration (None: new)."""

    stages: list[tuple[str | None, Obj]]

    def renamed(self, then: list[Obj]) -> dict[str, str]:
        """The configuration's stage keys the CRM changed: old key → new key."""
        applied = {s["key"] for s in then}
        return {o: s["key"] for o, s in self.stages if o and o != s["key"] and o in applied}


def merge_stages(
    m: Merger,
    sides: tuple[list[Obj], list[Obj], list[Obj]],
    to_live: Mapping[str, str | None],
    to_then: Mapping[str, str],
) -> Stages:
    """``sides``: the stages at the last apply, in the configuration, live; ``to_live``: a
    stage key at the last apply → its key live (None: deleted), by row; ``to_then``: a
    configuration stage key → the key it had at the last apply (its ``previousKeys``)."""
    then, config, live = sides
    applied = {s["key"] for s in then}
    back = {new: old for old, new in to_live.items() if new is not None}

    def of_config(key: str) -> Hashable:
        old = to_then.get(key, key)
        return old if old in applied else ("new", key)

    def of_live(key: str) -> Hashable:
        if key in back:
            return back[key]
        return key if key in applied and key not in to_live else ("new", key)

    t = {s["key"]: s for s in then}
    c = {of_config(s["key"]): s for s in config}
    lv = {of_live(s["key"]): s for s in live}
    orders = (list(t), list(c), list(lv))
    merged = merge_elements(m, "stages", (t, c, lv), orders, _stage)
    return Stages([(c[i]["key"] if i in c else None, s) for i, s in merged])


def merge_elements(
    m: Merger,
    name: str,
    sides: tuple[Mapping[Hashable, Obj], Mapping[Hashable, Obj], Mapping[Hashable, Obj]],
    orders: tuple[list[Hashable], list[Hashable], list[Hashable]],
    inner: Inner,
) -> list[tuple[Hashable, Obj]]:
    """Elements by identity: presence, content (``inner``, when on all three sides), order."""
    t, c, lv = sides
    present = []
    for i in dict.fromkeys([*orders[1], *orders[2]]):
        element = _element(m, name, (t.get(i), c.get(i), lv.get(i)), inner)
        if element is not None:
            present.append((i, element))
    return merge_order(m, name, *orders, present, lambda pair: pair[0])


def _element(
    m: Merger, name: str, sides: tuple[Obj | None, Obj | None, Obj | None], inner: Inner
) -> Obj | None:
    then, config, live = sides
    label = f"{name}[{next(s for s in sides if s is not None)['key']}]"
    if then is not None and config is not None and live is not None:
        return inner(m, then, config, live)
    if then is None and config is None:
        m.accepted.append(label)  # created in the CRM
        return live
    value: Obj | None = m.pick(label, then, config, live)
    return value


def _stage(m: Merger, then: Obj, config: Obj, live: Obj) -> Obj:
    key = m.pick(f"stages[{then['key']}]", then["key"], config["key"], live["key"])
    out = merge_fields(m, then, config, live, prefix=f"stages[{key}].")
    out["key"] = key
    sides = (then["steps"], config["steps"], live["steps"])
    by_key = tuple({s["key"]: s for s in side} for side in sides)
    orders = tuple([s["key"] for s in side] for side in sides)
    steps = merge_elements(m, "steps", by_key, orders, _step)  # type: ignore[arg-type]
    out["steps"] = [s for _, s in steps]
    return out


def _step(m: Merger, then: Obj, config: Obj, live: Obj) -> Obj:
    out = merge_fields(m, then, config, live, prefix=f"steps[{config['key']}].")
    out["key"] = config["key"]
    return out
