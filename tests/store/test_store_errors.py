"""Connection failures: one line, a hint, never the password; lost connections roll back."""

from __future__ import annotations

import threading

import pytest
from store_helpers import HOLDER, product

from opconf.errors import StoreError
from opconf.store import Store

try:
    from tests import pg
except ImportError:
    import pg  # type: ignore[no-redef]


def _error(store: Store) -> StoreError:
    with pytest.raises(StoreError) as caught:
        store.check_ready()
    error = caught.value
    assert "\n" not in error.message and error.hint and "\n" not in error.hint
    return error


@pytest.mark.postgres
def test_wrong_password(pg_cluster: pg.Cluster, pg_url: str) -> None:
    url = pg_cluster.url("opconf_test", user=pg.PASSWORD_ROLE, password="wr0ng-Secret")
    error = _error(Store(url))
    shown = f"postgresql://{pg.PASSWORD_ROLE}:***@127.0.0.1:{pg_cluster.port}/opconf_test"
    assert error.message == (
        f'cannot connect to {shown}: password authentication failed for user "{pg.PASSWORD_ROLE}"'
    )
    assert error.hint == "check the user name and password of the store URL"
    assert "wr0ng-Secret" not in f"{error.message} {error.hint} {error!r}"


@pytest.mark.postgres
def test_right_password_connects(pg_cluster: pg.Cluster, pg_url: str) -> None:
    url = pg_cluster.url("opconf_test", user=pg.PASSWORD_ROLE, password=pg.PASSWORD)
    error = _error(Store(url))
    assert error.message.endswith("opconf_test is not initialised")
    assert pg.PASSWORD not in error.message


def test_unreachable_server() -> None:
    port = pg.free_port()
    error = _error(Store(f"postgresql://app:hunter2@127.0.0.1:{port}/crm"))
    assert error.message == (
        f"cannot connect to postgresql://app:***@127.0.0.1:{port}/crm: Connection refused"
    )
    assert error.hint == "check that the database server is running and the URL's host and port"


@pytest.mark.postgres
def test_missing_database(pg_cluster: pg.Cluster) -> None:
    error = _error(Store(pg_cluster.url("no_such_db")))
    assert error.message.endswith('no_such_db: database "no_such_db" does not exist')
    assert error.hint == "create the database first: opconf creates tables, not databases"


def test_sqlite_file_that_is_not_a_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "store.db").write_text("hello, I am not a database" * 100)
    error = _error(Store(f"sqlite:///{tmp_path}/store.db"))
    assert error.message.startswith("reading the store failed on sqlite:///")
    assert error.message.endswith("file is not a database")


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_lost_connection_rolls_back(pg_cluster: pg.Cluster, seeded: Store) -> None:
    before = seeded.read_state()
    with pytest.raises(StoreError) as caught, seeded.writer(HOLDER) as writer:
        writer.create("Product", product("doomed"))
        killer = threading.Thread(target=_terminate_appliers, args=(pg_cluster,))
        killer.start()
        killer.join()
        writer.create("Product", product("never"))
    assert caught.value.message.startswith(f"writing the store failed on {seeded.display_url}: ")
    assert "\n" not in caught.value.message, caught.value.message
    assert seeded.read_state() == before
    with seeded.writer(HOLDER):  # and the lock went with the session
        pass


def _terminate_appliers(cluster: pg.Cluster) -> None:
    with cluster.admin() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name LIKE 'opconf apply %'"
        )
