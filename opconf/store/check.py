"""``opconf store check``: the live database against the layout opconf reads and writes.

Desired (the layout: tables.py, or a mapping) against current (what the database reports),
one comparison per concern — tables, columns and their types, the unique keys opconf relies
on, the privileges it needs — each difference a :class:`Problem` carrying the DDL or GRANT that
fixes it. ``store init`` runs the structural part first and refuses an incompatible CRM.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.engine import Inspector
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import TypeDecorator, TypeEngine

from opconf.errors import StoreError
from opconf.store import hazards
from opconf.store.ids import UuidText
from opconf.store.layout import Layout, present
from opconf.store.problem import Problem
from opconf.store.tables import ExactDecimal

CONFIGURATION = (
    "product",
    "coverage_group",
    "coverage_member",
    "opportunity_template",
    "template_product",
    "template_stage",
    "stage_step",
)
# The unique keys opconf relies on to find a row by its key (logical columns).
UNIQUE = {
    "product": ("key",),
    "coverage_group": ("key",),
    "coverage_member": ("group_id", "user_login"),
    "opportunity_template": ("key",),
    "template_product": ("template_id", "product_id"),
    "template_stage": ("template_id", "key"),
    "stage_step": ("template_id", "key"),
}
WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")


def problems(conn: Connection, layout: Layout, *, creating: bool = False) -> list[Problem]:
    """Every difference; with ``creating``, a missing table is none (``store init`` makes
    opconf's own layout's tables, never a mapped CRM's). Then the CRM's objects opconf's
    writes would disturb: cascades into its rows, views on a column an upgrade drops."""
    found = [*structure(conn, layout, creating=creating), *privileges(conn, layout)]
    return [*found, *hazards.cascades(conn, layout), *hazards.blocking_views(conn, layout)]


def structure(conn: Connection, layout: Layout, *, creating: bool = False) -> list[Problem]:
    """Tables, columns, types and unique keys of the CRM's tables (bookkeeping excluded)."""
    found: list[Problem] = []
    inspector = inspect(conn)
    for logical, table in _crm_tables(layout):
        if not inspector.has_table(table.name, schema=table.schema):
            if not creating:
                found.append(
                    Problem(f"{_shown(table)}: missing table ({logical})", _ddl(conn, table))
                )
            continue
        found.extend(_columns(conn, inspector, logical, table))
        found.extend(_unique(conn, inspector, logical, table))
    return found


def _crm_tables(layout: Layout) -> Iterator[tuple[str, Table]]:
    bookkeeping = set(layout.bookkeeping())
    return ((n, t) for n, t in layout.tables().items() if t not in bookkeeping)


def _columns(
    conn: Connection, inspector: Inspector, logical: str, table: Table
) -> Iterator[Problem]:
    live = {c["name"]: c["type"] for c in inspector.get_columns(table.name, schema=table.schema)}
    for column in table.columns:
        where = f"{_shown(table)}.{column.name} ({logical}.{column.key})"
        wanted = _type_sql(conn, column.type)
        if column.name not in live:
            add = f"ALTER TABLE {_q(conn, table)} ADD COLUMN {_qc(conn, column)} {wanted};"
            yield Problem(f"{where}: missing column", add)
        elif not _compatible(_family(column.type), _live_family(live[column.name]), conn):
            change = (
                f"ALTER TABLE {_q(conn, table)} ALTER COLUMN {_qc(conn, column)} TYPE {wanted};"
            )
            if conn.dialect.name == "sqlite":
                change = (
                    f"rebuild {_shown(table)} with {column.name} {wanted} (SQLite alters no type)"
                )
            yield Problem(f"{where}: type {live[column.name]}, opconf needs {wanted}", change)


def _unique(
    conn: Connection, inspector: Inspector, logical: str, table: Table
) -> Iterator[Problem]:
    if logical not in UNIQUE:
        return
    wanted = tuple(table.c[key].name for key in UNIQUE[logical])
    if not all(name in _live_columns(inspector, table) for name in wanted):
        return  # the missing column is the problem
    if set(wanted) in _live_unique(inspector, table):
        return
    columns = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in wanted)
    index = conn.dialect.identifier_preparer.quote(f"uq_{table.name}_{'_'.join(wanted)}".lower())
    fix = f"CREATE UNIQUE INDEX {index} ON {_q(conn, table)} ({columns});"
    yield Problem(f"{_shown(table)}: no unique key on ({', '.join(wanted)})", fix)


def _live_columns(inspector: Inspector, table: Table) -> set[str]:
    return {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}


def _live_unique(inspector: Inspector, table: Table) -> list[set[str]]:
    name, schema = table.name, table.schema
    keys = [set(u["column_names"]) for u in inspector.get_unique_constraints(name, schema=schema)]
    indexes = inspector.get_indexes(name, schema=schema, include_auto_indexes=True)
    keys += [{c for c in i["column_names"] if c} for i in indexes if i["unique"]]
    pk = inspector.get_pk_constraint(name, schema=schema)["constrained_columns"]
    return [*keys, set(pk)] if pk else keys


def privileges(conn: Connection, layout: Layout) -> list[Problem]:
    """PostgreSQL: SELECT on every CRM table, writes on the configuration tables, UPDATE on
    opportunities; writes on opconf's tables, or CREATE where init will make them. One query
    for all the tables. SQLite has no privileges (the file's are the operating system's)."""
    if conn.dialect.name != "postgresql":
        return []
    role = conn.execute(text("SELECT current_user")).scalar_one()
    tables = present(conn, layout)  # one catalogue query per database schema
    wanted = [
        (table, privilege)
        for logical, table in layout.tables().items()
        if logical in tables
        for privilege in _needed(logical)
    ]
    held = _held(conn, [(_q(conn, table), privilege) for table, privilege in wanted])
    missing: dict[Table, list[str]] = {}
    for (table, privilege), ok in zip(wanted, held, strict=True):
        if not ok:
            missing.setdefault(table, []).append(privilege)
    found = [
        Problem(
            f"{_shown(table)}: {role} lacks {', '.join(privileges)}",
            f"GRANT {', '.join(privileges)} ON {_q(conn, table)} TO {role};",
        )
        for table, privileges in missing.items()
    ]
    if "opconf_meta" not in tables:
        found.extend(_create_privilege(conn, layout, role))
    return found


def require_privileges(conn: Connection, where: str, layout: Layout) -> None:
    """Refuse, before an apply's first write, a role that could not finish it."""
    missing = privileges(conn, layout)
    if missing:
        raise StoreError(f"store at {where}: {missing[0].message}", hint=missing[0].fix)


def _held(conn: Connection, pairs: list[tuple[str, str]]) -> list[bool]:
    """``has_table_privilege`` of each (table, privilege), in one statement."""
    if not pairs:
        return []
    calls = ", ".join(f"has_table_privilege(:t{i}, :p{i})" for i in range(len(pairs)))
    params = {f"t{i}": t for i, (t, _) in enumerate(pairs)}
    params |= {f"p{i}": p for i, (_, p) in enumerate(pairs)}
    return [bool(v) for v in conn.execute(text(f"SELECT {calls}"), params).one()]


def _needed(logical: str) -> tuple[str, ...]:
    if logical in CONFIGURATION or logical.startswith("opconf_"):
        return WRITES
    return ("SELECT", "UPDATE") if logical == "opportunity" else ("SELECT",)


def _create_privilege(conn: Connection, layout: Layout, role: str) -> Iterator[Problem]:
    meta = layout.opconf_meta
    inspector = inspect(conn)
    schema = meta.schema or conn.execute(text("SELECT current_schema()")).scalar_one()
    quoted = conn.dialect.identifier_preparer.quote_schema(schema)
    if schema in inspector.get_schema_names():
        if not _has(conn, "has_schema_privilege", schema, "CREATE"):
            yield Problem(
                f"schema {schema}: {role} lacks CREATE",
                f"GRANT CREATE ON SCHEMA {quoted} TO {role};",
            )
        return
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    if not _has(conn, "has_database_privilege", database, "CREATE"):
        fix = f"CREATE SCHEMA {quoted} AUTHORIZATION {role};"
        yield Problem(f"schema {schema}: missing, and {role} cannot create it", fix)


def _has(conn: Connection, function: str, what: str, privilege: str) -> bool:
    query = text(f"SELECT {function}(:what, :privilege)")
    return bool(conn.execute(query, {"what": what, "privilege": privilege}).scalar_one())


def holds_rows(conn: Connection, layout: Layout) -> bool:
    """Whether the CRM's tables that exist hold a user, an object or an opportunity."""
    inspector = inspect(conn)
    tables = [layout.crm_user, layout.product, layout.coverage_group]
    tables += [layout.opportunity_template, layout.opportunity]
    return any(
        conn.execute(select(literal(1)).select_from(t).limit(1)).first() is not None
        for t in tables
        if inspector.has_table(t.name, schema=t.schema)
    )


# --- types ------------------------------------------------------------------------------------


def _family(kind: TypeEngine[Any]) -> str:
    from opconf.store.mapping import Encoded

    if isinstance(kind, Encoded):
        return "integer" if kind.numeric else "text"
    if isinstance(kind, ExactDecimal):
        return "decimal"
    if isinstance(kind, UuidText):
        return "uuid"
    if isinstance(kind, TypeDecorator):  # UUIDs as bytes (opconf/store/ids.py)
        return _live_family(kind.impl_instance)
    return _live_family(kind)


def _live_family(kind: TypeEngine[Any]) -> str:
    for family, types in _FAMILIES:
        if isinstance(kind, types):
            return family
    return type(kind).__name__.lower()


_FAMILIES: tuple[tuple[str, Any], ...] = (
    ("boolean", Boolean),
    ("integer", Integer),
    ("decimal", Numeric),
    ("timestamp", DateTime),
    ("text", String),
    ("binary", LargeBinary),
)


def _compatible(wanted: str, live: str, conn: Connection) -> bool:
    if wanted == live or (wanted, live) == ("uuid", "text"):  # a UUID's text, or PostgreSQL's
        return True
    sqlite = conn.dialect.name == "sqlite"  # SQLite: exact decimals and times as text, booleans 0/1
    return sqlite and (wanted, live) in {
        ("decimal", "text"),
        ("boolean", "integer"),
        ("timestamp", "text"),
    }


def _type_sql(conn: Connection, kind: TypeEngine[Any]) -> str:
    if isinstance(kind, TypeDecorator):
        kind = kind.load_dialect_impl(conn.dialect)
    return kind.compile(dialect=conn.dialect)


def _ddl(conn: Connection, table: Table) -> str:
    return " ".join(str(CreateTable(table).compile(dialect=conn.dialect)).split()) + ";"


def _q(conn: Connection, table: Table) -> str:
    return conn.dialect.identifier_preparer.format_table(table)


def _qc(conn: Connection, column: Column[Any]) -> str:
    return conn.dialect.identifier_preparer.quote(column.name)


def _shown(table: Table) -> str:
    return table.name if table.schema is None else f"{table.schema}.{table.name}"
