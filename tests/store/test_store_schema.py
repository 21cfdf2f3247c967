"""init, versions, readiness, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import DEMO, sql

from opconf.errors import StoreError
from opconf.store import Holder, Store
from opconf.store.demo import DEMO_FILE
from opconf.store.tables import SCHEMA_VERSION


def test_init_creates_then_is_idempotent(store: Store) -> None:
    assert store.init() == f"Initialised store schema v{SCHEMA_VERSION}"
    assert store.init() == f"Store schema v{SCHEMA_VERSION} is up to date"
    store.check_ready()
    state = store.read_state()
    assert (state.revision, state.objects, state.users) == (0, {}, {})


def test_sqlite_init_creates_the_folder(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/a/b/store.db")
    store.init()
    assert (tmp_path / "a" / "b" / "store.db").is_file()


def test_newer_schema_is_refused(store: Store, store_url: str) -> None:
    store.init()
    sql(store_url, "UPDATE opconf_meta SET schema_version = 3")
    message = f"store schema v3 is newer than this opconf (v{SCHEMA_VERSION})"
    for call in (store.init, store.check_ready, store.read_state):
        with pytest.raises(StoreError) as caught:
            call()
        assert (caught.value.message, caught.value.hint) == (message, "upgrade opconf")


def test_older_schema_needs_init(store: Store, store_url: str) -> None:
    store.init()
    sql(store_url, "UPDATE opconf_meta SET schema_version = 0")
    with pytest.raises(StoreError, match=r"store schema v0 is older than this opconf \(v1\)"):
        store.check_ready()


def test_uninitialised_store_is_refused(store: Store) -> None:
    with pytest.raises(StoreError) as caught:
        store.check_ready()
    assert caught.value.message == f"store at {store.display_url} is not initialised"
    assert caught.value.hint == "run `opconf store init`"


def test_check_ready_does_not_create_a_sqlite_file(tmp_path: Path, holder: Holder) -> None:
    store = Store(f"sqlite:///{tmp_path}/store.db")
    with pytest.raises(StoreError, match="is not initialised"):
        store.check_ready()
    with pytest.raises(StoreError, match="is not initialised"), store.writer(holder):
        pass
    assert not (tmp_path / "store.db").exists()


def test_writer_refuses_an_uninitialised_store(store: Store, holder: Holder) -> None:
    with pytest.raises(StoreError, match="is not initialised"), store.writer(holder):
        pass


def test_ensure_ready_initialises_only_sqlite(store: Store) -> None:
    if store.backend == "sqlite":
        assert store.ensure_ready(auto_init=True) == "Initialised store schema v1"
        assert store.ensure_ready(auto_init=True) is None
    else:
        with pytest.raises(StoreError, match="is not initialised"):
            store.ensure_ready(auto_init=True)
        store.init()
    assert store.ensure_ready(auto_init=False) is None


def test_ensure_ready_without_auto_init_refuses(store: Store) -> None:
    with pytest.raises(StoreError, match="is not initialised"):
        store.ensure_ready(auto_init=False)


def test_demo_seed_is_idempotent(store: Store) -> None:
    first = store.init(demo=True, demo_file=DEMO)
    assert first == (
        "Initialised store schema v1; demo data: 4 users, 3 coverage roles, 2 product types,"
        " 2 products, 1 coverage group, 1 template, 4 opportunities"
    )
    before = store.read_state()
    assert store.init(demo=True, demo_file=DEMO) == (
        "Store schema v1 is up to date; demo data: nothing new"
    )
    assert store.read_state() == before


def test_demo_rows_are_unmanaged_reference_data_and_usage(seeded: Store) -> None:
    state = seeded.read_state()
    assert sorted(state.objects) == [
        ("CoverageGroup", "east"),
        ("OpportunityTemplate", "onboarding"),
        ("Product", "savings"),
        ("Product", "trading"),
    ]
    assert not any(o.managed for o in state.objects.values())
    assert state.users == {"alice": True, "bob": True, "carol": False, "dave": True}
    assert state.roles == {"advisor": False, "lead": True, "analyst": False}
    assert state.product_types == frozenset({"brokerage", "deposit"})
    assert state.objects[("Product", "savings")].data["listPrice"] == "0.1"
    usage = state.usage
    assert usage.template_open == {"onboarding": 3}
    assert usage.template_total == {"onboarding": 4}
    assert usage.stage_open == {("onboarding", "qualify"): 2, ("onboarding", "propose"): 1}
    assert usage.product_open == {"trading": 1, "savings": 1}
    assert usage.product_total == {"trading": 2, "savings": 1}


def test_reference_data_is_sorted(seeded: Store) -> None:
    refs = seeded.reference_data()
    assert [u["login"] for u in refs.users] == ["alice", "bob", "carol", "dave"]
    assert refs.users[2] == {
        "login": "carol",
        "displayName": "Carol C",
        "email": None,
        "active": False,
    }
    assert refs.coverageRoles[1] == {"code": "analyst", "name": "Analyst", "unique": False}
    assert refs.productTypes == [
        {"code": "brokerage", "name": "Brokerage"},
        {"code": "deposit", "name": "Deposit"},
    ]


@pytest.mark.skipif(not DEMO_FILE.is_file(), reason="opconf/store/demo.yaml not written yet")
def test_packaged_demo_data_seeds(store: Store) -> None:
    assert "demo data:" in store.init(demo=True)
    state = store.read_state()
    assert state.objects and state.users and state.usage.template_total
    assert store.init(demo=True).endswith("demo data: nothing new")


def test_in_memory_sqlite_store(holder: Holder) -> None:
    store = Store("sqlite:///:memory:")
    store.init(demo=True, demo_file=DEMO)
    with store.writer(holder) as writer:
        assert ("Product", "savings") in writer.state.objects
    assert store.read_state().users["alice"] is True
    store.close()
