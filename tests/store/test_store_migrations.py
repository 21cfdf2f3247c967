"""Migrations between store schema versions, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from store_helpers import group, product, sql, template

from opconf.errors import StoreError
from opconf.jsontext import dumps
from opconf.store import Holder, Store
from opconf.store.packing import pack
from opconf.store.tables import SCHEMA_VERSION
from opconf.store.url import driver_url

SNAPSHOT = {"Product": [{"key": "bonds", "name": "Bonds ✓"}], "ids": {"Product": {"bonds": 1}}}


def _as_version_1(url: str) -> None:
    """The v1 layout: opconf_history without the freeze override columns."""
    for column in ("override_windows", "override_reason"):
        sql(url, f"ALTER TABLE opconf_history DROP COLUMN {column}")
    sql(url, "UPDATE opconf_meta SET schema_version = 1")


def test_v1_to_v2_adds_the_freeze_override_columns(store: Store, store_url: str) -> None:
    store.init()
    with store.writer(Holder(actor="alice", host="h", pid=1)) as writer:
        writer.record("alice", "h", None, "sha256:x", {"create": 1}, "{}")
    _as_version_1(store_url)
    with pytest.raises(StoreError, match="store schema v1 is older than this opconf"):
        store.check_ready()
    assert store.init() == f"Upgraded store schema v1 to v{SCHEMA_VERSION}"
    [entry] = store.history()
    assert (entry.actor, entry.override_windows, entry.override_reason) == ("alice", None, None)
    with store.writer(Holder(actor="bob", host="h", pid=2)) as writer:
        writer.record("bob", "h", None, "sha256:y", {}, "{}", override=(["Q4 close"], "hotfix"))
    rows = sql(store_url, "SELECT actor, override_windows, override_reason FROM opconf_history")
    assert sorted(rows) == [("alice", None, None), ("bob", "Q4 close", "hotfix")]


def test_v2_to_v3_keeps_plain_snapshots_readable_beside_packed_ones(
    store: Store, store_url: str
) -> None:
    store.init()
    with store.writer(Holder(actor="alice", host="h", pid=1)) as writer:
        writer.record("alice", "h", None, "sha256:x", {"create": 1}, dumps(SNAPSHOT))  # as v2 did
    sql(store_url, "UPDATE opconf_meta SET schema_version = 2")
    with pytest.raises(StoreError, match="store schema v2 is older than this opconf"):
        store.check_ready()
    assert store.init() == f"Upgraded store schema v2 to v{SCHEMA_VERSION}"
    with store.writer(Holder(actor="bob", host="h", pid=2)) as writer:
        writer.record("bob", "h", None, "sha256:y", {"update": 1}, pack(SNAPSHOT))
    [(plain,), (packed,)] = sql(store_url, "SELECT snapshot FROM opconf_history ORDER BY revision")
    assert plain.startswith("{") and packed.startswith("zlib:")
    assert store.snapshot(1) == store.snapshot(2) == SNAPSHOT


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("zlib:not base64!", "(its packed data is not base64)"),
        ("zlib:aGVsbG8=", "(its packed data does not decompress)"),
        ("zlib:eJwDAAAAAAE=", "(not JSON: Expecting value: line 1 column 1 (char 0))"),
        ("{not json", "(not JSON: Expecting property name enclosed in double quotes"),
        ("[1, 2]", "(not a JSON object)"),
    ],
)
def test_a_damaged_snapshot_is_one_clear_error(
    store: Store, store_url: str, text: str, why: str
) -> None:
    store.init()
    with store.writer(Holder(actor="alice", host="h", pid=1)) as writer:
        writer.record("alice", "h", None, "sha256:x", {"create": 1}, text)
    with pytest.raises(StoreError, match="the snapshot of revision 1 is damaged") as caught:
        store.snapshot(1)
    assert why in str(caught.value)
    hint = "opconf_history was changed outside opconf: restore it from a backup"
    assert caught.value.hint == hint


def test_v3_to_v4_indexes_the_references_to_products_and_groups(
    store: Store, store_url: str
) -> None:
    """Deleting a product or a group checks every row that may reference it: without these
    indexes each delete scanned template_product or opportunity_template."""
    store.init()
    indexed = {
        "template_product": "ix_template_product_product_id",
        "opportunity_template": "ix_opportunity_template_default_coverage_group_id",
    }
    for name in indexed.values():
        sql(store_url, f"DROP INDEX {name}")
    sql(store_url, "UPDATE opconf_meta SET schema_version = 3")
    assert store.init() == f"Upgraded store schema v3 to v{SCHEMA_VERSION}"
    engine = create_engine(driver_url(store_url))
    try:
        found = {
            table: {i["name"] for i in inspect(engine).get_indexes(table)} for table in indexed
        }
    finally:
        engine.dispose()
    assert all(name in found[table] for table, name in indexed.items()), found


def _as_version_4(url: str) -> None:
    """The v4 layout: ``managed`` columns in the configuration tables, no opconf_owned."""
    kinds = {"product": "Product", "coverage_group": "CoverageGroup"}
    kinds["opportunity_template"] = "OpportunityTemplate"
    for table, kind in kinds.items():
        sql(url, f"ALTER TABLE {table} ADD COLUMN managed BOOLEAN NOT NULL DEFAULT FALSE")
        owned = f"SELECT row_id FROM opconf_owned WHERE kind = '{kind}'"
        sql(url, f"UPDATE {table} SET managed = TRUE WHERE id IN ({owned})")
    sql(url, "DROP TABLE opconf_owned")
    sql(url, "UPDATE opconf_meta SET schema_version = 4")


def test_v4_to_v5_moves_the_managed_flags_into_opconf_owned(
    seeded_empty: Store, store_url: str
) -> None:
    store = seeded_empty
    with store.writer(Holder(actor="alice", host="h", pid=1)) as writer:
        writer.create("Product", product("ours"))
        writer.create("Product", product("crm"), managed=False)
        writer.create("CoverageGroup", group("team"))
        writer.create("OpportunityTemplate", template("seller"), managed=False)
    before = store.read_state().objects
    _as_version_4(store_url)
    with pytest.raises(StoreError, match="store schema v4 is older than this opconf"):
        store.check_ready()
    assert store.init() == f"Upgraded store schema v4 to v{SCHEMA_VERSION}"
    assert store.read_state().objects == before
    assert sorted(sql(store_url, "SELECT kind FROM opconf_owned")) == [
        ("CoverageGroup",),
        ("Product",),
    ]
    engine = create_engine(driver_url(store_url))
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("product")}
    finally:
        engine.dispose()
    assert "managed" not in columns
    with store.writer(Holder(actor="bob", host="h", pid=2)) as writer:  # inserts work again
        writer.create("Product", product("after"))
    assert store.read_state().objects[("Product", "after")].managed


def test_a_view_on_managed_is_named_before_the_v5_upgrade(
    seeded_empty: Store, store_url: str
) -> None:
    store = seeded_empty
    _as_version_4(store_url)
    sql(store_url, "CREATE VIEW owned_products AS SELECT key FROM product WHERE managed")
    problem = (
        "view owned_products reads product.managed, which v5 drops",
        "DROP VIEW owned_products; then `opconf store init`, and create it again reading"
        " ownership from opconf_owned",
    )
    assert problem in store.check()
    with pytest.raises(StoreError) as caught:
        store.init()
    assert str(caught.value).endswith(
        "cannot be upgraded: view owned_products reads product.managed, which v5 drops;"
        " nothing was changed"
    )
    assert caught.value.hint == problem[1]
    assert sql(store_url, "SELECT schema_version FROM opconf_meta") == [(4,)]
    sql(store_url, "DROP VIEW owned_products")
    assert store.init() == f"Upgraded store schema v4 to v{SCHEMA_VERSION}"
