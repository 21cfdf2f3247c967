"""How the store reaches its database: a reading transaction (one snapshot), a writing one under
the store's write lock, and a plain look. :class:`~opconf.store.store.Store` is the interface
the rest of opconf uses; this module is the part of it that holds connections."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from opconf import signals
from opconf.errors import Interrupted, StoreError
from opconf.store.connect import (
    connect,
    db_errors,
    make_engine,
    sqlite_file,
    sqlite_file_exists,
    sqlite_foreign_keys_off,
)
from opconf.store.layout import Layout
from opconf.store.lock import lock_postgresql, lock_sqlite, pg_holder, remove_sidecar, sqlite_holder
from opconf.store.model import Holder
from opconf.store.schema import Meta, check_schema, read_meta, readable_meta
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT, set_timeouts, timeout_error
from opconf.store.url import Backend, backend_of, redact

_ROLLED_BACK = "nothing was written: the transaction was rolled back"
_ROLLED_BACK_SHORT = "the transaction was rolled back"
_READ_HINT = "check the store URL, and that the database is an opconf store"


class Transactions:
    """The connections of one store URL (an engine made on first use)."""

    def __init__(self, url: str, layout: Layout) -> None:
        self.backend: Backend = backend_of(url)
        self.layout = layout
        self.url = url
        self.file = sqlite_file(url)
        self.read_timeout = DEFAULT_STATEMENT_TIMEOUT
        """Seconds a reading statement may take on PostgreSQL (a table locked by DDL)."""
        self._engine: Engine | None = None
        self._dispose: weakref.finalize[[], Transactions] | None = None

    @property
    def display_url(self) -> str:
        return redact(self.url)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
            # Dropped without close(), the store still closes the connection it keeps.
            self._dispose = weakref.finalize(self, self._engine.dispose)
        return self._engine

    def close(self) -> None:
        if self._dispose is not None:
            self._dispose()  # once: a finalizer runs at most once
            self._engine = self._dispose = None

    def require_file(self) -> None:
        """Refuse a missing SQLite file rather than create an empty one by connecting."""
        if not sqlite_file_exists(self.url):
            raise StoreError(
                f"no store at {self.display_url}: no such file",
                hint="check the store URL (--store, --target, OPCONF_STORE or opconf.yaml);"
                " `opconf store init` creates a new store there",
            )

    def holder(self) -> Holder | None:
        """Who holds the write lock; on PostgreSQL read in a transaction of its own. (On
        SQLite no transaction: a reader's shared lock would hold up the holder's commit.)"""
        if self.backend == "sqlite":
            self.require_file()
            return sqlite_holder(self.file)
        with self.reading() as (conn, _):
            return pg_holder(conn)

    def initialised(self) -> bool:
        if not sqlite_file_exists(self.url):
            return False
        with self.plain() as conn:
            return read_meta(conn, self.display_url, self.layout) is not None

    @contextlib.contextmanager
    def reading(self, bookkept: bool = False) -> Iterator[tuple[Connection, Meta]]:
        """A reading transaction and the store's meta row; unless ``bookkept`` is required,
        a CRM database without opconf's tables reads as revision 0 (schema.readable_meta)."""
        self.require_file()
        with (
            db_errors(self.url, "reading the store", hint=_READ_HINT),
            connect(self.engine(), self.url) as conn,
        ):
            if self.backend == "postgresql":  # every table from one snapshot, read only
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                if self.backend == "postgresql":  # a table locked by DDL: never wait for ever
                    set_timeouts(conn, self.read_timeout)
                check = check_schema if bookkept else readable_meta
                yield conn, check(conn, self.display_url, self.layout)

    @contextlib.contextmanager
    def locked(
        self,
        holder: Holder,
        timeout: float,
        statement_timeout: float,
        create: bool = False,
        commit: bool = True,
        foreign_keys: bool = True,
    ) -> Iterator[Connection]:
        """A writing transaction holding the write lock (waiting up to ``timeout`` seconds);
        committed when the block ends normally (unless ``commit`` is false), else rolled back.
        ``create``: a SQLite file may be created."""
        if not create:
            self.require_file()
        with (
            db_errors(self.url, "writing the store", hint=_ROLLED_BACK),
            connect(self.engine(), self.url) as conn,
            sqlite_foreign_keys_off(conn) if not foreign_keys else contextlib.nullcontext(),
        ):
            taken = holder
            if self.backend == "sqlite":
                taken = lock_sqlite(conn, holder, timeout, self.file)
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
                blocked = timeout_error(exc, conn, self.url, statement_timeout)
                if blocked is not None:
                    raise blocked from None
                raise
            finally:
                if self.backend == "sqlite":  # after the commit: a reader that saw it waits
                    remove_sidecar(self.file, taken)

    @contextlib.contextmanager
    def plain(self) -> Iterator[Connection]:
        """A connection in a transaction, no schema check: for looking at the database."""
        with (
            db_errors(self.url, "reading the store", hint=_READ_HINT),
            connect(self.engine(), self.url) as conn,
            conn.begin(),
        ):
            yield conn
