"""Writer: create, update (renames, reorders, moves), delete, record; all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from store_helpers import HOLDER, create, data, group, product, sql, stage, stage_ids, template
from store_helpers import update as update_obj

from opconf.errors import StoreError
from opconf.store import Store
from opconf.store.packing import pack


def _onboarding(seeded: Store) -> dict[str, Any]:
    return data(seeded, "OpportunityTemplate", "onboarding")


def test_create_then_read_is_canonical(seeded: Store) -> None:
    obj = product("bonds", listPrice="10.50", code="B-1", unitOfMeasure="unit")
    row_id = create(seeded, "Product", obj)
    stored = seeded.read_state().objects[("Product", "bonds")]
    assert (stored.id, stored.managed, stored.data) == (row_id, True, obj)
    assert stored.data["listPrice"] == "10.5"


def test_rename_keeps_the_row_id(seeded: Store, store_url: str) -> None:
    before = seeded.read_state().objects[("OpportunityTemplate", "onboarding")]
    stages = stage_ids(store_url, "onboarding")
    renamed = {**before.data, "key": "welcome", "name": "Welcome"}
    update_obj(seeded, "OpportunityTemplate", renamed, key="onboarding", adopt=True)
    after = seeded.read_state().objects
    assert ("OpportunityTemplate", "onboarding") not in after
    assert after[("OpportunityTemplate", "welcome")].id == before.id
    assert after[("OpportunityTemplate", "welcome")].managed
    assert after[("OpportunityTemplate", "welcome")].data == renamed
    assert stage_ids(store_url, "welcome") == stages
    assert seeded.read_state().usage.template_open == {"welcome": 3}


def test_stage_reorder_keeps_ids(seeded: Store, store_url: str) -> None:
    before = _onboarding(seeded)
    ids = stage_ids(store_url, "onboarding")
    qualify, propose, won, lost = before["stages"]
    reordered = {**before, "stages": [propose, qualify, lost, won]}
    update_obj(seeded, "OpportunityTemplate", reordered)
    assert _onboarding(seeded) == reordered
    assert stage_ids(store_url, "onboarding") == ids


def test_stage_rename_in_place_and_swap(seeded: Store, store_url: str) -> None:
    before = _onboarding(seeded)
    ids = stage_ids(store_url, "onboarding")
    qualify, propose, won, lost = before["stages"]
    swapped = {
        **before,
        "stages": [{**qualify, "key": "propose"}, {**propose, "key": "qualify"}, won, lost],
    }
    renames = {"qualify": "propose", "propose": "qualify"}
    update_obj(seeded, "OpportunityTemplate", swapped, stage_renames=renames)
    assert _onboarding(seeded) == swapped
    after = stage_ids(store_url, "onboarding")
    assert (after["propose"], after["qualify"]) == (ids["qualify"], ids["propose"])
    usage = seeded.read_state().usage.stage_open
    assert usage == {("onboarding", "propose"): 2, ("onboarding", "qualify"): 1}


def test_removed_stage_moves_open_opportunities(seeded: Store, store_url: str) -> None:
    before = _onboarding(seeded)
    qualify, propose, won, lost = before["stages"]
    ids = stage_ids(store_url, "onboarding")
    merged = {
        **before,
        "stages": [{**propose, "steps": qualify["steps"] + propose["steps"]}, won, lost],
    }
    update_obj(seeded, "OpportunityTemplate", merged, stage_moves={"qualify": "propose"})
    assert _onboarding(seeded) == merged
    assert seeded.read_state().usage.stage_open == {("onboarding", "propose"): 3}
    rows = sql(store_url, "SELECT name, stage_id FROM opportunity ORDER BY name")
    assert rows == [
        ("O1", ids["propose"]),
        ("O2", ids["propose"]),
        ("O3", ids["propose"]),
        ("O4", ids["won"]),
    ]


def test_moving_to_a_new_stage(seeded: Store) -> None:
    before = _onboarding(seeded)
    _, propose, won, lost = before["stages"]
    new = template("x", [stage("discover", 5)])["stages"][0]
    after = {**before, "stages": [new, propose, won, lost]}
    update_obj(seeded, "OpportunityTemplate", after, stage_moves={"qualify": "discover"})
    usage = seeded.read_state().usage.stage_open
    assert usage == {("onboarding", "discover"): 2, ("onboarding", "propose"): 1}


def test_removing_a_stage_with_open_opportunities_is_refused(seeded: Store) -> None:
    before = seeded.read_state()
    data_before = before.objects[("OpportunityTemplate", "onboarding")].data
    without = {**data_before, "stages": data_before["stages"][1:]}
    with pytest.raises(StoreError) as caught:
        update_obj(seeded, "OpportunityTemplate", without)
    assert caught.value.message == "stage 'qualify' still holds 2 open opportunities"
    assert seeded.read_state() == before


def test_removing_a_stage_with_closed_opportunities_detaches_them(
    seeded: Store, store_url: str
) -> None:
    before = _onboarding(seeded)
    qualify, propose, won, lost = before["stages"]
    after = {**before, "stages": [qualify, propose, {**won, "key": "closed_won"}, lost]}
    update_obj(seeded, "OpportunityTemplate", after)
    assert _onboarding(seeded) == after
    rows = sql(store_url, "SELECT status, stage_id FROM opportunity WHERE name = 'O4'")
    assert rows == [("won", None)]


def test_steps_move_between_stages_and_reorder(seeded: Store) -> None:
    before = _onboarding(seeded)
    qualify, propose, won, lost = before["stages"]
    kyc, intro = qualify["steps"]
    (pitch,) = propose["steps"]
    after = {
        **before,
        "stages": [
            {**qualify, "steps": [pitch, {**intro, "assignee": "owner"}]},
            {**propose, "steps": [{**kyc, "dueDays": None}]},
            won,
            lost,
        ],
    }
    update_obj(seeded, "OpportunityTemplate", after)
    assert _onboarding(seeded) == after


def test_template_products_and_group(seeded: Store) -> None:
    create(seeded, "Product", product("bonds"))
    create(seeded, "CoverageGroup", group("west"))
    before = _onboarding(seeded)
    after = {**before, "products": ["bonds", "trading"], "defaultCoverageGroup": "west"}
    update_obj(seeded, "OpportunityTemplate", after)
    assert _onboarding(seeded) == after
    reordered = {**after, "products": ["savings", "trading", "bonds"], "defaultCoverageGroup": None}
    update_obj(seeded, "OpportunityTemplate", reordered)
    assert _onboarding(seeded) == reordered


def test_group_members_sync_by_user(seeded: Store) -> None:
    before = data(seeded, "CoverageGroup", "east")
    assert before["members"] == [
        {"user": "alice", "role": "advisor"},
        {"user": "bob", "role": "lead"},
    ]
    members = [{"user": "dave", "role": "lead"}, {"user": "alice", "role": "analyst"}]
    after = group("east", name="East", visibility="private", members=members)
    update_obj(seeded, "CoverageGroup", after, adopt=True)
    assert data(seeded, "CoverageGroup", "east") == after


def test_delete_cascades_to_children(seeded: Store, store_url: str) -> None:
    row = create(seeded, "OpportunityTemplate", template("spare"))
    with seeded.writer(HOLDER) as writer:
        writer.delete("OpportunityTemplate", row)
    assert ("OpportunityTemplate", "spare") not in seeded.read_state().objects
    assert sql(store_url, "SELECT count(*) FROM template_stage WHERE template_id = :t", t=row) == [
        (0,)
    ]


def test_deleting_a_product_in_use_fails_and_rolls_back(seeded: Store) -> None:
    before = seeded.read_state()
    with pytest.raises(StoreError) as caught, seeded.writer(HOLDER) as writer:
        writer.create("Product", product("first"))
        writer.delete("Product", before.objects[("Product", "trading")].id)
    assert caught.value.message.startswith(f"writing the store failed on {seeded.display_url}: ")
    assert caught.value.hint == "nothing was written: the transaction was rolled back"
    assert "\n" not in caught.value.message
    assert seeded.read_state() == before


def test_constraint_failure_rolls_back_everything(seeded: Store) -> None:
    before = seeded.read_state()
    with pytest.raises(StoreError) as caught, seeded.writer(HOLDER) as writer:
        writer.create("Product", product("one", code="DUP"))
        writer.create("Product", product("two", code="DUP"))
    reason = {
        "sqlite": "UNIQUE constraint failed: product.code",
        "postgresql": 'duplicate key value violates unique constraint "uq_product_code"'
        " (Key (code)=(DUP) already exists.)",
    }[seeded.backend]
    assert caught.value.message == f"writing the store failed on {seeded.display_url}: {reason}"
    assert seeded.read_state() == before


def test_an_exception_rolls_back_and_propagates(seeded: Store) -> None:
    before = seeded.read_state()
    with pytest.raises(RuntimeError, match="boom"), seeded.writer(HOLDER) as writer:
        writer.create("Product", product("lost"))
        writer.record("t", "h", None, "d", {}, "{}")
        raise RuntimeError("boom")
    assert seeded.read_state() == before
    assert seeded.history() == []


def test_record_history_and_snapshot(seeded: Store) -> None:
    snapshot = {"Product": [product("bonds")], "CoverageGroup": [], "OpportunityTemplate": []}
    with seeded.writer(HOLDER) as writer:
        writer.create("Product", product("bonds"))
        assert (
            writer.record("alice", "h1", "abc123", "sha256:1", {"create": 1}, pack(snapshot)) == 1
        )
    with seeded.writer(HOLDER) as writer:
        assert writer.state.revision == 1
        assert writer.record("bob", "h2", None, "sha256:2", {"update": 2}, "{}") == 2
    history = seeded.history()
    assert [(e.revision, e.actor, e.host, e.git_commit) for e in history] == [
        (1, "alice", "h1", "abc123"),
        (2, "bob", "h2", None),
    ]
    assert history[0].summary == {"create": 1} and history[0].plan_digest == "sha256:1"
    assert history[0].applied_at.tzinfo is not None
    assert history[0].applied_at <= history[1].applied_at
    assert seeded.snapshot(1) == snapshot
    assert seeded.snapshot(3) is None
    assert seeded.read_state().revision == 2
