"""``--select``: partial plans and applies (Terraform's ``-target``), on both backends."""

from __future__ import annotations

import json

from opconf import exitcodes
from tests.plan import helpers as h


def _changes(env: h.Env, *args: str) -> list[tuple[str, str, str]]:
    out = json.loads(env.ok("plan", "--format", "json", *args))
    return [(c["action"], c["kind"], c["key"]) for c in out["changes"]]


def test_a_partial_plan_holds_only_the_selected_changes(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("savings"), h.product("gold_card")])
    plan = env.run("plan", "--select", "Product/*", "--select", "branch_team")
    assert plan.code == exitcodes.OK, plan.err
    assert (
        "Partial plan (--select Product/* --select branch_team): objects outside the "
        "selection were not compared." in plan.out
    )
    assert "OpportunityTemplate" not in plan.out
    assert plan.out.endswith("Plan: 4 to create, 0 to update, 0 to rename, 0 to delete.\n")
    doc = json.loads(env.ok("plan", "--format", "json", "--select", "Product/g*"))
    assert doc["base"]["select"] == ["Product/g*"]
    assert [c["key"] for c in doc["changes"]] == ["gold_card"]
    assert "select" not in json.loads(env.ok("plan", "--format", "json"))["base"]


def test_a_template_needs_what_only_a_left_out_change_creates(env: h.Env) -> None:
    env.write(h.small_config())
    plan = env.run("plan", "--select", "OpportunityTemplate/*")
    assert plan.code == exitcodes.PROBLEMS
    errors = [line.strip() for line in plan.out.splitlines() if "OPC308" in line]
    assert errors == [
        "config/templates/account_opening.yaml:1:1: OPC308 template 'account_opening' uses "
        "Product 'checking', which this plan creates but --select leaves out: add --select "
        "Product/checking",
        "config/templates/account_opening.yaml:1:1: OPC308 template 'account_opening' uses "
        "CoverageGroup 'branch_team', which this plan creates but --select leaves out: add "
        "--select CoverageGroup/branch_team",
    ]
    assert env.run("apply", "--auto-approve", "--select", "OpportunityTemplate/*").code == 1
    assert env.state() == {}  # nothing written
    both = ("--select", "account_opening", "--select", "Product/checking")
    assert env.run("plan", *both, "--select", "CoverageGroup/*").code == exitcodes.OK


def test_apply_select_writes_the_subset_and_the_rest_stays_pending(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("savings")])
    env.ok("apply", "--auto-approve", "--select", "Product/savings")
    assert set(env.state()) == {("Product", "savings")}
    assert _changes(env) == [
        ("create", "Product", "checking"),
        ("create", "CoverageGroup", "branch_team"),
        ("create", "OpportunityTemplate", "account_opening"),
    ]
    env.ok("apply", "--auto-approve")
    # An update and a rename selected by the key the object had: the other update waits.
    config = [*h.small_config(" v2"), h.product("high_yield", previousKeys=["savings"])]
    env.write(config)
    assert _changes(env, "--select", "savings") == [("rename", "Product", "high_yield")]
    env.ok("apply", "--auto-approve", "--select", "savings")
    assert _changes(env) == [
        ("update", "Product", "checking"),
        ("update", "CoverageGroup", "branch_team"),
        ("update", "OpportunityTemplate", "account_opening"),
    ]


def test_a_selected_delete_of_what_a_left_out_change_stops_using_is_refused(
    env: h.Env,
) -> None:
    env.write([*h.small_config(), h.product("savings")])
    env.ok("apply", "--auto-approve")
    config = h.small_config()
    config[2]["products"] = ["savings"]
    env.write([c for c in config if c["key"] != "checking"] + [h.product("savings")])
    plan = env.run("plan", "--select", "Product/checking")
    assert plan.code == exitcodes.PROBLEMS
    assert "OPC304 cannot delete Product 'checking': template 'account_opening' still uses it" in (
        plan.out
    )
    assert env.run("plan", "--select", "Product/checking", "--select", "account_opening").code == 0


def test_a_saved_partial_plan_applies_as_planned(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("savings")])
    env.ok("plan", "--select", "Product/*", "--out", "p.json")
    shown = env.ok("show", "p.json")
    assert "Partial plan (--select Product/*)" in shown
    refused = env.run("apply", "p.json", "--select", "Product/*")
    assert refused.code == exitcodes.USAGE
    assert "PLANFILE is already planned" in refused.err
    env.ok("apply", "p.json", "--auto-approve")
    assert set(env.state()) == {("Product", "checking"), ("Product", "savings")}


def test_select_mistakes_are_usage_errors(env: h.Env) -> None:
    env.write(h.small_config())
    cases = {
        "product/*": "--select 'product/*': no kind is called 'product'\nhint: did you mean "
        "'Product'?",
        "Product/": "--select 'Product/': expected Kind/key-glob or a key glob",
        "Product/nothing*": "--select 'Product/nothing*' matches no object of the configuration"
        " or the store",
    }
    for pattern, message in cases.items():
        run = env.run("plan", "--select", pattern)
        assert run.code == exitcodes.USAGE, pattern
        assert run.err.startswith(f"error: {message}"), run.err


def test_markdown_says_the_plan_is_partial(env: h.Env) -> None:
    env.write(h.small_config())
    out = env.ok("plan", "--format", "markdown", "--select", "Product/*")
    assert "> [!NOTE]\n> **Partial plan** (`--select Product/*`): objects outside" in out


def test_history_says_an_apply_was_partial(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("savings")])
    env.ok("apply", "--auto-approve", "--select", "Product/s*", "--select", "checking")
    env.ok("apply", "--auto-approve")
    lines = env.ok("history").splitlines()
    partial = "2 created (partial: --select Product/s* --select checking)"
    assert lines[1].endswith("  2 created")  # newest first
    assert lines[2].endswith(partial)
    assert f"Revision 1: {partial}" in env.ok("history", "show", "1")


def test_live_reference_checks_are_those_of_the_selected_objects(env: h.Env) -> None:
    config = h.small_config()
    config[1]["members"] = [{"user": "nobody", "role": "advisor"}]
    env.write(config)
    whole = env.run("plan")
    assert whole.code == exitcodes.PROBLEMS
    assert "OPC250 unknown user 'nobody'" in whole.out
    partial = env.run("plan", "--select", "Product/*")
    assert (partial.code, "OPC250" in partial.out) == (exitcodes.OK, False)
    assert env.run("plan", "--select", "branch_team").code == exitcodes.PROBLEMS
