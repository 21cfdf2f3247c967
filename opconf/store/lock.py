"""The single-writer lock, tied to the database session so a crash can never leave it stuck.

PostgreSQL: a transaction-level advisory lock (released at commit, rollback or disconnect);
the holder publishes itself in the session's ``application_name`` for the transaction, which
another applier reads back from ``pg_stat_activity`` joined with ``pg_locks``.

SQLite: the write transaction itself (``BEGIN IMMEDIATE``); the holder is described in a
sidecar file ``<db>.lock.json`` written after the lock is taken and removed once the
transaction has committed (or rolled back), so a reader that sees no sidecar sees every commit
it waited for. A stale sidecar is harmless: only the transaction locks, and a reader ignores
the sidecar of a process of this host that is gone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from opconf.errors import LockError
from opconf.store.model import Holder

PG_LOCK_KEY = 0x6F70636F6E66  # "opconf" in ASCII: one fixed advisory lock per database
DEFAULT_BUSY_MS = 30_000  # SQLite: how long ordinary statements wait for a lock
_APP_NAME_BYTES = 63  # PostgreSQL truncates application_name to NAMEDATALEN - 1
_APP_NAME = re.compile(r"opconf (\S+) (\d+) (\S+) (.*)")
_POLL_SECONDS = 0.1
_HINT = "wait and retry, or pass --lock-timeout 60"


def locked_error(holder: Holder | None) -> LockError:
    """The error for a second writer: names the holder when it is known."""
    if holder is None:
        return LockError("store is locked by another writer (holder unknown)", hint=_HINT)
    return LockError(f"store is locked by {holder.describe()}", hint=_HINT)


def pg_holder(conn: Connection) -> Holder | None:
    """Who holds the write lock of a PostgreSQL store now, as ``pg_locks`` shows it, without
    taking it; None when nobody does."""
    return _pg_holder(conn)


def sqlite_holder(db: str | None) -> Holder | None:
    """Who holds the write lock of a SQLite store: the holder's sidecar, unless it is a stale
    one left by a process of this host that is gone; None when nobody does."""
    holder = read_sidecar(db)
    if holder is None or holder.host != socket.gethostname():
        return holder
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None  # crashed while holding it: the transaction, and so the lock, is gone
    except OSError:
        pass  # alive, owned by another user
    return holder


def in_progress_error(holder: Holder, where: str) -> LockError:
    """A reader that waited for an apply to finish, in vain."""
    return LockError(
        f"an apply is in progress on {where}: the store is locked by {holder.describe()}",
        hint="nothing was read; retry when it has finished, or pass --lock-timeout 60",
    )


# --- PostgreSQL -----------------------------------------------------------------------------


def lock_postgresql(conn: Connection, holder: Holder, timeout: float) -> Holder:
    """Take the advisory lock in ``conn``'s transaction, retrying for ``timeout`` seconds."""
    deadline = time.monotonic() + max(timeout, 0.0)
    try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")
    while not conn.execute(try_lock, {"key": PG_LOCK_KEY}).scalar():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise locked_error(_pg_holder(conn))
        time.sleep(min(_POLL_SECONDS, remaining))
    taken = dataclasses.replace(holder, since=_now())
    conn.execute(
        text("SELECT set_config('application_name', :name, true)"),
        {"name": app_name(taken)},
    )
    return taken


def app_name(holder: Holder) -> str:
    """``opconf <action> <pid> <host> <actor>``, ASCII, within PostgreSQL's 63 bytes."""
    host = _ascii(holder.host)[:24]
    name = f"opconf {_ascii(holder.action)} {holder.pid} {host} {holder.actor}"
    return name.encode("ascii", "replace").decode()[:_APP_NAME_BYTES]


def parse_app_name(name: str, since: datetime | None) -> Holder | None:
    """The holder an ``application_name`` describes; None when it is not opconf's."""
    match = _APP_NAME.fullmatch(name or "")
    if not match:
        return None
    action, pid, host, actor = match.groups()
    return Holder(actor=actor, host=host, pid=int(pid), since=since, action=action)


def _pg_holder(conn: Connection) -> Holder | None:
    query = text(
        "SELECT a.application_name, a.xact_start, a.pid FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        " AND CAST(l.classid AS bigint) = :hi AND CAST(l.objid AS bigint) = :lo"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    row = conn.execute(query, {"hi": PG_LOCK_KEY >> 32, "lo": PG_LOCK_KEY & 0xFFFFFFFF}).first()
    if row is None:
        return None
    since = row.xact_start.astimezone(UTC) if row.xact_start else None
    found = parse_app_name(row.application_name, since)
    if found is None:  # another program took our lock key: name what we can
        return Holder(actor="unknown", host="unknown", pid=row.pid, since=since, action="other")
    return found


# --- SQLite ---------------------------------------------------------------------------------


def lock_sqlite(conn: Connection, holder: Holder, timeout: float, db: str | None) -> Holder:
    """Begin ``conn``'s transaction with BEGIN IMMEDIATE, waiting up to ``timeout`` seconds."""
    set_busy_timeout(conn, int(max(timeout, 0.0) * 1000))
    conn.execution_options(opconf_begin="BEGIN IMMEDIATE")
    try:
        conn.begin()
    except OperationalError as exc:
        if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
            raise
        raise locked_error(read_sidecar(db)) from None
    finally:
        set_busy_timeout(conn, DEFAULT_BUSY_MS)
    taken = dataclasses.replace(holder, since=_now())
    write_sidecar(db, taken)
    return taken


def set_busy_timeout(conn: Connection, millis: int) -> None:
    """Set SQLite's busy timeout on the raw connection (no transaction is begun for it)."""
    dbapi: Any = conn.connection.dbapi_connection
    dbapi.execute(f"PRAGMA busy_timeout = {int(millis)}")


def sidecar_path(db: str) -> Path:
    return Path(f"{db}.lock.json")


def write_sidecar(db: str | None, holder: Holder) -> None:
    if db is None:
        return
    path = sidecar_path(db)
    data = {
        "action": holder.action,
        "actor": holder.actor,
        "host": holder.host,
        "pid": holder.pid,
        "since": holder.since.isoformat() if holder.since else None,
    }
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # holder info is a courtesy: never fail an apply on it
        temp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, path)


def remove_sidecar(db: str | None, holder: Holder) -> None:
    """Remove the sidecar once the transaction has ended, unless it is another writer's
    already (the next one may have taken the lock meanwhile)."""
    if db is not None and read_sidecar(db) == holder:
        with contextlib.suppress(OSError):
            sidecar_path(db).unlink()


def read_sidecar(db: str | None) -> Holder | None:
    if db is None:
        return None
    try:
        data = json.loads(sidecar_path(db).read_text(encoding="utf-8"))
        since = datetime.fromisoformat(data["since"]) if data.get("since") else None
        return Holder(
            actor=str(data["actor"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            since=since,
            action=str(data.get("action", "apply")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _ascii(value: str) -> str:
    return re.sub(r"[^\x21-\x7e]", "_", value) or "_"
