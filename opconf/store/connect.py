"""Engines and connections, and turning driver errors into one-line StoreErrors.

SQLite: pysqlite is told not to manage transactions (``isolation_level = None``) and the
``begin`` event emits BEGIN itself — SQLAlchemy's documented recipe — so that a writer can
``BEGIN IMMEDIATE`` and DDL is transactional; ``PRAGMA foreign_keys=ON`` on every connection.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool, QueuePool, StaticPool

from opconf.errors import StoreError
from opconf.store.lock import DEFAULT_BUSY_MS
from opconf.store.url import backend_of, driver_url, redact, scrub, sqlite_path

CONNECT_TIMEOUT_SECONDS = 10


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (no connection is made yet); ``dispose()`` closes its connections.

    PostgreSQL: one connection is kept between transactions, so that a command's reads and
    its locked write share it (each new one costs a handshake, authentication and a server
    process); a second one at the same time is closed when returned. Every session setting
    opconf makes is its transaction's own (``SET LOCAL``, the transaction-level advisory
    lock), and the pool rolls back on return: nothing carries over. A kept connection the
    server has dropped is replaced before use (``pool_pre_ping``).
    SQLite: no pool; opening the file is cheap.
    """
    target = driver_url(url)
    if backend_of(url) == "postgresql":
        args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "opconf"}
        return create_engine(
            target,
            connect_args=args,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=-1,
            pool_pre_ping=True,
        )
    if sqlite_path(target) is None:  # in memory: one connection, or the database is gone
        engine = create_engine(
            target, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = create_engine(target, poolclass=NullPool)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
    dbapi_connection.execute(f"PRAGMA busy_timeout = {DEFAULT_BUSY_MS}")


@contextlib.contextmanager
def sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite's foreign key enforcement off for the transaction about to begin (SQLite ignores
    the setting inside one), on again after it: an in-memory store keeps its one connection."""
    dbapi: Any = conn.connection.dbapi_connection
    dbapi.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):  # a lost connection is gone with its setting
            dbapi.execute("PRAGMA foreign_keys = ON")


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("opconf_begin", "BEGIN"))


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite store URL; None for PostgreSQL and in-memory SQLite."""
    return sqlite_path(driver_url(url)) if backend_of(url) == "sqlite" else None


def connect(engine: Engine, url: str) -> Connection:
    """A connection, or a StoreError naming the (redacted) store and the reason."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        why = reason(exc, url)
        hint = _hint(why) or "check the store URL"
        raise StoreError(f"cannot connect to {redact(url)}: {why}", hint=hint) from None


@contextlib.contextmanager
def db_errors(url: str, doing: str, hint: str | None = None) -> Iterator[None]:
    """Turn any database error inside the block into ``StoreError("<doing> failed: …")``."""
    try:
        yield
    except SQLAlchemyError as exc:
        why = reason(exc, url)
        message = f"{doing} failed on {redact(url)}: {why}"
        raise StoreError(message, hint=_hint(why) or hint) from None


def reason(exc: SQLAlchemyError, url: str) -> str:
    """The driver's message, short, on one line, without secrets."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    first = lines[0] if lines else type(original).__name__
    if first.startswith("connection") and "failed: " in first:
        # libpq: 'connection failed: connection to server at "h", port 1 failed: <why>'
        first = first.rsplit("failed: ", 1)[1]
    first = re.sub(r"^(FATAL|ERROR):\s+", "", first)
    detail = next((line[7:].strip() for line in lines[1:] if line.startswith("DETAIL:")), "")
    text = f"{first} ({detail})" if detail else first
    return scrub(re.sub(r"\s+", " ", text), url)


def _hint(why: str) -> str | None:
    lowered = why.lower()
    if "password" in lowered or "authentication" in lowered:
        return "check the user name and password of the store URL"
    if "does not exist" in lowered and "database" in lowered:
        return "create the database first: opconf creates tables, not databases"
    if "statement timeout" in lowered or "lock timeout" in lowered:
        return "another session may hold a table locked (DDL, say): retry when it has finished"
    if any(word in lowered for word in ("refused", "timeout", "timed out", "resolve", "translate")):
        return "check that the database server is running and the URL's host and port"
    if "not a database" in lowered:
        return "the store URL names a file that is not a SQLite database"
    if "unable to open" in lowered:
        return "check that the store file's folder exists and is writable"
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return "run `opconf store init`"
    return None


def sqlite_file_exists(url: str) -> bool:
    """Whether the SQLite store file exists; a StoreError when its path cannot be a store
    file (a folder, a name over the file system's limit, a file where a folder should be)."""
    db = sqlite_file(url)
    if db is None:
        return True
    try:
        mode = os.stat(db).st_mode
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        code = exc.errno if isinstance(exc, OSError) else None
        hint = _PATH_HINTS.get(code or 0, "check the store URL's file path")
        raise StoreError(f"cannot use the store file of {redact(url)}: {why}", hint=hint) from None
    if stat.S_ISDIR(mode):
        raise StoreError(
            f"store URL {redact(url)} names a folder, not a database file",
            hint="name a file in it, e.g. sqlite:///path/to/folder/store.db",
        )
    return True


_PATH_HINTS = {
    errno.ENAMETOOLONG: "shorten the store URL's file path (at most 255 bytes per name)",
    errno.ENOTDIR: "a folder in the store URL's file path is a file: check the path",
    errno.EACCES: "check the permissions of the store file and its folders",
}


def ensure_parent(url: str) -> None:
    """Create the folder of a SQLite store file (after checking the file's path)."""
    sqlite_file_exists(url)
    db = sqlite_file(url)
    if db is not None:
        try:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder of {redact(url)}: {exc.strerror}",
                hint="check the path and permissions of the store file",
            ) from None
