"""Schema versions: create, upgrade, and refuse what this opconf cannot read.

``opconf_meta.schema_version`` says which layout a store has. ``init`` creates the tables of an
empty store (keeping CRM tables that already exist) or runs the migrations from its version up
to ``SCHEMA_VERSION``, in the same transaction. To add a migration: bump ``SCHEMA_VERSION`` in
tables.py, change the tables there, and register ``MIGRATIONS[old] = function`` that brings a
store from ``old`` to ``old + 1`` (see docs/store.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import Connection, inspect, select

from opconf.errors import StoreError
from opconf.store import tables as t
from opconf.store.tables import SCHEMA_VERSION

# MIGRATIONS[n] upgrades a store from schema version n to n + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}

INIT_HINT = "run `opconf store init`"


class Meta(NamedTuple):
    schema_version: int
    revision: int


def read_meta(conn: Connection) -> Meta | None:
    """The store's schema version and revision; None when opconf never initialised it."""
    if not inspect(conn).has_table(t.opconf_meta.name):
        return None
    meta = t.opconf_meta.c
    row = conn.execute(select(meta.schema_version, meta.revision)).first()
    return None if row is None else Meta(row.schema_version, row.revision)


def init_schema(conn: Connection) -> str:
    """Create or upgrade the tables; returns a one-line summary."""
    meta = read_meta(conn)
    if meta is None:
        t.metadata.create_all(conn)  # checkfirst: existing CRM tables are kept as they are
        conn.execute(t.opconf_meta.delete())
        values = {"id": 1, "schema_version": SCHEMA_VERSION, "revision": 0}
        conn.execute(t.opconf_meta.insert().values(values))
        return f"Initialised store schema v{SCHEMA_VERSION}"
    _refuse_newer(meta.schema_version)
    if meta.schema_version == SCHEMA_VERSION:
        return f"Store schema v{SCHEMA_VERSION} is up to date"
    for version in range(meta.schema_version, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
    conn.execute(t.opconf_meta.update().values(schema_version=SCHEMA_VERSION))
    return f"Upgraded store schema v{meta.schema_version} to v{SCHEMA_VERSION}"


def check_schema(conn: Connection, where: str) -> Meta:
    """The store's meta row, or a StoreError when this opconf cannot use the store as it is."""
    meta = read_meta(conn)
    if meta is None:
        raise StoreError(f"store at {where} is not initialised", hint=INIT_HINT)
    _refuse_newer(meta.schema_version)
    if meta.schema_version < SCHEMA_VERSION:
        raise StoreError(
            f"store schema v{meta.schema_version} is older than this opconf (v{SCHEMA_VERSION})",
            hint="run `opconf store init` to upgrade it",
        )
    return meta


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"store schema v{version} is newer than this opconf (v{SCHEMA_VERSION})",
            hint="upgrade opconf",
        )
