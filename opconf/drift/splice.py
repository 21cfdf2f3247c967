"""A merged object put into its document's round-trip data, element by identity.

Only what differs between the configuration's object and the merged one is touched: a field
takes the value the export emitter renders (:func:`opconf.emit.documents.document`); list
elements are found by identity (stages by the configuration's key, steps by key, members by
user, products by value), never by position, so an element that did not change keeps its
style and its comments (:mod:`opconf.emit.rewrite` places comments by identity too). A new
element is written as export writes it. Core only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from opconf.drift import keys
from opconf.drift.stages import Stages
from opconf.emit.order import field_order
from opconf.models import MODELS, Stage, Step
from opconf.plan.model import Obj

_ELEMENTS = ("key", "members", "products", "stages", "steps")
Order = tuple[str, ...]  # a mapping's field order as fmt writes it: where a new key goes


def splice(doc: Any, config: Obj, merged: Obj, rendered: Any, stages: Stages | None) -> None:
    """Make ``doc`` (whose object is ``config``) hold ``merged``; ``rendered``: ``merged``
    as export writes it. A key the document lacks goes where fmt puts it among the keys the
    document has (:func:`opconf.drift.keys.insert`): the document's own order stays."""
    order = field_order(MODELS[doc["kind"]], True)
    _fields(doc, config, merged, rendered, order)
    if config.get("products") != merged.get("products"):
        _products(doc, merged["products"], order)
    if config.get("members") != merged.get("members"):
        shown = {m["user"]: m for m in rendered.get("members", ())}
        before = {m["user"]: m for m in config["members"]}
        ids = ("members", "user")
        _elements(doc, ids, before, merged["members"], shown, _member, order)
    if stages is not None and config["stages"] != merged["stages"]:
        _stages(doc, config, stages, rendered, order)


def _fields(target: Any, before: Obj, after: Obj, rendered: Any, order: Order) -> None:
    for name in after:
        if name not in _ELEMENTS and before.get(name) != after.get(name):
            _put(target, rendered, name, order)


def _put(target: Any, source: Any, name: str, order: Order) -> None:
    if name not in source:
        target.pop(name, None)
    elif name in target:
        target[name] = source[name]
    else:
        keys.insert(target, name, source[name], order)


def _products(doc: Any, products: list[str], order: Order) -> None:
    if products and "products" in doc:
        doc["products"][:] = products  # the list keeps its style (flow or block)
    else:
        _put(doc, {"products": products} if products else {}, "products", order)


def _member(item: Any, before: Obj, after: Obj, rendered: Any) -> None:
    if before["role"] != after["role"]:
        item["role"] = after["role"]


Edit = Callable[[Any, Obj, Obj, Any], None]


def _elements(
    doc: Any,
    list_id: tuple[str, str],
    before: Mapping[str, Obj],
    merged: list[Obj],
    rendered: Mapping[str, Any],
    edit: Edit,
    order: Order,
    origin: Mapping[str, str | None] | None = None,
) -> None:
    """The list ``name`` of ``doc`` made ``merged``: each element found by the identity its
    configuration's item has (``origin``: merged identity → configuration's), edited in place
    (``edit``, with its ``before`` value); a new one is ``rendered``'s; a new list goes where
    ``order`` puts it."""
    name, ident = list_id
    if not merged or name not in doc:
        _put(doc, {name: [rendered[e[ident]] for e in merged]} if merged else {}, name, order)
        return
    items = doc[name]
    by = {item[ident]: item for item in items}
    if origin is None and name == "members":  # no order of their own: the file's kept
        place = {user: i for i, user in enumerate(by)}
        merged = sorted(merged, key=lambda e: place.get(e[ident], len(place)))
    out = []
    for element in merged:
        at = origin.get(element[ident]) if origin is not None else element[ident]
        if at is not None and at in by:
            edit(by[at], before[at], element, rendered[element[ident]])
            out.append(by[at])
        else:
            out.append(rendered[element[ident]])
    items[:] = out


def _stages(doc: Any, config: Obj, stages: Stages, rendered: Any, order: Order) -> None:
    old = {s["key"]: s for s in config["stages"]}
    by_key = {s["key"]: s for s in rendered["stages"]}
    origin = {s["key"]: o for o, s in stages.stages}
    merged = [s for _, s in stages.stages]
    renamed = stages.renamed(config["stages"])
    claimed = {s["key"] for s in merged}

    def edit(item: Any, before: Obj, after: Obj, shown: Any) -> None:
        _fields(item, before, after, shown, _STAGE)
        if before["key"] != after["key"]:
            item["key"] = after["key"]
            if before["key"] in renamed and before["key"] not in claimed | _previous(doc):
                keys.remember(item, before["key"], _STAGE)
        if before["steps"] != after["steps"]:
            steps = {s["key"]: s for s in shown.get("steps", ())}
            was = {s["key"]: s for s in before["steps"]}
            _elements(item, ("steps", "key"), was, after["steps"], steps, _step, _STAGE)

    _elements(doc, ("stages", "key"), old, merged, by_key, edit, order, origin)


_STAGE = field_order(Stage, False)
_STEP = field_order(Step, False)


def _step(item: Any, before: Obj, after: Obj, rendered: Any) -> None:
    _fields(item, before, after, rendered, _STEP)


def _previous(doc: Any) -> set[str]:
    return {k for s in doc.get("stages") or () for k in s.get("previousKeys") or ()}
