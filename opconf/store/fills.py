"""A mapping's ``onInsert``/``onUpdate``: the CRM's columns every insert or update must fill
(``CREATED_BY: actor``, ``UPDATED_AT: now``, ``TENANT_ID: 1``).

Each becomes a column of the mapped table with a SQLAlchemy ``default`` and/or ``onupdate``,
so every INSERT and UPDATE opconf issues on the table — batches included — fills it, and no
writer knows it is there. ``actor`` is who applies (:data:`ACTOR`, set by ``Store.writer``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, Text, func
from sqlalchemy.types import TypeEngine

ACTOR: ContextVar[str] = ContextVar("opconf_actor", default="opconf")
KEY_PREFIX = "fill:"  # fill columns' keys: never a logical column's


@contextmanager
def acting(actor: str) -> Iterator[None]:
    """``actor`` fills the ``actor`` columns of the writes inside the block."""
    token = ACTOR.set(actor)
    try:
        yield
    finally:
        ACTOR.reset(token)


def columns(
    on_insert: Mapping[str, Any] | None, on_update: Mapping[str, Any] | None
) -> list[Column[Any]]:
    """One column per CRM column named in ``on_insert`` or ``on_update`` (or both)."""
    inserts, updates = dict(on_insert or {}), dict(on_update or {})
    return [
        Column(
            name,
            _type(inserts.get(name, updates.get(name))),
            key=f"{KEY_PREFIX}{name}",
            default=_value(inserts[name]) if name in inserts else None,
            onupdate=_value(updates[name]) if name in updates else None,
        )
        for name in sorted(inserts.keys() | updates.keys())
    ]


def _value(fill: Any) -> Any:
    if fill == "now":
        return func.now()
    if fill == "actor":
        return lambda: ACTOR.get()
    return fill


def _type(fill: Any) -> TypeEngine[Any]:
    if fill == "now":
        return DateTime(timezone=True)
    if isinstance(fill, bool):
        return Boolean()
    return Integer() if isinstance(fill, int) else Text()
