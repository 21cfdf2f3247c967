"""Migrations between store schema versions, on both backends."""

from __future__ import annotations

import pytest
from store_helpers import sql

from opconf.errors import StoreError
from opconf.store import Holder, Store


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
    assert store.init() == "Upgraded store schema v1 to v2"
    [entry] = store.history()
    assert (entry.actor, entry.override_windows, entry.override_reason) == ("alice", None, None)
    with store.writer(Holder(actor="bob", host="h", pid=2)) as writer:
        writer.record("bob", "h", None, "sha256:y", {}, "{}", override=(["Q4 close"], "hotfix"))
    rows = sql(store_url, "SELECT actor, override_windows, override_reason FROM opconf_history")
    assert sorted(rows) == [("alice", None, None), ("bob", "Q4 close", "hotfix")]
