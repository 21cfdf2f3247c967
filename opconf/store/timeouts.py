"""Bounding the waits of a write transaction on PostgreSQL, and naming what blocked it.

opconf's own lock is bounded by ``--lock-timeout``. A row or table that another session (the
CRM) holds locked is bounded by ``--statement-timeout``: every write transaction runs
``SET LOCAL statement_timeout`` and ``SET LOCAL lock_timeout`` (0 leaves the database's own
settings). When one of them fires, PostgreSQL cancels the statement and the whole transaction
is rolled back; :func:`timeout_error` turns that into one line naming the locked row.

SQLite needs neither: an apply starts with ``BEGIN IMMEDIATE``, which holds the database's
write lock before the first statement, so no statement waits on another session's rows.
"""

from __future__ import annotations

import math
import re

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from opconf.errors import StoreError
from opconf.store import tables as t
from opconf.store.url import redact

DEFAULT_STATEMENT_TIMEOUT = 60.0  # seconds; ample for writing 100,000 objects
_MAX_MILLIS = 2**31 - 1  # PostgreSQL's limit for both settings
_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout fired
_QUERY_CANCELED = "57014"  # statement_timeout fired (or a cancel request)
# PostgreSQL's error context while waiting for another transaction's row lock.
_ROW_WAIT = re.compile(
    r"while (?:updating|deleting|locking|rechecking updated) tuple"
    r' \((\d+),(\d+)\) in relation "([^"]+)"'
)
_INDEX_WAIT = re.compile(
    r"while (?:inserting index tuple|checking uniqueness of tuple)"
    r' \(\d+,\d+\) in relation "([^"]+)"'
)


def set_timeouts(conn: Connection, seconds: float) -> None:
    """Bound every statement of ``conn``'s transaction, lock waits included (PostgreSQL)."""
    if 0 < seconds < math.inf:  # 0 (or nan): leave the database's own settings
        millis = min(max(1, round(seconds * 1000)), _MAX_MILLIS)
        conn.execute(text(f"SET LOCAL statement_timeout = {millis}"))
        conn.execute(text(f"SET LOCAL lock_timeout = {millis}"))


def timeout_error(
    exc: BaseException, conn: Connection, url: str, seconds: float
) -> StoreError | None:
    """The error for a statement cancelled by the timeouts; None for any other failure.

    Call it after the transaction was rolled back: it may read the locked row's key.
    """
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    state = getattr(orig, "sqlstate", None)
    cancelled_by_timeout = state == _QUERY_CANCELED and "statement timeout" in str(orig)
    if state != _LOCK_NOT_AVAILABLE and not cancelled_by_timeout:
        return None  # another failure, or a cancel request: reported as it is
    diag = getattr(orig, "diag", None)
    context = str(getattr(diag, "context", None) or "")
    what = _blocker(conn, context)
    waited = f"{seconds:g} s" if seconds > 0 else "the database's timeout"
    if what is None and state == _QUERY_CANCELED:
        return StoreError(
            f"writing the store failed on {redact(url)}: a statement did not finish within"
            f" the statement timeout ({waited}): it ran that long, or waited for a table"
            " another session holds locked",
            hint="nothing was written: the transaction was rolled back;"
            " retry, or raise --statement-timeout (0: no limit)",
        )
    return StoreError(
        f"writing the store failed on {redact(url)}: {what or 'a table'} is locked by"
        f" another session (gave up after {waited})",
        hint="nothing was written: the transaction was rolled back;"
        " retry when the other session has finished, or raise --statement-timeout",
    )


def _blocker(conn: Connection, context: str) -> str | None:
    """``a row of product 'savings'`` from PostgreSQL's error context, when it says."""
    row = _ROW_WAIT.search(context)
    if row is not None:
        block, offset, relation = row.groups()
        row_name = _row_at(conn, relation, f"({block},{offset})")
        return f"a row of {relation}" + (f" {row_name}" if row_name else "")
    index = _INDEX_WAIT.search(context)
    if index is not None:
        return f"a row of the unique index {index.group(1)}"
    return None


def _row_at(conn: Connection, relation: str, ctid: str) -> str | None:
    """``'savings'`` (a key) or ``id 17``: the row version at ``ctid`` in one of opconf's
    tables, read after the rollback (a reader never waits for a row lock)."""
    table = t.metadata.tables.get(relation)
    column = next((c for c in ("key", "id") if table is not None and c in table.c), None)
    if table is None or column is None:
        return None
    where = text("ctid = CAST(:ctid AS tid)").bindparams(ctid=ctid)
    try:
        found = conn.execute(select(table.c[column]).where(where)).scalar()
        conn.rollback()
    except SQLAlchemyError:
        return None
    if found is None:
        return None
    return f"'{found}'" if column == "key" else f"id {found}"
