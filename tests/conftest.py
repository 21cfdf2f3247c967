"""Shared fixtures: a real throwaway PostgreSQL for the session, and a fresh store per test.

``store_url`` runs a test once per backend: ``sqlite`` (a file under tmp_path) and
``postgresql`` (a fresh schema of the session's ``opconf_test`` database, see tests/pg.py).
Deselect the PostgreSQL runs with ``-m "not postgres"``. Without PostgreSQL binaries those
runs are skipped — or fail when ``CI=true``: CI must test both backends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests import pg
    from tests.plan import helpers as h
except ImportError:
    import pg  # type: ignore[no-redef]
    from plan import helpers as h  # type: ignore[no-redef]


@pytest.fixture(autouse=True)
def _helper_connections_closed() -> Iterator[None]:
    """The connection the helpers keep for a PostgreSQL store is closed when its test ends."""
    yield
    h.dispose_engines()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    """The session's PostgreSQL server (initdb once, ~2 s), stopped at the end."""
    bindir = pg.find_bindir()
    if bindir is None:
        message = "PostgreSQL binaries (initdb, pg_ctl) not found"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must test PostgreSQL", pytrace=False)
        pytest.skip(message)
    cluster = pg.Cluster(bindir)
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: pg.Cluster) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/opconf_test``: one database for the session."""
    pg_cluster.create_database("opconf_test")
    return pg_cluster.url("opconf_test")


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """A URL of a fresh, empty (uninitialised) store, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store/store.db"
    url: str = request.getfixturevalue("pg_store")
    return url


@pytest.fixture
def pg_store(pg_cluster: pg.Cluster, pg_url: str) -> str:
    """The URL of a fresh, empty PostgreSQL store: a new schema of the session's database."""
    return pg_cluster.url("opconf_test", schema=pg_cluster.create_schema("opconf_test"))


@pytest.fixture
def env(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> h.Env:
    """A config repo (the working directory) and a store holding the demo's CRM reference
    data but no configuration objects, for the plan/apply CLI tests."""
    return _seeded_env(store_url, tmp_path, monkeypatch, capsys)


@pytest.fixture
def pg_env(
    pg_store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> h.Env:
    """``env`` on PostgreSQL only."""
    return _seeded_env(pg_store, tmp_path, monkeypatch, capsys)


@pytest.fixture
def sqlite_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> h.Env:
    """``env`` on SQLite only."""
    return _seeded_env(f"sqlite:///{tmp_path}/store.db", tmp_path, monkeypatch, capsys)


def _seeded_env(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> h.Env:
    h.seed(url, h.reference_seed(tmp_path))
    return h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
