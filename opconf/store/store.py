"""The store behind one interface: SQLite or PostgreSQL, one code path (SQLAlchemy Core)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from opconf.errors import StoreError
from opconf.store import check, fills, history, moves, read, rebuild
from opconf.store import demo as demo_data
from opconf.store.connect import ensure_parent, sqlite_file_exists
from opconf.store.ids import RowId
from opconf.store.layout import DEFAULT, Layout
from opconf.store.lock import in_progress_error
from opconf.store.model import HistoryEntry, Holder, RefData, Settled, StoreState
from opconf.store.problem import Problem
from opconf.store.schema import Meta, check_schema, init_schema, read_meta
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT
from opconf.store.transactions import Transactions
from opconf.store.url import Backend
from opconf.store.write import Writer

_POLL_SECONDS = 0.1


class Store:
    """A store URL: ``sqlite:///path/store.db`` or ``postgresql://user:pw@host/db``.

    Connects lazily, on the first call that needs the database. Every error is a one-line
    ``StoreError`` (or ``LockError``) naming the store by its redacted URL.
    """

    def __init__(self, url: str, layout: Layout = DEFAULT) -> None:
        self._db = Transactions(url, layout)
        self.backend: Backend = self._db.backend
        self.layout = layout
        """The tables it reads and writes: opconf's own, or the CRM's mapped (mapping.py)."""

    @property
    def display_url(self) -> str:
        """The URL with its password replaced by ``***``: the only form ever shown."""
        return self._db.display_url

    @property
    def file(self) -> Path | None:
        """The database file of a SQLite store; None for PostgreSQL."""
        return Path(self._db.file) if self._db.file else None

    def close(self) -> None:
        """Close pooled connections (the store reconnects when used again)."""
        self._db.close()

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
        ensure_parent(self._db.url)
        holder = Holder.local(action="init")
        sqlite = self.backend == "sqlite"
        # A SQLite migration rebuilds tables (opconf/store/rebuild.py): foreign keys off, as
        # SQLite's procedure says, and checked before the commit instead.
        with (
            self._db.locked(
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
        self._db.require_file()
        with self._db.plain() as conn:
            return check.problems(conn, self.layout, creating=not self.layout.mapped)

    def holds_crm_rows(self) -> bool:
        """Whether the CRM's tables hold any user, configuration object or opportunity."""
        if not sqlite_file_exists(self._db.url):
            return False
        with self._db.plain() as conn:
            return check.holds_rows(conn, self.layout)

    def check_ready(self) -> None:
        """A StoreError unless the store is reachable, initialised and of this schema."""
        with self._db.reading(bookkept=True):
            pass

    def ensure_ready(self, auto_init: bool) -> str | None:
        """``check_ready``; but with ``auto_init`` an empty SQLite store is initialised.

        PostgreSQL is never changed silently. Returns the init summary when it initialised.
        """
        if auto_init and self.backend == "sqlite" and not self._db.initialised():
            return self.init()
        self.check_ready()
        return None

    # --- reading --------------------------------------------------------------------------

    def read_state(self) -> StoreState:
        """Configuration, reference data and usage, one query per table, one snapshot."""
        with self._db.reading() as (conn, meta):
            return self._state(conn, meta)

    def reference_data(self) -> RefData:
        """Users, coverage roles and product types, for ``opconf refs pull``."""
        with self._db.reading() as (conn, _):
            return read.reference_data(conn, self.layout)

    def history(self) -> list[HistoryEntry]:
        """Applied revisions, oldest first."""
        with self._db.reading() as (conn, meta):
            return history.entries(conn, table=self.layout.opconf_history) if meta.bookkept else []

    def last_entry(self) -> HistoryEntry | None:
        """The last applied revision (None: nothing applied yet)."""
        with self._db.reading() as (conn, meta):
            table = self.layout.opconf_history
            last = history.entries(conn, meta.revision, table) if meta.revision else []
            return last[0] if last else None

    def open_stages(self, opportunities: Sequence[RowId]) -> dict[RowId, RowId]:
        """Opportunity id → stage row, for those of ``opportunities`` open on a stage."""
        with self._db.reading() as (conn, _):
            return moves.stages_of_open(conn, opportunities, self.layout)

    def snapshot(self, revision: int) -> dict[str, Any] | None:
        """The managed configuration after ``revision``, or None.

        ``{kind: [canonical objects], "ids": {kind: {key: row id}}, "stage_ids": {…},
        "unmanaged": {…}, "refs": {…}, "moves": {…}}`` as written (see docs/store.md and
        opconf/plan/snapshot.py, which also upgrades snapshots written without ``refs``).
        """
        with self._db.reading() as (conn, meta):
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
            holder = self._db.holder()
            if holder is None:
                with self._db.reading() as (conn, meta):
                    table = self.layout.opconf_history
                    last = history.entries(conn, meta.revision, table) if meta.revision else []
                    snap = history.snapshot(conn, meta.revision, table) if last else None
                    state = self._state(conn, meta)
                    return Settled(state, last[0] if last else None, snap)
            if time.monotonic() >= deadline:
                raise in_progress_error(holder, self.display_url)
            time.sleep(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))

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
            self._db.locked(holder, lock_timeout, statement_timeout, commit=not dry_run) as conn,
            fills.acting(holder.actor),
        ):
            meta = check_schema(conn, self.display_url, self.layout)
            check.require_privileges(conn, self.display_url, self.layout)
            yield Writer(conn, self._state(conn, meta), self.layout)

    def _state(self, conn: Connection, meta: Meta) -> StoreState:
        return read.read_state(conn, meta.revision, bookkept=meta.bookkept, layout=self.layout)


def _meta(conn: Connection, where: str) -> Meta:
    meta = read_meta(conn, where)  # the default layout: demo data seeds opconf's own
    assert meta is not None  # init_schema just wrote it
    return meta
