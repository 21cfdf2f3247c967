"""Read-only until it must write: the reading commands work on a CRM database where opconf
never ran `store init` (the CRM's tables, none of opconf's): revision 0, nothing managed.
Only apply and rollback need opconf's bookkeeping, and say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import DEMO, HOLDER, sql

from opconf import exitcodes
from opconf.errors import StoreError
from opconf.store import Store
from opconf.store.connect import ensure_parent

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

BOOKKEEPING = ("opconf_owned", "opconf_history", "opconf_meta")


@pytest.fixture
def crm(store: Store, store_url: str) -> Store:
    """The demo CRM, its rows the CRM's own, and no table of opconf's."""
    store.init(demo=True, demo_file=DEMO)
    for table in BOOKKEEPING:
        sql(store_url, f"DROP TABLE {table}")
    return store


def test_reading_needs_no_bookkeeping(crm: Store) -> None:
    state = crm.read_state()
    assert state.revision == 0
    assert state.objects and not any(o.managed for o in state.objects.values())
    assert crm.reference_data().users
    assert crm.history() == []
    assert crm.snapshot(1) is None
    settled = crm.read_settled()
    assert (settled.state.revision, settled.last, settled.snapshot) == (0, None, None)


def test_writing_needs_store_init(crm: Store, store_url: str) -> None:
    before = h.dump(store_url)
    with pytest.raises(StoreError, match=r"store at .* is not initialised") as caught:
        crm.check_ready()
    assert caught.value.hint == "run `opconf store init`"
    with pytest.raises(StoreError, match=r"store at .* is not initialised"), crm.writer(HOLDER):
        pass
    assert h.dump(store_url) == before


def test_a_database_without_the_crm_tables_is_refused(store: Store, store_url: str) -> None:
    ensure_parent(store_url)
    sql(store_url, "CREATE TABLE crm_user (login TEXT PRIMARY KEY)")
    with pytest.raises(StoreError, match=r"lacks the tables coverage_group, .*") as caught:
        store.read_state()
    assert "opconf store init" in (caught.value.hint or "")


def test_an_empty_database_is_not_initialised(store: Store, store_url: str) -> None:
    ensure_parent(store_url)
    sql(store_url, "CREATE TABLE unrelated (x INTEGER)")
    with pytest.raises(StoreError, match=r"store at .* is not initialised"):
        store.read_state()


def test_the_read_only_commands_before_store_init(
    crm: Store,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
    before = h.dump(store_url)
    env.ok("export", "--store", store_url, "--out", "config")
    env.ok("refs", "pull")
    env.ok("validate", "--refs", "opconf.refs.yaml")
    drift = env.ok("drift", "--store", store_url)
    assert drift.startswith("Nothing has been applied to this store yet")
    adopt_only = "Plan: 0 to create, 0 to update, 0 to rename, 0 to delete, 4 to adopt.\n"
    assert adopt_only in env.ok("plan", "--out", "plan.json")
    env.ok("catalogue", "--plan", "plan.json", "--out", "site")
    assert h.dump(store_url) == before
    env.write([h.product("new_one")], folder="config/new")
    assert "+ Product new_one" in env.run("plan").out
    applied = env.run("apply", "--auto-approve")
    if store_url.startswith("postgresql"):  # never changed without `opconf store init`
        assert applied.code == exitcodes.STORE
        assert "is not initialised" in applied.err
        assert h.dump(store_url) == before
