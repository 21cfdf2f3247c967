"""Drift reads the store in a read-only transaction (PostgreSQL), taking no lock."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from opconf.store import Store

try:
    from tests import pg
except ImportError:
    import pg  # type: ignore[no-redef]


@pytest.mark.postgres
def test_postgresql_reads_are_read_only(pg_cluster: pg.Cluster, pg_url: str) -> None:
    store = Store(pg_cluster.url("opconf_test", schema=pg_cluster.create_schema("opconf_test")))
    try:
        store.init()
        with store._db.reading() as (conn, _), pytest.raises(DBAPIError, match="read-only"):
            conn.execute(text("CREATE TABLE written (i integer)"))
    finally:
        store.close()
