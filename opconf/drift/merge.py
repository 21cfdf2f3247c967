"""The three-way merge of one object by identity: what ``drift --accept`` writes.

The last apply's snapshot is the common ancestor. For every field, list element (stages,
steps and products by key, members by user) and order, the side that changed wins: the CRM's
value is taken when only the CRM changed it, the configuration's kept when only it changed
(a pending change), and a field both changed, differently, is a :class:`Conflict`: the
configuration's value stays unless the CRM's is taken (``--take crm``). Elements are located
by identity, never by position. Pure: canonical objects in, a canonical object out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opconf.plan.model import Obj

_LISTS = ("key", "members", "products", "stages")  # merged element by element
T = TypeVar("T")


@dataclass(frozen=True)
class Conflict:
    """A field both sides changed, differently: its three values."""

    kind: str
    key: str
    path: str
    config: Any
    applied: Any
    live: Any


@dataclass
class Merger:
    """Collects what a merge took from the CRM and what it left as a conflict."""

    kind: str
    key: str
    take: bool  # conflicts resolved in the CRM's favour
    accepted: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def pick(self, path: str, then: Any, config: Any, live: Any) -> Any:
        """The merged value of one field (None: absent)."""
        if same(live, then) or same(config, live):
            return config
        if not same(config, then) and not self.take:
            self.conflicts.append(Conflict(self.kind, self.key, path, config, then, live))
            return config
        self.accepted.append(path)
        return live


def same(a: Any, b: Any) -> bool:
    """Equal, where an empty text and an absent one are one value."""
    return (None if a == "" else a) == (None if b == "" else b)


def merge_fields(m: Merger, then: Obj, config: Obj, live: Obj, prefix: str = "") -> Obj:
    """``config`` with every plain field merged (lists and the key are left to the caller)."""
    out = dict(config)
    for name in sorted(config.keys() | live.keys()):
        if name not in _LISTS and name != "steps":
            value = m.pick(prefix + name, then.get(name), config.get(name), live.get(name))
            out[name] = None if value == "" else value
    return out


def merge_members(m: Merger, then: list[Obj], config: list[Obj], live: list[Obj]) -> list[Obj]:
    """Members by user: presence and role merged per user (canonical order: by user)."""
    t, c, lv = ({x["user"]: x["role"] for x in side} for side in (then, config, live))
    out = []
    for user in sorted(c.keys() | lv.keys()):
        both = t.get(user) is not None and c.get(user) is not None and lv.get(user) is not None
        path = f"members[{user}]" + (".role" if both else "")
        role = m.pick(path, t.get(user), c.get(user), lv.get(user))
        if role is not None:
            out.append({"user": user, "role": role})
    return out


def merge_keys(
    m: Merger, name: str, then: list[str], config: list[str], live: list[str]
) -> list[str]:
    """A list of keys (a template's products): presence per key, then the order."""
    present = [
        k
        for k in dict.fromkeys([*config, *live])
        if m.pick(f"{name}[{k}]", _has(then, k), _has(config, k), _has(live, k))
    ]
    return merge_order(m, name, then, config, live, present, lambda k: k)


def _has(keys: Sequence[Hashable], k: Hashable) -> bool | None:
    return True if k in keys else None


def merge_order(
    m: Merger,
    name: str,
    then: Sequence[Hashable],
    config: Sequence[Hashable],
    live: Sequence[Hashable],
    present: list[T],
    ident: Callable[[T], Hashable],
) -> list[T]:
    """``present`` (merged elements, by identity) in the merged order: the configuration's,
    its common elements in the CRM's order when only the CRM reordered them; elements the
    CRM added go after the element before them in the CRM's list."""
    by = {ident(e): e for e in present}
    common = [i for i in then if i in by and i in config and i in live]
    order = {
        side: [i for i in seq if i in common]
        for side, seq in (("t", then), ("c", config), ("l", live))
    }
    chosen = order["c"]
    if order["l"] != order["t"]:
        chosen = m.pick(f"{name} order", order["t"], order["c"], order["l"])
    slots = iter(chosen)
    out = [next(slots) if i in common else i for i in config if i in by]
    for i in live:
        if i in by and i not in out:
            before = [j for j in live[: live.index(i)] if j in out]
            out.insert(out.index(before[-1]) + 1 if before else 0, i)
    out += [i for i in by if i not in out]
    return [by[i] for i in out]
