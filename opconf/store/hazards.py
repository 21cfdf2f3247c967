"""What ``opconf store check`` reports beyond tables, columns and privileges: the CRM's own
objects that opconf's writes would disturb.

- **Cascades**: a foreign key of the CRM's whose ``ON DELETE CASCADE`` (or ``SET NULL``,
  ``SET DEFAULT``) reaches from a configuration table opconf deletes rows of into a table
  opconf does not own: deleting a product would delete (or change) the CRM's rows. The
  cascades opconf's own layout has (a template's stages and steps, a group's members, an
  opportunity losing a removed stage) are expected.
- **Views on ``managed``**: the v4 → v5 upgrade drops the ``managed`` column of ``product``,
  ``coverage_group`` and ``opportunity_template``; a view that reads it makes the upgrade
  fail (PostgreSQL refuses to drop the column, SQLite to keep a view it cannot read).

Each is a :class:`~opconf.store.problem.Problem` with the DDL that fixes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Table, inspect, text

from opconf.store import softdelete
from opconf.store.layout import Layout
from opconf.store.problem import Problem

# Where opconf deletes rows (the children by syncing them), and the cascades it expects.
DELETED_FROM = (
    "product",
    "coverage_group",
    "coverage_member",
    "opportunity_template",
    "template_stage",
    "stage_step",
)
OWNED_CHILDREN = {"coverage_member", "template_product", "template_stage", "stage_step"}
EXPECTED = {("opportunity", "stage_id")}  # a closed opportunity loses a removed stage
MANAGED_TABLES = ("product", "coverage_group", "opportunity_template")  # v4's managed column
_RISKY = {"CASCADE", "SET NULL", "SET DEFAULT"}


def cascades(conn: Connection, layout: Layout) -> list[Problem]:
    """Foreign keys through which opconf's deletes would reach rows it does not own."""
    tables = layout.tables()
    targets = {
        (t.schema, t.name): logical
        for logical, t in tables.items()
        if logical in DELETED_FROM and softdelete.spec(t) is None  # a marked row stays
    }
    ours = {(t.schema, t.name) for logical, t in tables.items() if logical in OWNED_CHILDREN}
    known = {(t.schema, t.name): (logical, t) for logical, t in tables.items()}
    found: list[Problem] = []
    for schema in sorted({t.schema for t in tables.values()}, key=str):
        for name, fk in _foreign_keys(conn, schema):
            if (schema, name) in ours:
                continue
            target = targets.get((fk["referred_schema"] or schema, fk["referred_table"]))
            action = str((fk.get("options") or {}).get("ondelete") or "").upper()
            if target is None or action not in _RISKY or _expected(fk, known, schema, name):
                continue
            found.append(_cascade(conn, schema, name, fk, target, action))
    return found


def _foreign_keys(conn: Connection, schema: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, foreign key) of every table of ``schema``. SQLite's reflection leaves out the
    ON DELETE of a key declared on its column: read from ``PRAGMA foreign_key_list`` there."""
    inspector = inspect(conn)
    for (_, name), keys in sorted(inspector.get_multi_foreign_keys(schema=schema).items()):
        actions: dict[tuple[str, ...], str] = {}
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"PRAGMA foreign_key_list({_literal(name)})").all()
            columns: dict[int, list[str]] = {}
            for row in rows:
                columns.setdefault(row[0], []).append(row[3])
                actions[tuple(columns[row[0]])] = row[6]
        for reflected in keys:
            fk: dict[str, Any] = dict(reflected)
            declared = actions.get(tuple(fk["constrained_columns"]))
            if declared and not (fk.get("options") or {}).get("ondelete"):
                fk["options"] = {**(fk.get("options") or {}), "ondelete": declared}
            yield name, fk


def _literal(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _expected(
    fk: dict[str, Any], known: dict[Any, tuple[str, Table]], schema: Any, name: str
) -> bool:
    logical, table = known.get((schema, name), ("", None))
    if table is None:
        return False
    keys = {c.name: c.key for c in table.columns}
    return all((logical, keys.get(column)) in EXPECTED for column in fk["constrained_columns"])


def _cascade(
    conn: Connection, schema: Any, name: str, fk: dict[str, Any], target: str, action: str
) -> Problem:
    q = conn.dialect.identifier_preparer
    table = f"{q.quote_schema(schema)}.{q.quote(name)}" if schema else q.quote(name)
    referred = fk["referred_table"]
    ref_schema = fk["referred_schema"] or schema
    ref = f"{q.quote_schema(ref_schema)}.{q.quote(referred)}" if ref_schema else q.quote(referred)
    columns = ", ".join(q.quote(c) for c in fk["constrained_columns"])
    ref_columns = ", ".join(q.quote(c) for c in fk["referred_columns"])
    shown = f"{schema}.{name}" if schema else name
    verb = "delete" if action == "CASCADE" else "change"
    message = (
        f"{shown} ({', '.join(fk['constrained_columns'])}) → {referred}: ON DELETE {action}"
        f" would {verb} the CRM's rows when opconf deletes a {target} row"
    )
    key = f"FOREIGN KEY ({columns}) REFERENCES {ref} ({ref_columns}) ON DELETE RESTRICT"
    if conn.dialect.name == "sqlite" or not fk.get("name"):
        fix = f"rebuild {shown} with {key} (or map softDelete for {target})"
    else:
        constraint = q.quote(fk["name"])
        fix = (
            f"ALTER TABLE {table} DROP CONSTRAINT {constraint},"
            f" ADD CONSTRAINT {constraint} {key}; (or map softDelete for {target})"
        )
    return Problem(message, fix)


def blocking_views(conn: Connection, layout: Layout) -> list[Problem]:
    """Views reading the ``managed`` column that the v4 → v5 upgrade drops."""
    if layout.mapped:
        return []  # a mapped store never had the column: v5 is its first version
    found: list[Problem] = []
    inspector = inspect(conn)
    for logical in MANAGED_TABLES:
        table: Table = getattr(layout, logical)
        if not inspector.has_table(table.name, schema=table.schema):
            continue
        if "managed" not in {c["name"] for c in inspector.get_columns(table.name)}:
            continue
        for view in _views_on(conn, table.name, "managed"):
            fix = (
                f"DROP VIEW {conn.dialect.identifier_preparer.quote(view)}; then `opconf store"
                f" init`, and create it again reading ownership from opconf_owned"
            )
            found.append(Problem(f"view {view} reads {table.name}.managed, which v5 drops", fix))
    return found


def _views_on(conn: Connection, table: str, column: str) -> Iterator[str]:
    if conn.dialect.name == "postgresql":
        query = text(
            "SELECT DISTINCT v.relname FROM pg_depend d"
            " JOIN pg_rewrite r ON r.oid = d.objid"
            " JOIN pg_class v ON v.oid = r.ev_class"
            " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            " WHERE d.refobjid = to_regclass(:table) AND a.attname = :column"
            " AND v.oid <> d.refobjid ORDER BY 1"
        )
        yield from conn.execute(query, {"table": table, "column": column}).scalars()
        return
    # SQLite keeps a view as its text: one that names both the table and the column.
    rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, sql in sorted(rows):
        words = {w.lower() for w in re.findall(r"\w+", sql or "")}
        if table in words and column in words:
            yield name
