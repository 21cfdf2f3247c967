"""init, versions, readiness, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import DEMO, sql

from opconf import exitcodes
from opconf.cli import main
from opconf.errors import OpconfError, StoreError
from opconf.store import Holder, Store, schema
from opconf.store.demo import DEMO_FILE
from opconf.store.schema import FIRST_VERSION, MIGRATIONS
from opconf.store.tables import SCHEMA_VERSION

try:
    from tests.plan import helpers as h
except ImportError:  # tests/ on sys.path
    from plan import helpers as h  # type: ignore[no-redef]

CREATED = (
    f"Initialised store schema v{SCHEMA_VERSION}; created coverage_group, coverage_member,"
    " crm_coverage_role, crm_product_type, crm_user, opconf_history, opconf_meta, opconf_owned,"
    " opportunity, opportunity_template, product, stage_step, template_product, template_stage"
)


def test_init_creates_then_is_idempotent(store: Store) -> None:
    assert store.init() == CREATED
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
    newer = SCHEMA_VERSION + 1
    sql(store_url, f"UPDATE opconf_meta SET schema_version = {newer}")
    message = f"store schema v{newer} is newer than this opconf (v{SCHEMA_VERSION})"
    for call in (store.init, store.check_ready, store.read_state):
        with pytest.raises(StoreError) as caught:
            call()
        assert (caught.value.message, caught.value.hint) == (message, "upgrade opconf")


def test_older_schema_needs_init(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if this opconf wrote the next version: a store of this version is refused until
    init runs the migration."""
    store.init()
    migrated: list[int] = []
    now, then = SCHEMA_VERSION, SCHEMA_VERSION + 1
    monkeypatch.setattr(schema, "SCHEMA_VERSION", then)
    monkeypatch.setitem(schema.MIGRATIONS, now, lambda conn: migrated.append(now))
    with pytest.raises(StoreError) as caught:
        store.check_ready()
    assert caught.value.message == f"store schema v{now} is older than this opconf (v{then})"
    assert caught.value.hint == "run `opconf store init` to upgrade it"
    assert store.init() == f"Upgraded store schema v{now} to v{then}"
    assert migrated == [now]
    store.check_ready()
    assert sql(store_url, "SELECT schema_version FROM opconf_meta") == [(then,)]


def test_uninitialised_store_is_refused(store: Store) -> None:
    with pytest.raises(StoreError) as caught:
        store.check_ready()
    error, hint = h.not_ready(store.display_url).splitlines()
    assert (f"error: {caught.value.message}", f"hint: {caught.value.hint}") == (error, hint)


def test_check_ready_does_not_create_a_sqlite_file(tmp_path: Path, holder: Holder) -> None:
    store = Store(f"sqlite:///{tmp_path}/store.db")
    with pytest.raises(StoreError, match=h.NOT_READY):
        store.check_ready()
    with pytest.raises(StoreError, match=h.NOT_READY), store.writer(holder):
        pass
    assert not (tmp_path / "store.db").exists()


def test_writer_refuses_an_uninitialised_store(store: Store, holder: Holder) -> None:
    with pytest.raises(StoreError, match=h.NOT_READY), store.writer(holder):
        pass


def test_ensure_ready_initialises_only_sqlite(store: Store) -> None:
    if store.backend == "sqlite":
        assert store.ensure_ready(auto_init=True) == CREATED
        assert store.ensure_ready(auto_init=True) is None
    else:
        with pytest.raises(StoreError, match=h.NOT_READY):
            store.ensure_ready(auto_init=True)
        store.init()
    assert store.ensure_ready(auto_init=False) is None


def test_ensure_ready_without_auto_init_refuses(store: Store) -> None:
    with pytest.raises(StoreError, match=h.NOT_READY):
        store.ensure_ready(auto_init=False)


def test_demo_seed_is_idempotent(store: Store) -> None:
    first = store.init(demo=True, demo_file=DEMO)
    assert first == (
        f"{CREATED}; demo data: 4 users, 3 coverage roles,"
        " 2 product types, 2 products, 1 coverage group, 1 template, 4 opportunities"
    )
    before = store.read_state()
    assert store.init(demo=True, demo_file=DEMO) == (
        f"Store schema v{SCHEMA_VERSION} is up to date; demo data: nothing new"
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


# --- bookkeeping changed outside opconf: one line each, never a crash -------------------------

DAMAGED = "opconf_meta was changed outside opconf: restore it from a backup (docs/store.md)"


def _damage(url: str, *statements: str) -> None:
    for statement in statements:
        sql(url, statement)


def _refused_everywhere(store: Store, message: str, hint: str = DAMAGED) -> None:
    for call in (store.init, store.check_ready, store.read_state, store.history):
        with pytest.raises(StoreError) as caught:
            call()
        assert (caught.value.message, caught.value.hint) == (message, hint), call


@pytest.mark.parametrize("version", [0, -3])
def test_a_version_opconf_never_wrote(store: Store, store_url: str, version: int) -> None:
    store.init()
    _damage(store_url, f"UPDATE opconf_meta SET schema_version = {version}")
    _refused_everywhere(
        store, f"store schema v{version} is not a version opconf knows (v1 is the first)"
    )


def test_no_meta_row(store: Store, store_url: str, holder: Holder) -> None:
    store.init()
    with store.writer(holder) as writer:
        writer.record(
            actor="a", host="h", git_commit=None, plan_digest="d", summary={}, snapshot="{}"
        )
    _damage(store_url, "DELETE FROM opconf_meta")
    # Initialising again would restart the revisions at 0 under a history that has revision 1.
    _refused_everywhere(store, f"store at {store.display_url} has no row in opconf_meta")


@pytest.mark.parametrize(("column", "value"), [("schema_version", "'abc'"), ("revision", "'x1'")])
def test_a_value_that_is_not_an_integer(
    store: Store, store_url: str, column: str, value: str
) -> None:
    store.init()
    if store.backend == "postgresql":  # its INTEGER column cannot hold it: make it TEXT
        _damage(store_url, f"ALTER TABLE opconf_meta ALTER COLUMN {column} TYPE TEXT")
    _damage(store_url, f"UPDATE opconf_meta SET {column} = {value}")
    shown = value.strip("'")
    _refused_everywhere(
        store, f"store at {store.display_url} has {column} '{shown}' in opconf_meta, not an integer"
    )


def test_a_meta_table_that_is_not_opconfs(store: Store, store_url: str) -> None:
    store.init()
    _damage(store_url, "DROP TABLE opconf_meta", "CREATE TABLE opconf_meta (id INTEGER)")
    for call in (store.init, store.check_ready):
        with pytest.raises(StoreError) as caught:
            call()
        assert "\n" not in caught.value.message
        assert caught.value.message.endswith("opconf_meta.schema_version does not exist") or (
            caught.value.message.endswith("no such column: opconf_meta.schema_version")
        )


def test_a_dropped_table_is_named_and_init_recreates_it(store: Store, store_url: str) -> None:
    store.init()
    _damage(store_url, "DROP TABLE opconf_history")
    message = f"store at {store.display_url} lacks the tables opconf_history"
    for call in (store.check_ready, store.history):
        with pytest.raises(StoreError) as caught:
            call()
        assert (caught.value.message, caught.value.hint) == (
            message,
            "run `opconf store init` to create them",
        )
    assert store.init() == (
        f"Store schema v{SCHEMA_VERSION} is up to date; created the missing tables opconf_history"
    )
    assert store.history() == []


def test_every_version_before_this_one_has_a_migration() -> None:
    assert sorted(MIGRATIONS) == list(range(FIRST_VERSION, SCHEMA_VERSION))


def test_store_init_on_version_0_is_one_line(
    store: Store, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store.init()
    _damage(store_url, "UPDATE opconf_meta SET schema_version = 0")
    capsys.readouterr()
    assert main(["store", "init", "--store", store_url]) == exitcodes.STORE
    assert capsys.readouterr() == (
        "",
        "error: store schema v0 is not a version opconf knows (v1 is the first)\n"
        f"hint: {DAMAGED}\n",
    )


@pytest.mark.parametrize("revision", [0, -1, 2**31, 99999999999999999999, -(2**70)])
def test_snapshot_of_any_integer(store: Store, holder: Holder, revision: int) -> None:
    store.init()
    with store.writer(holder) as writer:
        writer.record(
            actor="a", host="h", git_commit=None, plan_digest="d", summary={}, snapshot="{}"
        )
    assert store.snapshot(revision) is None
    assert store.snapshot(1) == {}


def test_demo_data_is_read_like_every_opconf_yaml_file(store: Store, tmp_path: Path) -> None:
    """YAML 1.2 with JSON semantics, not PyYAML's YAML 1.1: ``yes`` is a name, not true."""
    demo = tmp_path / "demo.yaml"
    demo.write_text(
        "users:\n  - {login: yes, displayName: 0x10, email: 2024-01-01, active: true}\n"
        "coverageRoles:\n  - {code: on, name: No, unique: false}\n",
        encoding="utf-8",
    )
    store.init(demo=True, demo_file=demo)
    refs = store.reference_data()
    assert refs.users == [
        {"login": "yes", "displayName": "0x10", "email": "2024-01-01", "active": True}
    ]
    assert refs.coverageRoles == [{"code": "on", "name": "No", "unique": False}]


def test_demo_data_with_a_duplicate_key_is_a_located_error(store: Store, tmp_path: Path) -> None:
    demo = tmp_path / "demo.yaml"
    demo.write_text("users: []\nusers: []\n", encoding="utf-8")
    with pytest.raises(OpconfError) as caught:
        store.init(demo=True, demo_file=demo)
    assert caught.value.message.startswith(f"{demo}:2:1: ")
    assert "duplicate" in caught.value.message
    assert caught.value.hint == "the demo data file must be valid opconf YAML"
    with pytest.raises(StoreError, match=h.NOT_READY):  # nothing was written
        store.check_ready()
