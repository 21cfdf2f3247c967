"""Fixtures for the store tests: a Store per backend, initialised with tests/store/data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_helpers import DEMO, DEMO_REFS

from opconf.store import Holder, Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh, uninitialised store (SQLite file or PostgreSQL database)."""
    store = Store(store_url)
    yield store
    store.close()


@pytest.fixture
def seeded(store: Store) -> Store:
    """The store, initialised and seeded from tests/store/data/demo.yaml (unmanaged rows)."""
    store.init(demo=True, demo_file=DEMO)
    return store


@pytest.fixture
def holder() -> Holder:
    return Holder(actor="alice", host="host-a", pid=4242)


@pytest.fixture
def seeded_empty(store: Store) -> Store:
    """The store with reference data from tests/store/data/demo.yaml and no objects."""
    store.init(demo=True, demo_file=DEMO_REFS)
    return store


@pytest.fixture
def crm_url(store_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Like ``store_url``, but on PostgreSQL a database of its own: a CRM's tables live in
    named schemas (``crm``, opconf's ``opconf``) that tests sharing a database would collide on."""
    if not store_url.startswith("postgresql"):
        yield store_url
        return
    cluster = request.getfixturevalue("pg_cluster")
    database = cluster.create_database()
    yield cluster.url(database)
    cluster.drop_database(database)
