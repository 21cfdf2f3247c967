"""opconf's own tables, beside the CRM's: the revision, the history, and which rows it owns.

Nothing here is a column of the CRM's tables. ``opconf_owned`` says which configuration rows
opconf manages (the others were made in the CRM's UI and are only read): one row per owned
object, its kind and its row id. A row the CRM deletes may leave its ownership row behind;
it is harmless (never read for an id that no longer exists: ids are never reused, schema v4).

Ownership is read in one query for all kinds and written in one statement per kind and action.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    delete,
    select,
)

from opconf.store.tables import metadata

KINDS = ("Product", "CoverageGroup", "OpportunityTemplate")  # the kinds opconf owns rows of
_CHUNK = 5_000  # ids per IN (…) list: well below SQLite's 32,766 host parameters

opconf_meta = Table(
    "opconf_meta",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("schema_version", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

opconf_history = Table(
    "opconf_history",
    metadata,
    Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("git_commit", Text),
    Column("plan_digest", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("snapshot", Text, nullable=False),
    # A freeze the apply went through with --override-freeze: the windows, and why.
    Column("override_windows", Text),
    Column("override_reason", Text),
)

# No foreign key to the CRM's tables: the CRM deletes its rows without asking opconf.
opconf_owned = Table(
    "opconf_owned",
    metadata,
    Column("kind", Text, nullable=False),
    Column("row_id", Integer, nullable=False),
    PrimaryKeyConstraint("kind", "row_id"),
)

TABLES = (opconf_meta, opconf_history, opconf_owned)


def none_owned() -> dict[str, set[int]]:
    return {kind: set() for kind in KINDS}


def owned(conn: Connection, table: Table = opconf_owned) -> dict[str, set[int]]:
    """Kind → the row ids opconf owns: one query, whatever the number of rows."""
    out = none_owned()
    o = table.c
    for kind, row_id in conn.execute(select(o.kind, o.row_id)):
        out.setdefault(kind, set()).add(row_id)
    return out


def own(conn: Connection, table: Table, kind: str, row_ids: Sequence[int]) -> None:
    """Mark rows owned (those owned already stay so); ``table``: the layout's opconf_owned."""
    disown(conn, table, kind, row_ids)
    if row_ids:
        conn.execute(table.insert(), [{"kind": kind, "row_id": i} for i in row_ids])


def disown(conn: Connection, table: Table, kind: str, row_ids: Iterable[int]) -> None:
    """The rows are the CRM's own again (or gone)."""
    ids = list(row_ids)
    o = table.c
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        conn.execute(delete(table).where(o.kind == kind, o.row_id.in_(part)))
