"""Field-level differences of one object (computed only for objects that differ).

Identity inside an object is by key: members by user, products by key, stages and steps by key
(stages may be renamed through ``previousKeys``). A change of order is reported as *moves* of
the fewest elements (those outside a longest common subsequence), never as a rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from opconf.plan.model import Detail, Obj
from opconf.store.model import Usage

# Compared element by element; "key" changes only by rename, shown on the change itself.
_NOT_FIELDS = ("key", "members", "products", "stages")
# Not a field of the object: the row's flag, set when a rename adopts an unmanaged row.
ADOPTED = "managed"


def object_details(
    kind: str,
    before: Obj,
    after: Obj,
    stage_renames: dict[str, str],
    usage: Usage,
    *,
    swaps_in_place: bool = False,
) -> list[Detail]:
    """What changed from ``before`` to ``after``, field by field and element by element.

    ``swaps_in_place``: also the partner of a swap whose position did not change because an
    element was added or removed before it (``2 → 2``: a plan never shows that; drift, which
    compares two such lists of moves, needs it)."""
    out = list(_fields("", before, after, exclude=_NOT_FIELDS))
    if kind == "CoverageGroup":
        out += _members(before["members"], after["members"])
    if kind == "OpportunityTemplate":
        out += _keyed_list("products", before["products"], after["products"], swaps_in_place)
        out += _stages(before, after, stage_renames, usage, swaps_in_place)
    return out


def _fields(prefix: str, before: Obj, after: Obj, exclude: Sequence[str] = ()) -> Iterator[Detail]:
    for name, new in after.items():
        if name not in exclude and before.get(name) != new:
            yield Detail("set", prefix + name, before.get(name), new)


def _members(before: list[Obj], after: list[Obj]) -> list[Detail]:
    old = {m["user"]: m["role"] for m in before}
    new = {m["user"]: m["role"] for m in after}
    out = [Detail("remove", f"members[{u}]", old[u], None) for u in old if u not in new]
    out += [Detail("add", f"members[{u}]", None, new[u]) for u in new if u not in old]
    out += [
        Detail("set", f"members[{u}].role", old[u], new[u])
        for u in new
        if u in old and old[u] != new[u]
    ]
    return out


def _keyed_list(name: str, before: list[str], after: list[str], in_place: bool) -> list[Detail]:
    out = [Detail("remove", f"{name}[{k}]") for k in before if k not in after]
    out += [Detail("add", f"{name}[{k}]") for k in after if k not in before]
    out += _moves(name, before, after, after, in_place)
    return out


def longest_common(a: Sequence[str], b: Sequence[str], weight: Callable[[str], int]) -> set[str]:
    """The elements of a longest common subsequence of ``a`` and ``b`` — of the longest ones,
    the one with the most ``weight`` (used to keep elements that did not change place)."""
    big = len(a) + len(b) + 1  # one more kept element always beats any total weight
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            skip = max(table[i + 1][j], table[i][j + 1])
            take = table[i + 1][j + 1] + big + weight(a[i]) if a[i] == b[j] else -1
            table[i][j] = max(skip, take)
    keep, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j] and table[i][j] == table[i + 1][j + 1] + big + weight(a[i]):
            keep.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return keep


def _moves(
    name: str, before: list[str], after: list[str], labels: list[str], in_place: bool = False
) -> list[Detail]:
    """The fewest moves that explain the new order of the elements in both lists.

    Positions are 1-based in the full lists. Among equally short explanations, the one that
    keeps the most elements at their position ("moved: position 3 → 3" only where keeping
    that element would take more moves); then the elements first in the old order move.
    Labels are the keys after the change. A swap shows both moves: an element that takes the
    place of a moved one, which takes its place, moved too.
    """
    common_before = [k for k in before if k in after]
    common_after = [k for k in after if k in before]
    unmoved = {k for k in common_after if before.index(k) == after.index(k)}
    stay = longest_common(common_before, common_after, lambda k: int(k in unmoved))
    swapped = _swapped(common_before, common_after, [k for k in common_after if k not in stay])
    stay -= {k for k in swapped if in_place or before.index(k) != after.index(k)}
    label = dict(zip(after, labels, strict=True))
    return [
        Detail("move", f"{name}[{label[k]}]", before.index(k) + 1, after.index(k) + 1)
        for k in common_after
        if k not in stay
    ]


def _swapped(before: list[str], after: list[str], moved: list[str]) -> set[str]:
    """The elements that changed places with one of ``moved``, in the order of the elements
    both lists hold (an element added or removed elsewhere does not hide a swap)."""
    out = set()
    for k in moved:
        old, new = before.index(k), after.index(k)
        other = before[new] if new < len(before) else None
        if other is not None and other != k and other in after and after.index(other) == old:
            out.add(other)
    return out


def _stages(
    before: Obj, after: Obj, renames: dict[str, str], usage: Usage, in_place: bool
) -> list[Detail]:
    template = before["key"]
    old = {s["key"]: s for s in before["stages"]}
    back = {new: prev for prev, new in renames.items()}
    identity = [back.get(s["key"], s["key"]) for s in after["stages"]]  # keys as in the store
    out: list[Detail] = []
    for key in old:
        if key not in identity:
            n = usage.stage_open.get((template, key), 0)
            out.append(Detail("remove", f"stages[{key}]", destructive=True, impact=n))
    for stage, ident in zip(after["stages"], identity, strict=True):
        if ident not in old:
            out.append(Detail("add", f"stages[{stage['key']}]", None, identity.index(ident) + 1))
        elif ident != stage["key"]:
            n = usage.stage_open.get((template, ident), 0)
            out.append(Detail("rename", f"stages[{ident}]", ident, stage["key"], impact=n))
    labels = [s["key"] for s in after["stages"]]
    out += _moves("stages", list(old), identity, labels, in_place)
    for stage, ident in zip(after["stages"], identity, strict=True):
        if ident in old:
            n = usage.stage_open.get((template, ident), 0)
            for d in _fields(
                f"stages[{stage['key']}].", old[ident], stage, exclude=("key", "steps")
            ):
                out.append(Detail(d.op, d.path, d.old, d.new, impact=n))
    out += _steps(before["stages"], after["stages"], renames, in_place)
    return out


def _step_index(stages: list[Obj], renames: dict[str, str]) -> dict[str, tuple[str, Obj]]:
    return {
        step["key"]: (str(renames.get(stage["key"], stage["key"])), step)
        for stage in stages
        for step in stage["steps"]
    }


def _steps(
    before: list[Obj], after: list[Obj], renames: dict[str, str], in_place: bool
) -> list[Detail]:
    old = _step_index(before, renames)  # stage keys translated to their new names
    new = _step_index(after, {})
    out = [Detail("remove", f"steps[{k}]", destructive=True) for k in old if k not in new]
    out += [Detail("add", f"steps[{k}]", None, new[k][0]) for k in new if k not in old]
    for key, (stage, step) in new.items():
        if key not in old:
            continue
        if old[key][0] != stage:
            out.append(Detail("move", f"steps[{key}]", old[key][0], stage))
        out += _fields(f"steps[{key}].", old[key][1], step, exclude=("key",))
    for stage_obj in after:
        keys = [s["key"] for s in stage_obj["steps"]]
        was = [k for k, (st, _) in old.items() if st == stage_obj["key"]]  # its steps before
        out += _moves("steps", was, keys, keys, in_place)
    return out


def summarise(value: Any, path: str = "") -> str:
    """A short rendering of a field value for plans (decimals as numbers, text quoted)."""
    if path.endswith("listPrice") and value is not None:
        return str(value)
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    return str(value)
