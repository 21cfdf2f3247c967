"""The catalogue's view model, checked without HTML: lists, details, cross links, plan marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opconf.canonical import canonical
from opconf.catalogue import build
from opconf.catalogue.labels import Labels, from_snapshot
from opconf.plan.details import object_details
from opconf.plan.diff import Desired
from opconf.plan.model import Base, Change, Plan
from opconf.store.model import Usage

Obj = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
BASE = Base(0, "sqlite:///store.db", {}, "sha256:x", "0", "2026-01-01T00:00:00Z")


def stage(key: str, probability: int, outcome: str = "open", steps: tuple[str, ...] = ()) -> Obj:
    return {
        "key": key,
        "name": key.title(),
        "probability": probability,
        "outcome": outcome,
        "steps": [{"key": s, "name": s.title(), "type": "task"} for s in steps],
    }


def template(key: str, stages: list[Obj], **fields: Any) -> Obj:
    doc = {"key": key, "name": key.title(), "category": "product", "entityType": "contact"}
    return canonical("OpportunityTemplate", doc | {"stages": stages} | fields)


def pipeline(*open_stages: Obj) -> list[Obj]:
    return [*open_stages, stage("won", 100, "won"), stage("lost", 0, "lost")]


def desired(kind: str, data: Obj, source: str = "") -> Desired:
    return Desired(kind, data["key"], data, source=source)


def change(action: str, before: Obj | None, after: Obj | None, **extra: Any) -> Change:
    kind = extra.pop("kind", "OpportunityTemplate")
    details = ()
    if before is not None and after is not None:
        renames = extra.get("stage_renames", {})
        details = tuple(object_details(kind, before, after, renames, Usage()))
    key = (after or before or {})["key"]
    return Change(action, kind, key, before, after, details=details, **extra)  # type: ignore[arg-type]


def plan_of(*changes: Change) -> Plan:
    return Plan(tuple(changes), BASE)


def sample() -> list[Desired]:
    group = canonical(
        "CoverageGroup",
        {"key": "east", "name": "East", "members": [{"user": "zed", "role": "advisor"}]},
    )
    products = [
        canonical("Product", {"key": "checking", "name": "checking", "type": "deposit"}),
        canonical(
            "Product",
            {"key": "bond", "name": "Bond", "type": "fund", "listPrice": 12.5, "active": False},
        ),
    ]
    t = template(
        "opening",
        pipeline(stage("qualify", 10, steps=("kyc", "call")), stage("propose", 50)),
        products=["checking"],
        defaultCoverageGroup="east",
    )
    return [
        desired("Product", products[0], "config/p.yaml:1:1"),
        desired("Product", products[1]),
        desired("CoverageGroup", group),
        desired("OpportunityTemplate", t, "config/t.yaml:3:1"),
    ]


def test_lists_are_sorted_by_name_ignoring_case_with_a_line_of_facts() -> None:
    catalogue = build(sample())
    assert [t.name for t in catalogue.tabs] == ["template", "group", "product"]
    products = catalogue.tabs[2].entries
    assert [(e.name, e.meta, e.inactive) for e in products] == [
        ("Bond", "fund · 12.5", True),
        ("checking", "deposit", False),
    ]
    (opening,) = catalogue.tabs[0].entries
    assert (opening.anchor, opening.meta, opening.mark) == (
        "template/opening",
        "4 stages · 2 steps",
        None,
    )
    assert catalogue.tabs[1].entries[0].meta == "1 member · public"


def test_details_keep_stage_and_step_order_and_link_both_ways() -> None:
    catalogue = build(sample())
    opening = catalogue.details["template"]["opening"]
    assert [s["key"] for s in opening["stages"]] == ["qualify", "propose", "won", "lost"]
    assert [s["key"] for s in opening["stages"][0]["steps"]] == ["kyc", "call"]
    assert opening["stages"][0]["steps"][0] == {
        "key": "kyc",
        "name": "Kyc",
        "type": "task",
        "assignee": "owner",
    }
    assert (opening["group"], opening["products"], opening["source"]) == (
        "east",
        [{"key": "checking"}],
        "config/t.yaml:3:1",
    )
    assert catalogue.details["group"]["east"]["templates"] == ["opening"]
    assert catalogue.details["product"]["checking"]["templates"] == ["opening"]
    assert "templates" not in catalogue.details["product"]["bond"]
    assert "plan" not in opening and catalogue.plan is None


def test_assignees_are_shown_as_words() -> None:
    steps = [
        {"key": "a", "name": "A", "type": "task", "assignee": {"role": "underwriter"}},
        {"key": "b", "name": "B", "type": "call", "assignee": {"user": "jdoe"}},
    ]
    t = template("t", pipeline({"key": "s", "name": "S", "probability": 5, "steps": steps}))
    shown = build([desired("OpportunityTemplate", t)]).details["template"]["t"]["stages"][0]
    assert [s["assignee"] for s in shown["steps"]] == ["role: underwriter", "user: jdoe"]


def test_a_plan_marks_added_moved_and_changed_stages() -> None:
    before = template("t", pipeline(stage("a", 10), stage("b", 20), stage("c", 30)))
    after = template(
        "t", pipeline(stage("c", 35), stage("a", 10), stage("new", 15), stage("b", 20))
    )
    catalogue = build(
        [desired("OpportunityTemplate", after)], plan_of(change("update", before, after))
    )
    stages = catalogue.details["template"]["t"]["stages"]
    marks = {s["key"]: {k: s[k] for k in ("mark", "moved", "was") if k in s} for s in stages}
    assert [s["key"] for s in stages] == ["c", "a", "new", "b", "won", "lost"]
    assert marks == {
        "c": {"moved": [3, 1], "was": {"probability": 30}},
        "a": {},
        "new": {"mark": "added"},
        "b": {},
        "won": {},
        "lost": {},
    }
    assert catalogue.details["template"]["t"]["plan"] == {"mark": "changed"}
    assert catalogue.tabs[0].entries[0].mark == "changed"
    assert catalogue.plan is not None
    assert catalogue.plan.summary == "Plan: 0 to create, 1 to update, 0 to rename, 0 to delete."


def test_a_removed_stage_is_drawn_where_it_was_with_its_steps_and_open_count() -> None:
    before = template(
        "t", pipeline(stage("a", 10), stage("b", 20, steps=("x", "y")), stage("c", 30))
    )
    after = template("t", pipeline(stage("a", 10, steps=("y",)), stage("c", 30)))
    ch = change("update", before, after)
    usage = Usage(stage_open={("t", "b"): 3})
    ch = Change(
        "update",
        ch.kind,
        "t",
        before,
        after,
        details=tuple(object_details(ch.kind, before, after, {}, usage)),
    )
    stages = build([desired("OpportunityTemplate", after)], plan_of(ch)).details["template"]["t"][
        "stages"
    ]
    assert [(s["key"], s.get("mark")) for s in stages][:3] == [
        ("a", None),
        ("b", "removed"),
        ("c", None),
    ]
    # Step y moved to stage a; only x goes away with b.
    assert [st["key"] for st in stages[1]["steps"]] == ["x"]
    assert stages[1]["impact"] == 3
    assert stages[0]["steps"] == [
        {"key": "y", "name": "Y", "type": "task", "assignee": "owner", "moved": ["b", "a"]}
    ]


def test_removed_steps_and_products_stay_in_place_marked() -> None:
    before = template("t", pipeline(stage("a", 10, steps=("x", "y", "z"))), products=["p", "q"])
    after = template("t", pipeline(stage("a", 10, steps=("x", "z"))), products=["q", "r"])
    shown = build([desired("OpportunityTemplate", after)], plan_of(change("update", before, after)))
    t = shown.details["template"]["t"]
    assert [(s["key"], s.get("mark")) for s in t["stages"][0]["steps"]] == [
        ("x", None),
        ("y", "removed"),
        ("z", None),
    ]
    assert t["products"] == [
        {"key": "p", "mark": "removed"},
        {"key": "q"},
        {"key": "r", "mark": "added"},
    ]


def test_a_renamed_stage_and_object_keep_their_old_keys_and_old_links() -> None:
    before = template("old", pipeline(stage("a", 10)))
    after = template("new", pipeline(stage("b", 10)))
    ch = change("rename", before, after, old_key="old", stage_renames={"a": "b"})
    catalogue = build([desired("OpportunityTemplate", after)], plan_of(ch))
    t = catalogue.details["template"]["new"]
    assert t["stages"][0]["wasKey"] == "a"
    assert t["plan"] == {"mark": "renamed", "oldKey": "old", "was": {"name": "Old"}}
    assert catalogue.aliases == {"template/old": "template/new"}


def test_members_added_removed_and_changed() -> None:
    before = canonical(
        "CoverageGroup",
        {
            "key": "g",
            "name": "G",
            "members": [{"user": "a", "role": "x"}, {"user": "b", "role": "x"}],
        },
    )
    after = canonical(
        "CoverageGroup",
        {
            "key": "g",
            "name": "G",
            "members": [{"user": "b", "role": "y"}, {"user": "c", "role": "x"}],
        },
    )
    ch = change("update", before, after, kind="CoverageGroup")
    members = build([desired("CoverageGroup", after)], plan_of(ch)).details["group"]["g"]["members"]
    assert members == [
        {"user": "a", "role": "x", "mark": "removed"},
        {"user": "b", "role": "y", "was": {"role": "x"}},
        {"user": "c", "role": "x", "mark": "added"},
    ]


def test_created_and_deleted_objects_are_listed_with_their_mark() -> None:
    new = canonical("Product", {"key": "new", "name": "New", "type": "deposit"})
    gone = canonical("Product", {"key": "gone", "name": "Gone", "type": "deposit"})
    plan = plan_of(
        change("create", None, new, kind="Product"), change("delete", gone, None, kind="Product")
    )
    catalogue = build([desired("Product", new)], plan)
    assert [(e.key, e.mark) for e in catalogue.tabs[2].entries] == [
        ("gone", "deleted"),
        ("new", "new"),
    ]
    assert catalogue.details["product"]["gone"]["plan"] == {"mark": "deleted", "destructive": True}
    assert catalogue.plan is not None
    assert catalogue.plan.notes == ("1 change is destructive: apply needs --allow-destructive.",)


def test_the_model_is_the_same_whatever_the_input_order() -> None:
    objects = sample()
    assert build(objects) == build(list(reversed(objects)))


def test_reference_names_come_from_the_snapshot(tmp_path: Path) -> None:
    labels = from_snapshot(ROOT / "opconf.refs.yaml")
    assert (labels.users["ajones"], labels.roles["lead_advisor"]) == ("Alice Jones", "Lead Advisor")
    assert labels.product_types["home_equity"] == "Home Equity Line of Credit"
    page = build(sample(), labels=Labels(users={"zed": "Zed Zimmer"})).data["labels"]
    assert page == {"users": {"zed": "Zed Zimmer"}, "roles": {}, "productTypes": {}}


def test_a_missing_or_unsound_snapshot_gives_no_names(tmp_path: Path) -> None:
    assert from_snapshot(tmp_path / "opconf.refs.yaml") == Labels()
    broken = tmp_path / "opconf.refs.yaml"
    broken.write_text("users:\n  - {login: ajones, displayName: Alice, active: 'yes'}\n")
    assert from_snapshot(broken) == Labels()
