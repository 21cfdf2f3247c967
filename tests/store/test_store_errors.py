"""Connection failures: one line, a hint, never the password; lost connections roll back."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from store_helpers import HOLDER, product

from opconf import exitcodes
from opconf.cli import main
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


# --- SQLite paths that cannot hold a store: one line each, for every command -----------------

LONG = "x" * 300
PRODUCT = "apiVersion: opconf/v1\nkind: Product\nkey: checking\nname: Checking\ntype: deposit\n"
PATH_CASES = {
    "a name over 255 bytes": (
        f"{LONG}.db",
        "cannot use the store file of {url}: File name too long",
        "shorten the store URL's file path (at most 255 bytes per name)",
    ),
    "into a folder whose name is too long": (
        f"{LONG}/store.db",
        "cannot use the store file of {url}: File name too long",
        "shorten the store URL's file path (at most 255 bytes per name)",
    ),
    "a folder": (
        "folder",
        "store URL {url} names a folder, not a database file",
        "name a file in it, e.g. sqlite:///path/to/folder/store.db",
    ),
    "under a file": (
        "file/store.db",
        "cannot use the store file of {url}: Not a directory",
        "a folder in the store URL's file path is a file: check the path",
    ),
}


@pytest.mark.parametrize("command", [["store", "init"], ["history"], ["plan"]])
@pytest.mark.parametrize("case", PATH_CASES)
def test_sqlite_path_that_cannot_be_a_store(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    case: str,
) -> None:
    path, message, hint = PATH_CASES[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "p.yaml").write_text(PRODUCT, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path}/{path}"
    capsys.readouterr()
    assert main([*command, "--store", url]) == exitcodes.STORE
    assert capsys.readouterr() == ("", f"error: {message.format(url=url)}\nhint: {hint}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "file", "folder"]


def test_sqlite_missing_folder_is_no_such_file(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/missing/store.db")
    assert _error(store).message == f"no store at {store.display_url}: no such file"
    assert not (tmp_path / "missing").exists()


def test_unreachable_server_with_an_unencoded_password(capsys: pytest.CaptureFixture[str]) -> None:
    port = pg.free_port()
    url = f"postgresql://app:s3cr/et#?x@127.0.0.1:{port}/crm"
    capsys.readouterr()
    assert main(["history", "--store", url]) == exitcodes.STORE
    assert capsys.readouterr() == (
        "",
        f"error: cannot connect to postgresql://app:***@127.0.0.1:{port}/crm: Connection refused\n"
        "hint: check that the database server is running and the URL's host and port\n",
    )
