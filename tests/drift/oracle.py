"""An oracle for ``drift --accept`` that shares no code with it: deepdiff over the objects
keyed by row identity (objects and stages by their store row, steps by key, members by
user, a template's products by the product's row), orders as single values.

``expected(then, before, live)``: the field paths accept must write into the configuration
(``before``) — every path deepdiff finds between the last apply (``then``) and the store
(``live``) that the configuration did not change too (a path, its parent or its child),
unless the configuration has the store's value already — and the conflicts it must leave.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from deepdiff import DeepDiff, extract

Obj = dict[str, Any]
Ident = Callable[[str, str], Hashable]  # (kind, key) → identity
StageIdent = Callable[[str, str], Hashable]  # (template key, stage key) → identity
_MISSING = object()


def normal(objects: Iterable[tuple[str, Obj]], ident: Ident, stage: StageIdent) -> Obj:
    """``{kind: {identity: object}}``, lists as mappings by identity."""
    out: Obj = {}
    for kind, obj in objects:
        out.setdefault(kind, {})[ident(kind, obj["key"])] = _object(kind, obj, ident, stage)
    return out


def _object(kind: str, obj: Obj, ident: Ident, stage: StageIdent) -> Obj:
    out = {k: v for k, v in obj.items() if k not in ("members", "products", "stages")}
    if "members" in obj:
        out["members"] = {m["user"]: m["role"] for m in obj["members"]}
    if "products" in obj:
        out["products"] = {ident("Product", k): i for i, k in enumerate(obj["products"])}
        group = obj["defaultCoverageGroup"]
        out["defaultCoverageGroup"] = group and ident("CoverageGroup", group)
        stages = {stage(obj["key"], s["key"]): _stage(s) for s in obj["stages"]}
        out["stages"] = stages
        out["stage order"] = repr([i for i in stages if not _new(i)])
    return out


def _stage(s: Obj) -> Obj:
    out = {k: v for k, v in s.items() if k != "steps"}
    out["steps"] = {st["key"]: st for st in s["steps"]}
    out["step order"] = repr([st["key"] for st in s["steps"]])
    return out


def _new(i: Hashable) -> bool:
    return isinstance(i, str) and i.startswith("new:")


def paths(a: Obj, b: Obj) -> set[str]:
    return set(DeepDiff(a, b).affected_paths)


def value(obj: Obj, path: str) -> Any:
    try:
        return extract(obj, path)
    except (KeyError, IndexError, TypeError, AttributeError):
        return _MISSING


def overlaps(p: str, q: str) -> bool:
    return p == q or p.startswith(q + "[") or q.startswith(p + "[")


class Expected(NamedTuple):
    written: set[str]
    conflicts: set[str]


def expected(then: Obj, before: Obj, live: Obj) -> Expected:
    crm, pending = paths(then, live), paths(then, before)
    changed = {p for p in crm if value(before, p) != value(live, p)}
    conflicts = {p for p in changed if any(overlaps(p, q) for q in pending)}
    gone = {p.rpartition("[")[2] for p in conflicts if p.count("[") == 2}  # objects: "'Kind#7']"
    conflicts |= {p for p in changed if "['products']" in p and p.rpartition("[")[2] in gone}
    return Expected(changed - conflicts, conflicts)
