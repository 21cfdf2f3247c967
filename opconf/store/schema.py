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
from sqlalchemy.schema import CreateSchema

from opconf.errors import StoreError
from opconf.store import bookkeeping as b
from opconf.store import rebuild
from opconf.store import tables as t
from opconf.store.layout import DEFAULT, Layout, present, table_names
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


def read_meta(
    conn: Connection, where: str, layout: Layout = DEFAULT, tables: set[str] | None = None
) -> Meta | None:
    """The store's schema version and revision; None when opconf never initialised it.

    ``tables``: the logical names of the tables present (:func:`present`), when the caller
    has them already.
    """
    if "opconf_meta" not in (present(conn, layout) if tables is None else tables):
        return None
    meta = layout.opconf_meta.c
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


def init_schema(conn: Connection, where: str, layout: Layout = DEFAULT) -> str:
    """Create or upgrade the tables; returns a one-line summary."""
    tables = present(conn, layout)
    meta = read_meta(conn, where, layout, tables)
    if meta is None:
        _refuse_incompatible(conn, where, layout)
        created = missing_tables(tables, layout)
        _create(conn, layout, tables)
        values = {"id": 1, "schema_version": SCHEMA_VERSION, "revision": 0}
        conn.execute(layout.opconf_meta.insert().values(values))
        return f"Initialised store schema v{SCHEMA_VERSION}; created {', '.join(created)}"
    _refuse_newer(meta.schema_version)
    if meta.schema_version == SCHEMA_VERSION:
        missing = missing_tables(tables, layout)
        _create(conn, layout, tables)
        done = f"; created the missing tables {', '.join(missing)}" if missing else ""
        return f"Store schema v{SCHEMA_VERSION} is up to date{done}"
    _refuse_blocked(conn, where, layout)
    notes = [MIGRATIONS[v](conn) for v in range(meta.schema_version, SCHEMA_VERSION)]
    conn.execute(layout.opconf_meta.update().values(schema_version=SCHEMA_VERSION))
    upgraded = f"Upgraded store schema v{meta.schema_version} to v{SCHEMA_VERSION}"
    return "; ".join([upgraded, *(note for note in notes if note)])


def _refuse_incompatible(conn: Connection, where: str, layout: Layout) -> None:
    """The first init checks the CRM's tables (opconf/store/check.py): a store opconf could
    not read or write is refused before anything is created."""
    from opconf.store.check import structure

    found = structure(conn, layout, creating=not layout.mapped)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise StoreError(
            f"store at {where} does not fit opconf: {found[0].message}{more}; nothing was created",
            hint="`opconf store check` lists every problem with the statement that fixes it",
        )


def _refuse_blocked(conn: Connection, where: str, layout: Layout) -> None:
    """A view on a column an upgrade drops would make it fail half-way: named first."""
    from opconf.store.hazards import blocking_views

    found = blocking_views(conn, layout)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise StoreError(
            f"store at {where} cannot be upgraded: {found[0].message}{more}; nothing was changed",
            hint=found[0].fix,
        )


def _create(conn: Connection, layout: Layout, tables: set[str]) -> None:
    """The tables not among ``tables`` (:func:`present`'s logical names; under the write
    lock, so still true): existing tables are kept as they are. A mapped store gets
    opconf's bookkeeping only, in its own schema: the CRM's tables are the CRM's."""
    if not layout.mapped:
        missing = [table for name, table in layout.tables().items() if name not in tables]
        layout.metadata.create_all(conn, tables=missing, checkfirst=False)
        return
    for name, table in layout.tables().items():
        if name not in _BOOKKEEPING or name in tables:
            continue
        if table.schema is not None:
            conn.execute(CreateSchema(table.schema, if_not_exists=True))
        table.create(conn)


def check_schema(
    conn: Connection, where: str, layout: Layout = DEFAULT, tables: set[str] | None = None
) -> Meta:
    """The store's meta row, or a StoreError when this opconf cannot use the store as it is.

    ``tables``: :func:`present`'s answer, when the caller has it already."""
    tables = present(conn, layout) if tables is None else tables
    meta = read_meta(conn, where, layout, tables)
    if meta is None:
        raise StoreError(f"store at {where} is not initialised", hint=INIT_HINT)
    _refuse_newer(meta.schema_version)
    if meta.schema_version < SCHEMA_VERSION:
        raise StoreError(
            f"store schema v{meta.schema_version} is older than this opconf (v{SCHEMA_VERSION})",
            hint="run `opconf store init` to upgrade it",
        )
    missing = missing_tables(tables, layout)
    if missing:
        raise StoreError(
            f"store at {where} lacks the tables {', '.join(missing)}",
            hint="run `opconf store init` to create them",
        )
    return meta


def readable_meta(conn: Connection, where: str, layout: Layout = DEFAULT) -> Meta:
    """For reading only: :func:`check_schema`'s meta row; but a database holding the CRM's
    tables and none of opconf's (no `store init` yet) reads as revision 0, nothing managed:
    the read-only commands need no more than SELECT on the CRM's tables."""
    tables = present(conn, layout)
    if tables & _BOOKKEEPING:
        return check_schema(conn, where, layout, tables)
    crm = [name for name in layout.tables() if name not in tables | _BOOKKEEPING]
    if len(crm) == len(layout.tables()) - len(_BOOKKEEPING):
        raise StoreError(f"store at {where} is not initialised", hint=INIT_HINT)
    if crm:
        raise StoreError(
            f"store at {where} lacks the tables {', '.join(_shown(layout, crm))}",
            hint="point opconf at the CRM's database, or run `opconf store init` to create them",
        )
    return Meta(SCHEMA_VERSION, 0, bookkept=False)


_BOOKKEEPING = {table.name for table in b.TABLES}


def missing_tables(tables: set[str], layout: Layout = DEFAULT) -> list[str]:
    """The layout's tables (opconf's and the CRM's) not among ``tables`` (logical names),
    by the name the database knows them."""
    return _shown(layout, [name for name in layout.tables() if name not in tables])


def _shown(layout: Layout, logical: list[str]) -> list[str]:
    """Tables by the name the database knows them, sorted."""
    tables = [layout.tables()[name] for name in logical]
    return sorted(t.name if t.schema is None else f"{t.schema}.{t.name}" for t in tables)


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
