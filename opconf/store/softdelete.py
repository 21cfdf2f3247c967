"""A mapping's ``softDelete``: the CRM marks a row deleted (``IS_DELETED: Y``, or a
``DELETED_AT`` time) instead of deleting it.

A marked row does not exist for opconf: every read of the table (and of the children of a
marked template or group) leaves it out. opconf's own delete marks the row; creating a key a
marked row holds *revives* that row — the mark cleared, the fields written, the id kept — so
the CRM's unique key on the key column never trips and what points at the row (opportunities,
history, a rollback) finds it again. The marking travels on the table (``Table.info``), so
readers and writers ask this module and never whether a store is mapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    Table,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.sql import Executable

from opconf.store.mapping_model import SoftDelete

KEY = "soft:deleted"  # the marking column's key: never a logical column's
_INFO = "soft_delete"
_CHUNK = 5_000  # ids per IN (…) list

Q = TypeVar("Q", bound=Executable)


def column(spec: SoftDelete) -> Column[Any]:
    """The CRM's marking column, typed by its values."""
    value = spec.deleted
    kind: Any = Text()
    if value == "now":
        kind = DateTime(timezone=True)
    elif isinstance(value, bool):
        kind = Boolean()
    elif isinstance(value, int):
        kind = Integer()
    return Column(spec.column, kind, key=KEY)


def mark(table: Table, spec: SoftDelete) -> None:
    table.info[_INFO] = spec


def spec(table: Table) -> SoftDelete | None:
    found: SoftDelete | None = table.info.get(_INFO)
    return found


def live(table: Table) -> ColumnElement[bool] | None:
    """The rows of ``table`` that exist for opconf (None: the table marks none)."""
    s = spec(table)
    if s is None:
        return None
    flag = table.c[KEY]
    if s.deleted == "now":
        return flag.is_(None)
    return or_(flag.is_(None), flag != s.deleted)


def _dead(table: Table) -> ColumnElement[bool]:
    clause = live(table)
    assert clause is not None
    return ~clause


def visible(query: Q, *tables: Table) -> Q:
    """``query`` without the marked rows of ``tables``."""
    for table in tables:
        clause = live(table)
        if clause is not None:
            query = query.where(clause)  # type: ignore[attr-defined]
    return query


def of_live_parent(query: Q, parent_id: ColumnElement[Any], parent: Table) -> Q:
    """``query`` without the children of the marked rows of ``parent`` (a child of a parent
    that does not exist at all stays: reading refuses it, naming the row)."""
    if spec(parent) is None:
        return query
    dead = select(parent.c.id).where(_dead(parent))
    narrowed: Q = query.where(parent_id.not_in(dead))  # type: ignore[attr-defined]
    return narrowed


def remove(conn: Connection, table: Table, ids: Sequence[Any]) -> int:
    """Delete the rows, or mark them where the table marks deletions: how many there were."""
    s = spec(table)
    count = 0
    for start in range(0, len(ids), _CHUNK):
        where = table.c.id.in_(ids[start : start + _CHUNK])
        if s is None:
            count += conn.execute(delete(table).where(where)).rowcount
        else:
            value = func.now() if s.deleted == "now" else s.deleted
            marked = update(table).where(where, live(table)).values({KEY: value})  # type: ignore[arg-type]
            count += conn.execute(marked).rowcount
    return count


def marked_keys(conn: Connection, table: Table, keys: Sequence[str]) -> dict[str, Any]:
    """Key → row id of the marked rows holding ``keys`` (none where the table marks none)."""
    if spec(table) is None or not keys:
        return {}
    query = select(table.c.key, table.c.id).where(table.c.key.in_(list(keys)), _dead(table))
    return {key: row_id for key, row_id in conn.execute(query)}


def revive(conn: Connection, table: Table, ids: Sequence[Any]) -> None:
    """Clear the mark of the rows (their fields are written next)."""
    s = spec(table)
    if s is None or not ids:
        return
    value = None if s.deleted == "now" else s.live
    conn.execute(update(table).where(table.c.id.in_(list(ids))).values({KEY: value}))
