"""Schema v4 on SQLite: the tables whose rows rollback identifies by id get AUTOINCREMENT.

Without it SQLite gives a new row the largest id + 1, so a row created after the newest one
was deleted takes the deleted row's id, and a rollback to a snapshot that recorded the
deleted row would take the new row for it. SQLite cannot add AUTOINCREMENT to a table: each
table is rebuilt the way SQLite documents ("Making Other Kinds Of Table Schema Changes"),
inside the init's transaction, with foreign keys off (``Store.init`` turns them off before
the transaction begins, and checks them before it commits):

1. the table's own ``CREATE TABLE`` text, with only the id's declaration changed to
   ``INTEGER PRIMARY KEY AUTOINCREMENT``, creates a new table beside it — whatever columns
   and constraints the CRM added are kept; an id declared in another form, or a table SQLite
   refuses so (``WITHOUT ROWID``), is left as it was and the summary says so;
2. the rows are copied with their ids, the old table dropped, the new one renamed, and the
   old table's own indexes and triggers created again;
3. ``sqlite_sequence`` starts above every id the table or any snapshot in the history has
   used, so no id a rollback may look for is handed out again.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError

from opconf.errors import StoreError
from opconf.store import bookkeeping, history
from opconf.store.refusals import deferred_violations

TABLES = {  # the tables rollback identifies rows of by id → the snapshot kind of their ids
    "product": "Product",
    "coverage_group": "CoverageGroup",
    "opportunity_template": "OpportunityTemplate",
    "template_stage": "stage",
}
_NEW = "_opconf_new_"
_ID = r'(?:"id"|id)'
# The id declared first, as opconf wrote it (a PRIMARY KEY constraint of its own, ended by a
# comma or the closing parenthesis) or as SQLite's row id is usually declared.
_ID_COLUMN = re.compile(rf"\(\s*{_ID}\s+INTEGER(?:\s+NOT\s+NULL)?(?=\s*,)", re.I)
_ID_PRIMARY = re.compile(rf"\(\s*{_ID}\s+INTEGER(?:\s+NOT\s+NULL)?\s+PRIMARY\s+KEY(?=\s*,)", re.I)
_PK_CONSTRAINT = re.compile(
    rf",\s*(?:CONSTRAINT\s+(?:\"[^\"]*\"|\w+)\s+)?PRIMARY\s+KEY\s*\(\s*{_ID}\s*\)(?=\s*[,)])",
    re.I,
)


def add_autoincrement(conn: Connection) -> list[str]:
    """Rebuild every table of :data:`TABLES` without AUTOINCREMENT; the names of those left
    as they were (their definition is not one this rebuild can rewrite safely)."""
    used = _ids_in_history(conn)
    kept = []
    for table, kind in TABLES.items():
        sql = _sql(conn, table)
        if sql is None or "AUTOINCREMENT" in sql.upper():
            continue
        if not _rebuild(conn, table, sql, used.get(kind, 0)):
            kept.append(table)
    return kept


def autoincrement_sql(sql: str, name: str) -> str | None:
    """``CREATE TABLE`` text ``sql`` for a table called ``name`` whose id is ``INTEGER
    PRIMARY KEY AUTOINCREMENT``; None when the id is not declared in a form this knows."""
    body = sql[sql.index("(") :]
    if primary := _ID_PRIMARY.match(body):
        body = f"{primary.group()} AUTOINCREMENT{body[primary.end() :]}"
    elif (column := _ID_COLUMN.match(body)) and len(_PK_CONSTRAINT.findall(body)) == 1:
        rest = _PK_CONSTRAINT.sub("", body[column.end() :])
        body = f"{column.group()} PRIMARY KEY AUTOINCREMENT{rest}"
    else:
        return None
    return f'CREATE TABLE "{name}" {body}'


def _rebuild(conn: Connection, table: str, sql: str, used: int) -> bool:
    new = f"{_NEW}{table}"
    create = autoincrement_sql(sql, new)
    if create is None:
        return False
    try:
        with conn.begin_nested():
            _run(conn, create)
    except OperationalError:  # refused by SQLite (a WITHOUT ROWID table has no AUTOINCREMENT)
        return False
    extras = [s for s in _schema_sql(conn, table) if s is not None]
    _run(conn, f'INSERT INTO "{new}" SELECT * FROM "{table}"')
    _run(conn, f'DROP TABLE "{table}"')
    _run(conn, "PRAGMA legacy_alter_table = ON")  # no check of views naming the dropped table
    _run(conn, f'ALTER TABLE "{new}" RENAME TO "{table}"')
    _run(conn, "PRAGMA legacy_alter_table = OFF")
    for statement in extras:
        _run(conn, statement)
    top = max(used, conn.exec_driver_sql(f'SELECT max(id) FROM "{table}"').scalar() or 0)
    _run(conn, f"DELETE FROM sqlite_sequence WHERE name IN ('{table}', '{new}')")
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, top))
    return True


def _ids_in_history(conn: Connection) -> dict[str, int]:
    """The largest row id of each kind (and of stages) that any snapshot recorded."""
    top: dict[str, int] = {}
    h = bookkeeping.opconf_history.c
    for (revision,) in conn.execute(select(h.revision)):
        snap = history.snapshot(conn, revision) or {}
        for kind, ids in snap.get("ids", {}).items():
            _keep_highest(top, kind, ids.values())
        for stages in snap.get("stage_ids", {}).values():
            _keep_highest(top, "stage", stages.values())
        for kind, rows in snap.get("unmanaged", {}).items():
            _keep_highest(top, kind, (row["id"] for row in rows))
    return top


def _keep_highest(top: dict[str, int], kind: str, ids: Iterable[Any]) -> None:
    numbers = [i for i in ids if isinstance(i, int)]
    if numbers:
        top[kind] = max(top.get(kind, 0), *numbers)


def _sql(conn: Connection, table: str) -> str | None:
    query = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.exec_driver_sql(query, (table,)).scalar()


def _schema_sql(conn: Connection, table: str) -> list[str | None]:
    """The table's own indexes and triggers (not those a constraint makes)."""
    query = "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ?"
    return list(conn.exec_driver_sql(query, (table,)).scalars())


def _run(conn: Connection, statement: str) -> None:
    conn.exec_driver_sql(statement)


@contextlib.contextmanager
def no_new_violations(conn: Connection) -> Iterator[None]:
    """With foreign keys off, refuse to commit what breaks one that held before (the CRM's
    data may break some already: those are left as they are)."""
    before = deferred_violations(conn)
    yield
    broken = deferred_violations(conn) - before
    if broken:
        table, row_id, parent, _ = sorted(broken, key=str)[0]
        raise StoreError(
            f"upgrading the store would break {len(broken)} foreign key(s), first"
            f" {table} row {row_id} → {parent}",
            hint="nothing was changed; repair the row in the CRM's database, then run init again",
        )
