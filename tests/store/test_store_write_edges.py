"""Writer edge cases: CRM rows at any positions, unmanaged rows, errors that name the object,
batches and deletes larger than one query's list of ids."""

from __future__ import annotations

import base64
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from store_helpers import HOLDER, create, data, product, sql, stage, stage_ids, template
from store_helpers import update as update_obj

from opconf.errors import StoreError
from opconf.store import Store
from opconf.store.packing import pack
from opconf.store.sync import CHUNK
from opconf.store.write import Update

Obj = dict[str, Any]


def _onboarding(store: Store) -> Obj:
    return data(store, "OpportunityTemplate", "onboarding")


@pytest.mark.parametrize(("scale", "shift"), [(1, -10), (1, -2), (3, -4), (2, 7)])
def test_crm_positions_below_zero_or_with_gaps_are_rewritten(
    seeded: Store, store_url: str, scale: int, shift: int
) -> None:
    """The CRM orders a template's products, stages and steps by any integers; updating the
    template (reordered) rewrites them without tripping UNIQUE(…, position)."""
    for table in ("template_product", "template_stage", "stage_step"):
        sql(store_url, f"UPDATE {table} SET position = position - 1000")  # out of the way
        new = "(position + 1000) * :scale + :shift"
        sql(store_url, f"UPDATE {table} SET position = {new}", scale=scale, shift=shift)
    before = _onboarding(seeded)
    qualify, propose, won, lost = before["stages"]
    kyc, intro = qualify["steps"]
    after = {
        **before,
        "products": before["products"][::-1],
        "stages": [propose, {**qualify, "steps": [intro, kyc]}, lost, won],
    }
    update_obj(seeded, "OpportunityTemplate", after)
    assert _onboarding(seeded) == after


def test_updating_a_crm_row_leaves_it_unmanaged(seeded: Store) -> None:
    """Without ``adopt`` an update writes the CRM's row but does not take it over."""
    before = seeded.read_state().objects[("CoverageGroup", "east")]
    assert not before.managed
    update_obj(seeded, "CoverageGroup", {**before.data, "name": "East Coast"})
    after = seeded.read_state().objects[("CoverageGroup", "east")]
    assert (after.managed, after.data["name"]) == (False, "East Coast")


def test_a_batch_removes_the_dropped_products_of_every_template(seeded_empty: Store) -> None:
    with seeded_empty.writer(HOLDER) as w:
        w.create_many("Product", [product("p1"), product("p2"), product("p3")])
        w.create_many("OpportunityTemplate", [template(k, products=["p1", "p2"]) for k in "ab"])
    wanted = [template("a", products=["p2"]), template("b", products=["p3", "p1"])]
    with seeded_empty.writer(HOLDER) as w:
        objects = w.state.objects
        updates = [Update(objects[("OpportunityTemplate", o["key"])].id, o) for o in wanted]
        w.update_many("OpportunityTemplate", updates)
    assert [data(seeded_empty, "OpportunityTemplate", k)["products"] for k in "ab"] == [
        ["p2"],
        ["p3", "p1"],
    ]


def test_a_rename_of_a_stage_the_template_does_not_hold_is_ignored(
    seeded: Store, store_url: str
) -> None:
    """Renames are old key → new key of the template's stages; one whose old key the
    template does not hold changes nothing."""
    before = _onboarding(seeded)
    ids = stage_ids(store_url, "onboarding")
    update_obj(seeded, "OpportunityTemplate", before, stage_renames={"gone": "qualify"})
    assert _onboarding(seeded) == before
    assert stage_ids(store_url, "onboarding") == ids


@pytest.mark.parametrize(
    ("keep", "moves", "message"),
    [
        (["propose", "lost"], {"qualify": "won"}, "stage 'won' replacing 'qualify'"),
        (["propose", "won", "lost"], {"qualify": "nowhere"}, "stage 'nowhere' replacing 'qualify'"),
    ],
    ids=["replacing-stage-also-removed", "replacing-stage-absent"],
)
def test_moving_opportunities_to_a_stage_the_template_will_not_hold_is_refused(
    seeded: Store, keep: list[str], moves: dict[str, str], message: str
) -> None:
    state = seeded.read_state()
    before = state.objects[("OpportunityTemplate", "onboarding")].data
    after = {**before, "stages": [s for s in before["stages"] if s["key"] in keep]}
    with pytest.raises(StoreError) as caught:
        update_obj(seeded, "OpportunityTemplate", after, stage_moves=moves)
    assert caught.value.message == f"{message} is not in the template"
    assert seeded.read_state() == state


def test_removing_a_stage_with_one_open_opportunity_says_how_to_move_it(seeded: Store) -> None:
    state = seeded.read_state()
    before = state.objects[("OpportunityTemplate", "onboarding")].data
    qualify, _, won, lost = before["stages"]
    with pytest.raises(StoreError) as caught:
        update_obj(seeded, "OpportunityTemplate", {**before, "stages": [qualify, won, lost]})
    assert caught.value.message == "stage 'propose' still holds 1 open opportunity"
    assert caught.value.hint == "name a surviving stage that `replaces` it"
    assert seeded.read_state() == state


def test_deleting_an_object_twice_in_one_transaction_names_it(seeded_empty: Store) -> None:
    row = create(seeded_empty, "Product", product("spare"))
    with pytest.raises(StoreError) as caught, seeded_empty.writer(HOLDER) as w:
        w.delete("Product", row)
        w.delete("Product", row)
    assert caught.value.message == f"Product with id {row} is not in the store"
    assert ("Product", "spare") in seeded_empty.read_state().objects


def test_deleting_a_missing_row_names_it_not_a_row_of_the_kind(seeded_empty: Store) -> None:
    """The id named is the one the kind's table lacks, whatever ids other tables hold."""
    row = create(seeded_empty, "OpportunityTemplate", template("only", [stage("won", 100)]))
    with pytest.raises(StoreError) as caught, seeded_empty.writer(HOLDER) as w:
        w.delete_many("OpportunityTemplate", [row, row + 1])
    assert caught.value.message == f"OpportunityTemplate with id {row + 1} is not in the store"
    assert ("OpportunityTemplate", "only") in seeded_empty.read_state().objects


def test_deleting_more_objects_than_one_query_lists_deletes_them_all(
    seeded_empty: Store,
) -> None:
    """Ids go to the database in lists of CHUNK (SQLite's limit on parameters); every list
    counts towards the check that all were deleted."""
    with seeded_empty.writer(HOLDER) as w:
        ids = w.create_many("Product", [product(f"p{i}") for i in range(CHUNK + 1)])
    with seeded_empty.writer(HOLDER) as w:
        w.delete_many("Product", ids)
    assert seeded_empty.read_state().objects == {}


def test_one_batch_adopts_releases_and_keeps_rows_as_they_are(seeded_empty: Store) -> None:
    with seeded_empty.writer(HOLDER) as w:
        w.create_many("Product", [product("kept_crm"), product("adopted")], managed=False)
        w.create_many("Product", [product("kept_ours"), product("released")])
    managed = {"kept_crm": None, "adopted": True, "kept_ours": None, "released": False}
    with seeded_empty.writer(HOLDER) as w:
        rows = {key: w.state.objects[("Product", key)].id for key in managed}
        updates = [Update(rows[k], product(k, name="New"), managed=m) for k, m in managed.items()]
        w.update_many("Product", updates)
    objects = seeded_empty.read_state().objects
    assert {
        k: (objects[("Product", k)].managed, objects[("Product", k)].data["name"]) for k in managed
    } == {
        "kept_crm": (False, "New"),
        "adopted": (True, "New"),
        "kept_ours": (True, "New"),
        "released": (False, "New"),
    }


def test_history_holds_compact_sorted_utf8_json(seeded_empty: Store, store_url: str) -> None:
    """The same summary and snapshot are always the same text in opconf_history (the CRM's
    tools read the table too): keys sorted, no spaces, non-ASCII as itself; the snapshot
    packed over that text (zlib, base64)."""
    snapshot = {"Product": [product("cafe", name="Café")], "CoverageGroup": []}
    with seeded_empty.writer(HOLDER) as w:
        w.record("a", "h", None, "sha256:1", {"update": 1, "create": 2}, pack(snapshot))
    (summary, text), *_ = sql(store_url, "SELECT summary, snapshot FROM opconf_history")
    assert summary == '{"create":2,"update":1}'
    unpacked = zlib.decompress(base64.b64decode(text.removeprefix("zlib:"))).decode("utf-8")
    assert unpacked.startswith('{"CoverageGroup":[],"Product":[{"active":true,"code":null,')
    assert '"name":"Café"' in unpacked


def test_history_names_every_freeze_window_overridden(seeded_empty: Store) -> None:
    with seeded_empty.writer(HOLDER) as w:
        w.record("a", "h", None, "d", {}, "{}", override=(["Q4 close", "audit"], "hotfix"))
    (entry,) = seeded_empty.history()
    assert (entry.override_windows, entry.override_reason) == ("Q4 close, audit", "hotfix")


@pytest.fixture
def toronto_time() -> Iterator[None]:
    """The process runs in America/Toronto (UTC-5 or -4) meanwhile."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/Toronto")
        time.tzset()
        yield
    time.tzset()


@pytest.mark.usefixtures("toronto_time")
def test_history_times_are_utc_whatever_the_machine_time_zone(seeded_empty: Store) -> None:
    with seeded_empty.writer(HOLDER) as w:
        w.record("a", "h", None, "d", {}, "{}")
    (entry,) = seeded_empty.history()
    assert abs(entry.applied_at - datetime.now(UTC)) < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"products": ["zeta", "savings", "alpha"]}, "product 'alpha' is not in the store"),
        ({"defaultCoverageGroup": "west"}, "coverage group 'west' is not in the store"),
    ],
    ids=["product", "coverage-group"],
)
def test_a_template_naming_a_missing_object_is_an_error(
    seeded: Store, fields: Obj, message: str
) -> None:
    """The first missing key in order is named, with what it is."""
    state = seeded.read_state()
    with pytest.raises(StoreError) as caught, seeded.writer(HOLDER) as w:
        w.create("OpportunityTemplate", template("pilot", **fields))
    assert caught.value.message == message
    assert seeded.read_state() == state


def test_a_kind_the_store_does_not_hold_is_a_programming_error(seeded_empty: Store) -> None:
    with (
        pytest.raises(ValueError, match=r"^unknown kind 'Widget'$"),
        seeded_empty.writer(HOLDER) as w,
    ):
        w.delete("Widget", 1)
