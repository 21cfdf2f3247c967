"""The store behind one interface: SQLite or PostgreSQL, one code path (SQLAlchemy Core)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from opconf import signals
from opconf.errors import Interrupted, StoreError
from opconf.store import check, fills, history, moves, read, rebuild
from opconf.store import demo as demo_data
from opconf.store.connect import (
    connect,
    db_errors,
    ensure_parent,
    make_engine,
    sqlite_file,
    sqlite_file_exists,
    sqlite_foreign_keys_off,
)
from opconf.store.ids import RowId
from opconf.store.layout import DEFAULT, Layout
from opconf.store.lock import (
    in_progress_error,
    lock_postgresql,
    lock_sqlite,
    pg_holder,
    remove_sidecar,
    sqlite_holder,
)
from opconf.store.model import HistoryEntry, Holder, RefData, Settled, StoreState
from opconf.store.problem import Problem
from opconf.store.schema import (
    Meta,
    check_schema,
    init_schema,
    read_meta,
    readable_meta,
)
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT, set_timeouts, timeout_error
from opconf.store.url import Backend, backend_of, redact
from opconf.store.write import Writer

_POLL_SECONDS = 0.1
_ROLLED_BACK = "nothing was written: the transaction was rolled back"
_ROLLED_BACK_SHORT = "the transaction was rolled back"
_READ_HINT = "check the store URL, and that the database is an opconf store"


class Store:
    """A store URL: ``sqlite:///path/store.db`` or ``postgresql://user:pw@host/db``.

    Connects lazily, on the first call that needs the database. Every error is a one-line
    ``StoreError`` (or ``LockError``) naming the store by its redacted URL.
    """

    def __init__(self, url: str, layout: Layout = DEFAULT) -> None:
        self.backend: Backend = backend_of(url)
        self.layout = layout
        """The tables it reads and writes: opconf's own, or the CRM's mapped (mapping.py)."""
        self._url = url
        self._file = sqlite_file(url)
        self._engine: Engine | None = None

    @property
    def display_url(self) -> str:
        """The URL with its password replaced by ``***``: the only form ever shown."""
        return redact(self._url)

    @property
    def file(self) -> Path | None:
        """The database file of a SQLite store; None for PostgreSQL."""
        return Path(self._file) if self._file else None

    def close(self) -> None:
        """Close pooled connections (the store reconnects when used again)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # --- schema ---------------------------------------------------------------------------

    def init(
        self, demo: bool = False, *, demo_file: Path | None = None, lock_timeout: float = 0.0
    ) -> str:
        """Create or upgrade the tables (idempotent); with ``demo``, seed the demo data.

        Returns a one-line summary. Refuses a store whose schema is newer than this opconf.
        """
        if demo and self.layout.mapped:
            raise StoreError(
                "--demo seeds opconf's own layout, not a CRM's mapped tables",
                hint="run `opconf store init` without --demo",
            )
        data = demo_data.load(demo_file or demo_data.DEMO_FILE) if demo else None
        ensure_parent(self._url)
        holder = Holder.local(action="init")
        sqlite = self.backend == "sqlite"
        # A SQLite migration rebuilds tables (opconf/store/rebuild.py): foreign keys off, as
        # SQLite's procedure says, and checked before the commit instead.
        with (
            self._locked(
                holder,
                lock_timeout,
                DEFAULT_STATEMENT_TIMEOUT,
                create=True,
                foreign_keys=not sqlite,
            ) as conn,
            rebuild.no_new_violations(conn) if sqlite else contextlib.nullcontext(),
        ):
            message = init_schema(conn, self.display_url, self.layout)
            if data is not None:
                revision = _meta(conn, self.display_url).revision
                writer = Writer(conn, read.read_state(conn, revision), self.layout)
                message += f"; demo data: {demo_data.seed(conn, writer, data)}"
        return message

    def check(self) -> list[Problem]:
        """Every difference between the database and the layout opconf needs, each with its
        fix (opconf/store/check.py). Reads only."""
        self._require_file()
        with self._plain() as conn:
            return check.problems(conn, self.layout, creating=not self.layout.mapped)

    def holds_crm_rows(self) -> bool:
        """Whether the CRM's tables hold any user, configuration object or opportunity."""
        if not sqlite_file_exists(self._url):
            return False
        with self._plain() as conn:
            return check.holds_rows(conn, self.layout)

    def check_ready(self) -> None:
        """A StoreError unless the store is reachable, initialised and of this schema."""
        with self._reading(bookkept=True):
            pass

    def ensure_ready(self, auto_init: bool) -> str | None:
        """``check_ready``; but with ``auto_init`` an empty SQLite store is initialised.

        PostgreSQL is never changed silently. Returns the init summary when it initialised.
        """
        if auto_init and self.backend == "sqlite" and not self._initialised():
            return self.init()
        self.check_ready()
        return None

    # --- reading --------------------------------------------------------------------------

    def read_state(self) -> StoreState:
        """Configuration, reference data and usage, one query per table, one snapshot."""
        with self._reading() as (conn, meta):
            return self._state(conn, meta)

    def reference_data(self) -> RefData:
        """Users, coverage roles and product types, for ``opconf refs pull``."""
        with self._reading() as (conn, _):
            return read.reference_data(conn, self.layout)

    def history(self) -> list[HistoryEntry]:
        """Applied revisions, oldest first."""
        with self._reading() as (conn, meta):
            return history.entries(conn, table=self.layout.opconf_history) if meta.bookkept else []

    def last_entry(self) -> HistoryEntry | None:
        """The last applied revision (None: nothing applied yet)."""
        with self._reading() as (conn, meta):
            table = self.layout.opconf_history
            last = history.entries(conn, meta.revision, table) if meta.revision else []
            return last[0] if last else None

    def open_stages(self, opportunities: Sequence[RowId]) -> dict[RowId, RowId]:
        """Opportunity id → stage row, for those of ``opportunities`` open on a stage."""
        with self._reading() as (conn, _):
            return moves.stages_of_open(conn, opportunities, self.layout)

    def snapshot(self, revision: int) -> dict[str, Any] | None:
        """The managed configuration after ``revision``, or None.

        ``{kind: [canonical objects], "ids": {kind: {key: row id}}, "stage_ids": {…},
        "unmanaged": {…}, "refs": {…}, "moves": {…}}`` as written (see docs/store.md and
        opconf/plan/snapshot.py, which also upgrades snapshots written without ``refs``).
        """
        with self._reading() as (conn, meta):
            if not meta.bookkept:
                return None
            return history.snapshot(conn, revision, self.layout.opconf_history)

    def read_settled(self, lock_timeout: float = 0.0) -> Settled:
        """The state, the last revision and its snapshot, read together once no apply holds
        the write lock (waiting up to ``lock_timeout`` seconds, then a ``LockError``).

        Takes no lock itself: a reading transaction (read-only on PostgreSQL) that an apply
        never waits for, so a scheduled ``drift`` cannot hold up a deploy.
        """
        deadline = time.monotonic() + max(lock_timeout, 0.0)
        while True:
            # The lock is looked at before the reading transaction begins, never inside it: a
            # snapshot taken first could predate the commit of an apply that then released
            # the lock, and that apply would be missed although it was waited for. An apply
            # releases its lock only once its commit is visible (PostgreSQL releases locks
            # after the commit; the SQLite sidecar is removed after it), so a snapshot taken
            # after the lock was seen free holds every apply waited for, whole.
            holder = self._holder()
            if holder is None:
                with self._reading() as (conn, meta):
                    table = self.layout.opconf_history
                    last = history.entries(conn, meta.revision, table) if meta.revision else []
                    snap = history.snapshot(conn, meta.revision, table) if last else None
                    state = self._state(conn, meta)
                    return Settled(state, last[0] if last else None, snap)
            if time.monotonic() >= deadline:
                raise in_progress_error(holder, self.display_url)
            time.sleep(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))

    def _holder(self) -> Holder | None:
        """Who holds the write lock; on PostgreSQL read in a transaction of its own. (On
        SQLite no transaction: a reader's shared lock would hold up the holder's commit.)"""
        if self.backend == "sqlite":
            self._require_file()
            return sqlite_holder(self._file)
        with self._reading() as (conn, _):
            return pg_holder(conn)

    # --- writing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(
        self,
        holder: Holder,
        lock_timeout: float = 0.0,
        *,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
        dry_run: bool = False,
    ) -> Iterator[Writer]:
        """One transaction holding the store's exclusive write lock.

        Waits up to ``lock_timeout`` seconds for the lock, then raises ``LockError`` naming
        the holder. On PostgreSQL no statement runs, or waits for a row another session
        holds, longer than ``statement_timeout`` seconds (0: the database's own settings).
        Commits when the block ends normally; any exception rolls everything back (a
        database error becomes a ``StoreError``). With ``dry_run`` it rolls back even then.
        """
        with (
            self._locked(holder, lock_timeout, statement_timeout, commit=not dry_run) as conn,
            fills.acting(holder.actor),
        ):
            meta = check_schema(conn, self.display_url, self.layout)
            check.require_privileges(conn, self.display_url, self.layout)
            yield Writer(conn, self._state(conn, meta), self.layout)

    def _state(self, conn: Connection, meta: Meta) -> StoreState:
        return read.read_state(conn, meta.revision, bookkept=meta.bookkept, layout=self.layout)

    # --- connections ----------------------------------------------------------------------

    def _get_engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self._url)
        return self._engine

    def _require_file(self) -> None:
        """Refuse a missing SQLite file rather than create an empty one by connecting."""
        if not sqlite_file_exists(self._url):
            raise StoreError(
                f"no store at {self.display_url}: no such file",
                hint="check the store URL (--store, --target, OPCONF_STORE or opconf.yaml);"
                " `opconf store init` creates a new store there",
            )

    @contextlib.contextmanager
    def _reading(self, bookkept: bool = False) -> Iterator[tuple[Connection, Meta]]:
        """A reading transaction and the store's meta row; unless ``bookkept`` is required,
        a CRM database without opconf's tables reads as revision 0 (schema.readable_meta)."""
        self._require_file()
        with (
            db_errors(self._url, "reading the store", hint=_READ_HINT),
            connect(self._get_engine(), self._url) as conn,
        ):
            if self.backend == "postgresql":  # every table from one snapshot, read only
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                if self.backend == "postgresql":  # a table locked by DDL: never wait for ever
                    set_timeouts(conn, DEFAULT_STATEMENT_TIMEOUT)
                check = check_schema if bookkept else readable_meta
                yield conn, check(conn, self.display_url, self.layout)

    @contextlib.contextmanager
    def _locked(
        self,
        holder: Holder,
        timeout: float,
        statement_timeout: float,
        create: bool = False,
        commit: bool = True,
        foreign_keys: bool = True,
    ) -> Iterator[Connection]:
        if not create:
            self._require_file()
        with (
            db_errors(self._url, "writing the store", hint=_ROLLED_BACK),
            connect(self._get_engine(), self._url) as conn,
            sqlite_foreign_keys_off(conn) if not foreign_keys else contextlib.nullcontext(),
        ):
            taken = holder
            if self.backend == "sqlite":
                taken = lock_sqlite(conn, holder, timeout, self._file)
            else:
                conn.begin()
                set_timeouts(conn, statement_timeout)
                lock_postgresql(conn, holder, timeout)
            try:
                yield conn
                if commit:
                    signals.shield()  # committing: an interrupt now is noted, not raised
                conn.commit() if commit else conn.rollback()
            except BaseException as exc:
                with contextlib.suppress(SQLAlchemyError):  # a lost connection is rolled back
                    conn.rollback()
                if isinstance(exc, KeyboardInterrupt):
                    said = f"{signals.describe(exc)}: nothing was written, {_ROLLED_BACK_SHORT}"
                    raise Interrupted(said, signals.exit_code(exc)) from None
                blocked = timeout_error(exc, conn, self._url, statement_timeout)
                if blocked is not None:
                    raise blocked from None
                raise
            finally:
                if self.backend == "sqlite":  # after the commit: a reader that saw it waits
                    remove_sidecar(self._file, taken)

    def _initialised(self) -> bool:
        if not sqlite_file_exists(self._url):
            return False
        with self._plain() as conn:
            return read_meta(conn, self.display_url, self.layout) is not None

    @contextlib.contextmanager
    def _plain(self) -> Iterator[Connection]:
        """A connection in a transaction, no schema check: for looking at the database."""
        with (
            db_errors(self._url, "reading the store", hint=_READ_HINT),
            connect(self._get_engine(), self._url) as conn,
            conn.begin(),
        ):
            yield conn


def _meta(conn: Connection, where: str) -> Meta:
    meta = read_meta(conn, where)  # the default layout: demo data seeds opconf's own
    assert meta is not None  # init_schema just wrote it
    return meta
