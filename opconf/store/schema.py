"""Schema versions: create, upgrade, and refuse what this opconf cannot read.

``opconf_meta.schema_version`` says which layout a store has. ``init`` creates the tables of an
empty store (keeping CRM tables that already exist) or runs the migrations from its version up
to ``SCHEMA_VERSION``, in the same transaction. To add a migration: bump ``SCHEMA_VERSION`` in
tables.py, change the tables there, and register ``MIGRATIONS[old] = function`` that brings a
store from ``old`` to ``old + 1`` (see docs/store.md).

Bookkeeping changed by hand (no meta row, a version that is not a number or not one opconf
ever wrote, tables dropped) is refused with one line saying what is wrong, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Connection, inspect, select, text

from opconf.errors import StoreError
from opconf.store import bookkeeping as b
from opconf.store import rebuild
from opconf.store import tables as t
from opconf.store.tables import SCHEMA_VERSION


def _v1_to_v2(conn: Connection) -> None:
    """v2 records freeze overrides in the history (both columns null for other applies)."""
    for column in ("override_windows", "override_reason"):
        conn.execute(text(f"ALTER TABLE opconf_history ADD COLUMN {column} TEXT"))


def _v2_to_v3(conn: Connection) -> None:
    """v3 writes snapshots packed (opconf/store/packing.py); the snapshots already written stay
    as they are, readable by both. No table changes: the version keeps an older opconf, which
    reads plain JSON only, away from a store holding packed snapshots."""


def _v3_to_v4(conn: Connection) -> str | None:
    """v4: on SQLite, ids of products, groups, templates and stages are never reused
    (AUTOINCREMENT, opconf/store/rebuild.py; PostgreSQL never reuses an id). On both, the
    columns of opconf's tables that reference products and groups are indexed: deleting one
    checked every template row for a reference (a scan per deleted row)."""
    kept = rebuild.add_autoincrement(conn) if conn.dialect.name == "sqlite" else []
    present = table_names(conn)  # a missing table is made, indexed, by the next init
    for table in (t.template_product, t.opportunity_template):
        for index in table.indexes if table.name in present else ():
            index.create(conn, checkfirst=True)
    if not kept:
        return None
    return (
        f"left {', '.join(kept)} without AUTOINCREMENT: not created by opconf,"
        " SQLite may reuse the id of a deleted row (docs/store.md)"
    )


def _v4_to_v5(conn: Connection) -> str | None:
    """v5: which rows opconf manages is its own bookkeeping (``opconf_owned``), no longer a
    ``managed`` column of the CRM's configuration tables: the flags move there and the
    columns are dropped (opconf writes them no more; a NOT NULL one would refuse inserts)."""
    b.opconf_owned.create(conn, checkfirst=True)
    present = table_names(conn)
    for kind, table in zip(b.KINDS, OWNED_TABLES, strict=True):
        if table not in present:
            continue  # made, without the column, by the next init
        if "managed" not in {c["name"] for c in inspect(conn).get_columns(table)}:
            continue
        select_owned = f"SELECT '{kind}', id FROM {table} WHERE managed"
        conn.execute(text(f"INSERT INTO opconf_owned (kind, row_id) {select_owned}"))
        conn.execute(text(f"ALTER TABLE {table} DROP COLUMN managed"))
    return None


# MIGRATIONS[n] upgrades a store from schema version n to n + 1; it may return a note for the
# summary line.
MIGRATIONS: dict[int, Callable[[Connection], str | None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
}
OWNED_TABLES = ("product", "coverage_group", "opportunity_template")  # as b.KINDS
FIRST_VERSION = 1  # the layout the first opconf wrote

INIT_HINT = "run `opconf store init`"
DAMAGED_HINT = "opconf_meta was changed outside opconf: restore it from a backup (docs/store.md)"


class Meta(NamedTuple):
    schema_version: int
    revision: int
    bookkept: bool = True  # False: the CRM's tables without opconf's (before `store init`)


def read_meta(conn: Connection, where: str, tables: set[str] | None = None) -> Meta | None:
    """The store's schema version and revision; None when opconf never initialised it.

    ``tables``: the database's table names, when the caller has them already.
    """
    if b.opconf_meta.name not in (table_names(conn) if tables is None else tables):
        return None
    meta = b.opconf_meta.c
    rows = conn.execute(select(meta.schema_version, meta.revision)).all()
    if len(rows) != 1:
        count = f"{len(rows)} rows" if rows else "no row"
        raise StoreError(f"store at {where} has {count} in opconf_meta", hint=DAMAGED_HINT)
    version, revision = rows[0]
    for name, value in (("schema_version", version), ("revision", revision)):
        if not _is_int(value):
            raise StoreError(
                f"store at {where} has {name} {value!r} in opconf_meta, not an integer",
                hint=DAMAGED_HINT,
            )
    _refuse_unknown(version)
    return Meta(version, revision)


def init_schema(conn: Connection, where: str) -> str:
    """Create or upgrade the tables; returns a one-line summary."""
    meta = read_meta(conn, where)
    if meta is None:
        t.metadata.create_all(conn)  # checkfirst: existing CRM tables are kept as they are
        values = {"id": 1, "schema_version": SCHEMA_VERSION, "revision": 0}
        conn.execute(b.opconf_meta.insert().values(values))
        return f"Initialised store schema v{SCHEMA_VERSION}"
    _refuse_newer(meta.schema_version)
    if meta.schema_version == SCHEMA_VERSION:
        missing = missing_tables(table_names(conn))
        t.metadata.create_all(conn)  # checkfirst: only what is missing
        done = f"; created the missing tables {', '.join(missing)}" if missing else ""
        return f"Store schema v{SCHEMA_VERSION} is up to date{done}"
    notes = [MIGRATIONS[v](conn) for v in range(meta.schema_version, SCHEMA_VERSION)]
    conn.execute(b.opconf_meta.update().values(schema_version=SCHEMA_VERSION))
    upgraded = f"Upgraded store schema v{meta.schema_version} to v{SCHEMA_VERSION}"
    return "; ".join([upgraded, *(note for note in notes if note)])


def check_schema(conn: Connection, where: str) -> Meta:
    """The store's meta row, or a StoreError when this opconf cannot use the store as it is."""
    tables = table_names(conn)
    meta = read_meta(conn, where, tables)
    if meta is None:
        raise StoreError(f"store at {where} is not initialised", hint=INIT_HINT)
    _refuse_newer(meta.schema_version)
    if meta.schema_version < SCHEMA_VERSION:
        raise StoreError(
            f"store schema v{meta.schema_version} is older than this opconf (v{SCHEMA_VERSION})",
            hint="run `opconf store init` to upgrade it",
        )
    missing = missing_tables(tables)
    if missing:
        raise StoreError(
            f"store at {where} lacks the tables {', '.join(missing)}",
            hint="run `opconf store init` to create them",
        )
    return meta


def readable_meta(conn: Connection, where: str) -> Meta:
    """For reading only: :func:`check_schema`'s meta row; but a database holding the CRM's
    tables and none of opconf's (no `store init` yet) reads as revision 0, nothing managed:
    the read-only commands need no more than SELECT on the CRM's tables."""
    tables = table_names(conn)
    if any(table.name in tables for table in b.TABLES):
        return check_schema(conn, where)
    crm = [name for name in missing_tables(tables) if name not in _BOOKKEEPING]
    if len(crm) == len(t.metadata.tables) - len(_BOOKKEEPING):
        raise StoreError(f"store at {where} is not initialised", hint=INIT_HINT)
    if crm:
        raise StoreError(
            f"store at {where} lacks the tables {', '.join(crm)}",
            hint="point opconf at the CRM's database, or run `opconf store init` to create them",
        )
    return Meta(SCHEMA_VERSION, 0, bookkept=False)


_BOOKKEEPING = {table.name for table in b.TABLES}


def table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def missing_tables(present: set[str]) -> list[str]:
    """The store's tables (opconf's and the CRM's) that are not among ``present``."""
    return sorted(name for name in t.metadata.tables if name not in present)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse_unknown(version: int) -> None:
    if version < FIRST_VERSION:
        raise StoreError(
            f"store schema v{version} is not a version opconf knows"
            f" (v{FIRST_VERSION} is the first)",
            hint=DAMAGED_HINT,
        )


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"store schema v{version} is newer than this opconf (v{SCHEMA_VERSION})",
            hint="upgrade opconf",
        )
