"""The canonical key order of documents: envelope first, then the kind's fields in model order,
unknown keys last in their original order. ``fmt`` reorders existing documents with it;
``export`` builds new ones in it. Core only: never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap

from opconf.models import MODELS

HEAD = ("apiVersion", "kind", "key", "name", "previousKeys", "description")


@cache
def field_order(model: type[BaseModel], document: bool) -> tuple[str, ...]:
    fields = tuple(model.model_fields)
    return HEAD + tuple(f for f in fields if f not in HEAD) if document else fields


@cache
def _children(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel]], ...]:
    """Fields holding exactly one nested model (``stages: list[Stage]``) and that model."""

    def models(annotation: Any) -> Iterator[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield annotation
        for arg in get_args(annotation):
            yield from models(arg)

    found = ((name, list(models(f.annotation))) for name, f in model.model_fields.items())
    return tuple((name, inner[0]) for name, inner in found if len(inner) == 1)


def _reorder(data: Any, model: type[BaseModel] | None, document: bool = False) -> None:
    """Put known keys in model order, unknown keys after them in their original order."""
    if not isinstance(data, CommentedMap):
        return
    order = field_order(model, document) if model else HEAD
    for key in [k for k in order if k in data] + [k for k in data if k not in order]:
        data.move_to_end(key)
    for name, child in _children(model) if model else ():
        value = data.get(name)
        for item in value if isinstance(value, list) else [value]:
            _reorder(item, child)


def canonical_order(doc: Any) -> None:
    """Reorder one document's round-trip data in place: envelope, the kind's fields, the rest."""
    kind = doc.get("kind") if isinstance(doc, CommentedMap) else None
    _reorder(doc, MODELS.get(kind) if isinstance(kind, str) else None, document=True)
