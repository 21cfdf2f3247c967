"""Row ids as a mapping's ``id.generate`` says: the database's (the default), a named
PostgreSQL sequence, or UUIDs opconf generates — as 36-character text (``uuid``: a text
column, or PostgreSQL's ``uuid``) or as 16 bytes (``uuid-binary``: BLOB on SQLite, bytea on
PostgreSQL).

In Python every id is an ``int`` (database, sequence) or the UUID's canonical text
(``"0b9e…-…"``), whatever the column holds: snapshots, plans and messages carry that text,
never raw bytes. Columns that reference a mapped id take the id's type (:func:`reference_type`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Dialect, Integer, LargeBinary, Sequence, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from opconf.errors import StoreError

RowId = int | str  # database and sequence ids are ints; UUIDs their canonical text
UUIDS = ("uuid", "uuid-binary")


def row_id(text: str | int) -> RowId:
    """An id as JSON object keys carry it (always text) back to the id: ``"12"`` → 12."""
    return int(text) if isinstance(text, int) or text.isdigit() else text


def _canonical(value: Any, column: str) -> str:
    try:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    except ValueError:
        raise StoreError(f"{column}: {value!r} is not a UUID") from None


class _Inferred(UserDefinedType[str]):
    """PostgreSQL: a parameter sent untyped, so the server reads it as the column's own type —
    text, varchar, char(36) or uuid alike (a ``::VARCHAR`` cast would not compare with a
    uuid column)."""

    cache_ok = True
    render_bind_cast = False

    def get_col_spec(self, **kw: Any) -> str:
        return "VARCHAR(36)"


class UuidText(TypeDecorator[str]):
    """A UUID as its 36-character text (``generate: uuid``): a text column, or PostgreSQL's
    own ``uuid`` type."""

    impl = String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return _Inferred()
        return dialect.type_descriptor(String(36))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


class UuidBinary(TypeDecorator[str]):
    """A UUID held as 16 bytes (``generate: uuid-binary``); its text in Python."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else uuid.UUID(_canonical(value, "a binary id")).bytes

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(uuid.UUID(bytes=bytes(value)))


class AnyId(TypeDecorator[Any]):
    """``opconf_owned.row_id`` where some kind's ids are UUIDs: text in the table, each id
    back as it came (an int stays an int)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> RowId | None:
        return None if value is None else row_id(value)


def id_type(generate: str) -> TypeEngine[Any]:
    if generate == "uuid":
        return UuidText()
    if generate == "uuid-binary":
        return UuidBinary()
    return Integer()


def _new_uuid() -> str:
    return str(uuid.uuid4())


def id_column(name: str, key: str, generate: str) -> Column[Any]:
    """The id column of a mapped table: opconf fills UUIDs itself (batches too, as a Python
    default); a sequence is asked for ``nextval`` in the INSERT; else the database numbers."""
    extra: list[Any] = []
    default: Callable[[], str] | None = None
    if generate.startswith("sequence:"):
        schema, _, seq = generate.removeprefix("sequence:").rpartition(".")
        extra.append(Sequence(seq, schema=schema or None))
    elif generate in UUIDS:
        default = _new_uuid
    return Column(
        name,
        id_type(generate),
        *extra,
        key=key,
        primary_key=True,
        default=default,
        autoincrement=generate == "database",
    )


def reference_type(target: Column[Any] | None) -> TypeEngine[Any] | None:
    """The type of a column that references ``target`` (a mapped id): the id's own, without
    its generator; None when ``target`` is not an id opconf maps."""
    if target is None or not isinstance(target.type, (UuidText, UuidBinary)):
        return None
    return type(target.type)()
