"""Accepted values put into a document's round-trip data, keeping what did not change.

A field takes the value the export emitter renders (:func:`opconf.emit.documents.document`);
a list whose elements were added, removed or moved takes the store's list, merged item by
item (stages and steps by key, members by user), so an item that did not change keeps its
style and comments and one whose key changed in the CRM is changed in place. Core only.
"""

from __future__ import annotations

import copy
from typing import Any

from opconf.drift import keys
from opconf.drift.model import Difference
from opconf.plan.model import Obj

_IDENTITY = {"stages": "key", "members": "user"}  # lists merged item by item
_LISTS = {"members": "members", "products": "products", "stages": "stages", "steps": "stages"}


def merged_object(config: Obj, live: Obj, diffs: list[Difference]) -> Obj:
    """The configuration's object with the accepted fields at the store's values."""
    out = copy.deepcopy(config)
    for d in diffs:
        head, _, field = d.path.partition(".")
        name, element = _split(head)
        if element is None:
            out[name] = copy.deepcopy(live[name])
        elif d.op == "set" and field:
            _item(out, name, element)[field] = copy.deepcopy(d.live)
        else:  # an element added, removed or moved: the store's whole list
            out[_LISTS[name]] = copy.deepcopy(live[_LISTS[name]])
    return out


def _split(head: str) -> tuple[str, str | None]:
    """``("stages", "qualify")`` of ``stages[qualify]``; ``("name", None)`` of ``name``."""
    if head.endswith("]"):
        name, _, element = head[:-1].partition("[")
        return name, element
    return head, None


def _item(obj: Obj, name: str, element: str) -> Obj:
    if name == "members":
        return next(m for m in obj["members"] if m["user"] == element)
    stages = obj["stages"]
    if name == "stages":
        return next(s for s in stages if s["key"] == element)
    return next(st for s in stages for st in s.get("steps") or () if st["key"] == element)


def list_of(path: str) -> str | None:
    """The list whose whole value is taken when ``path`` is an element added, removed or
    moved (``stages`` of ``steps[kyc]``); None for a field."""
    head, _, field = path.partition(".")
    name, element = _split(head)
    return _LISTS[name] if element is not None and not field else None


def splice(doc: Any, rendered: Any, path: str, sides: tuple[Obj, Obj]) -> None:
    """Put the rendered value at ``path`` into the round-trip ``doc`` (absent: removed);
    ``sides``: the object in the configuration and with the accepted values (canonical)."""
    head, _, field = path.partition(".")
    name, element = _split(head)
    if name in _IDENTITY and element is None and name in doc and name in rendered:
        merge = (doc[name], rendered[name], sides[0][name], sides[1][name], _IDENTITY[name])
        _merge_list(*merge, name == "stages")
    elif element is None or not field:
        _put(doc, rendered, name)
    else:
        _put(_item(doc, name, element), _item(rendered, name, element), field)


def _merge_list(
    target: Any, rendered: Any, before: list[Obj], after: list[Obj], ident: str, stages: bool
) -> None:
    """Make ``target`` (the configuration's list) the store's: an item that did not change
    is kept as it was written (style, comments), one changed (renamed: same place, its key
    gone) is changed in place, field by field; a new one is written as export writes it.
    A stage's old key goes into its ``previousKeys`` (steps have none)."""
    at = {item[ident]: i for i, item in enumerate(before)}
    gone = at.keys() - {item[ident] for item in after}
    out = []
    for j, item in enumerate(after):
        i = at.get(item[ident], j if j < len(before) and before[j][ident] in gone else None)
        if i is None:
            out.append(rendered[j])
            continue
        _merge_item(target[i], rendered[j], before[i], item)
        if before[i][ident] != item[ident] and stages:
            claimed = {k for t in target for k in t.get("previousKeys") or ()}
            if before[i]["key"] not in claimed | {a["key"] for a in after}:
                keys.remember(target[i], before[i]["key"])  # as a key changed in the CRM
        out.append(target[i])
    target[:] = out


def _merge_item(target: Any, rendered: Any, before: Obj, after: Obj) -> None:
    for name in before.keys() | after.keys():
        if before.get(name) == after.get(name):
            continue
        if name == "steps" and target.get(name) and rendered.get(name):
            _merge_list(target[name], rendered[name], before[name], after[name], "key", False)
        else:
            _put(target, rendered, name)


def _put(target: Any, source: Any, name: str) -> None:
    if name in source:
        target[name] = source[name]
    else:
        target.pop(name, None)
