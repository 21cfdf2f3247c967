"""Plan text details that the golden cases do not pin down: moves, counts, wording."""

from __future__ import annotations

import json

import pytest

from opconf.plan.model import Base, Change, Plan, PlanError
from opconf.plan.render_markdown import render as render_markdown
from opconf.plan.render_text import change_lines

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def _products(keys: list[str]) -> list[h.Obj]:
    return [h.product(k) for k in ("a1", "a2", "a3", "a4")] + [h.template("seller", products=keys)]


def _stages(keys: tuple[str, ...]) -> list[h.Obj]:
    return [h.template("pipeline", stages=keys)]


def _moves(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if " moved: " in line]


@pytest.mark.parametrize(
    ("before", "after", "moves"),
    [
        pytest.param(
            ["a1", "a2"],
            ["a2", "a1"],
            ["→ products[a2] moved: position 2 → 1", "→ products[a1] moved: position 1 → 2"],
            id="swap",
        ),
        pytest.param(
            ["a1", "a2", "a3"],
            ["a3", "a1", "a2"],
            ["→ products[a3] moved: position 3 → 1"],
            id="last-to-first",
        ),
        pytest.param(["a1", "a2", "a3"], ["a1", "a3"], [], id="removal-is-no-move"),
        pytest.param(["a1", "a2"], ["a4", "a1", "a2"], [], id="insertion-is-no-move"),
    ],
)
def test_product_moves_are_minimal(
    env: h.Env, before: list[str], after: list[str], moves: list[str]
) -> None:
    env.write(_products(before))
    env.ok("apply", "--auto-approve")
    env.write(_products(after))
    assert _moves(env.ok("plan")) == moves


def test_stage_moves_are_minimal(env: h.Env) -> None:
    env.write(_stages(("s1", "s2", "s3", "s4")))
    env.ok("apply", "--auto-approve")
    env.write(_stages(("s4", "s1", "s2", "s3")))
    assert _moves(env.ok("plan")) == ["→ stages[s4] moved: position 4 → 1"]


@pytest.mark.parametrize(
    ("after", "moves"),
    [
        pytest.param(
            ("s2", "s1", "s3"),
            ["→ stages[s2] moved: position 2 → 1", "→ stages[s1] moved: position 1 → 2"],
            id="adjacent",
        ),
        pytest.param(
            ("s1", "s4", "s3", "s2"),
            ["→ stages[s4] moved: position 4 → 2", "→ stages[s2] moved: position 2 → 4"],
            id="apart",
        ),
    ],
)
def test_a_swap_of_two_stages_shows_both_moves(
    env: h.Env, after: tuple[str, ...], moves: list[str]
) -> None:
    env.write(_stages(tuple(sorted(after))))
    env.ok("apply", "--auto-approve")
    env.write(_stages(after))
    assert _moves(env.ok("plan")) == moves


def test_a_move_never_reads_as_no_move(env: h.Env) -> None:
    env.write(_products(["a1", "a2", "a3"]))
    env.ok("apply", "--auto-approve")
    env.write(_products(["a3", "a2", "a4"]))  # a1 removed, a4 added, a2/a3 swapped
    for line in _moves(env.ok("plan")):
        positions = line.split("position ")[1]
        old, new = positions.split(" → ")
        assert old != new, line


def test_safety_messages_agree_in_number(env: h.Env) -> None:
    env.write(
        [h.product("loan"), h.template("lending", stages=("apply", "review"), products=["loan"])]
    )
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url, [{"name": "One", "template": "lending", "stage": "review", "product": "loan"}]
    )
    env.write([h.product("other"), h.template("lending", stages=("apply",))])
    out = env.run("plan").out
    assert "holds 1 open opportunity;" in out
    assert "1 opportunity references it" in out


def test_a_rename_that_adopts_says_so(env: h.Env) -> None:
    """previousKeys naming the CRM's own (unmanaged) object renames it and adopts it."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES ('ui_cd', 'Cd', 'deposit', true)",
    )
    env.write([h.product("cd", previousKeys=["ui_cd"])])
    text = env.ok("plan")
    assert "  → Product cd  (renamed from ui_cd + adopt: becomes managed)\n" in text
    assert "      ~ managed: false → true\n" in text
    markdown = env.ok("plan", "--format", "markdown")
    assert (
        "```diff\n! Product cd  (renamed from ui_cd + adopt: becomes managed)\n"
        "!     managed: false → true\n```\n"
    ) in markdown
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert (change["action"], change["old_key"]) == ("rename", "ui_cd")
    assert change["details"][0] == {
        "op": "set",
        "path": "managed",
        "old": False,
        "new": True,
        "destructive": False,
        "impact": 0,
    }
    env.ok("apply", "--auto-approve")
    assert h.sql(
        env.url,
        f"SELECT key, {h.owned('product', 'Product')} FROM product",
    ) == [("cd", True)]
    assert env.ok("plan").endswith(h.NO_CHANGES + "\n")


def test_a_rename_of_a_managed_object_adopts_nothing(env: h.Env) -> None:
    env.write([h.product("ui_cd", name="Cd")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("cd", previousKeys=["ui_cd"])])
    plan = json.loads(env.ok("plan", "--format", "json"))
    assert [c["details"] for c in plan["changes"]] == [[]]


def test_one_moved_opportunity_moves(env: h.Env) -> None:
    env.write([h.template("lending", stages=("apply", "review"))])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(env.url, [{"name": "One", "template": "lending", "stage": "review"}])
    replaced = h.template("lending", stages=("apply",))
    replaced["stages"][0]["replaces"] = ["review"]
    env.write([replaced])
    assert "    → 1 open opportunity in stage review moves to apply\n" in env.ok("plan")


def _plan(changes: int, errors: int) -> Plan:
    base = Base(0, "sqlite:///s.db", {}, "sha256:0", "0", "2026-01-01T00:00:00Z")
    return Plan(
        changes=tuple(
            Change("create", "Product", f"p{i}", None, {"key": f"p{i}", "name": "P"})
            for i in range(changes)
        ),
        base=base,
        errors=tuple(PlanError("OPC301", f"error {i}") for i in range(errors)),
    )


def test_markdown_counts_agree_in_number() -> None:
    assert "> - … and 1 more error\n" in render_markdown(_plan(1, 21))
    plan = _plan(2, 0)
    whole = render_markdown(plan, budget=10**6)
    last = len(change_lines(plan.changes[-1])[0]) + 1
    cut = render_markdown(plan, budget=len(whole) + 2_000 - last)
    assert "\n1 more change not shown (comment size limit): " in cut


@pytest.mark.parametrize("saved", [True, False], ids=["saved plan", "auto-approve"])
def test_apply_with_allow_destructive_does_not_ask_for_it(env: h.Env, saved: bool) -> None:
    env.write([h.product("old_fee"), h.product("kept")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("kept")])
    if saved:
        env.ok("plan", "--out", "plan.json")
        out = env.ok("apply", "plan.json", "--allow-destructive")
    else:
        out = env.ok("apply", "--auto-approve", "--allow-destructive")
    assert out.split("\n\n")[-3:] == [
        "1 change is destructive: allowed by --allow-destructive.",
        "Plan: 0 to create, 0 to update, 0 to rename, 1 to delete.",
        "Apply complete: 1 deleted (revision 2).\n",
    ]


def test_an_added_stage_and_step_show_their_fields(env: h.Env) -> None:
    env.write(_stages(("qualify",)))
    env.ok("apply", "--auto-approve")
    docs = _stages(("qualify", "processing"))
    docs[0]["stages"][1].update(guidance="Check the file")
    docs[0]["stages"][1]["steps"] = [
        {"key": "kyc", "name": "KYC", "type": "document", "dueDays": 5, "required": True},
        {"key": "chat", "name": "Chat", "type": "call", "assignee": {"role": "underwriter"}},
    ]
    env.write(docs)
    stage = (
        '+ stages[processing] (at position 2) {name: "Processing", probability: 20, '
        'outcome: "open", guidance: "Check the file"}'
    )
    kyc = (
        '+ steps[kyc] (in stage processing) {name: "KYC", type: "document", assignee: "owner", '
        "dueDays: 5, required: true}"
    )
    chat = (
        '+ steps[chat] (in stage processing) {name: "Chat", type: "call", '
        "assignee: {role: underwriter}, required: false}"
    )
    text = env.ok("plan")
    markdown = env.ok("plan", "--format", "markdown")
    for line in (stage, kyc, chat):
        assert f"\n      {line}\n" in text
        assert f"\n{line[0]}     {line[2:]}\n" in markdown  # "+     stages[…"


def test_a_rollback_to_the_current_revision_says_so(env: h.Env) -> None:
    """Not "the store matches the configuration": it compared a snapshot."""
    env.write([h.product("kept")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("kept", name="Other")])  # the configuration differs: not compared
    out = env.ok("rollback", "1", "--auto-approve")
    assert out.endswith("\n\nNo changes. The store matches revision 1 already.\n")
    plan = json.loads(env.ok("rollback", "1", "--format", "json"))
    assert (plan["base"]["rollback"], plan["changes"]) == (1, [])
    assert "rollback" not in json.loads(env.ok("plan", "--format", "json"))["base"]


def test_rollback_with_allow_destructive_does_not_ask_for_it(env: h.Env) -> None:
    env.write([h.product("kept")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("kept"), h.product("added")])
    env.ok("apply", "--auto-approve")
    out = env.ok("rollback", "1", "--auto-approve", "--allow-destructive")
    assert out.split("\n\n")[-3:] == [
        "1 change is destructive: allowed by --allow-destructive.",
        "Plan: 0 to create, 0 to update, 0 to rename, 1 to delete.",
        "Apply complete: 1 deleted (revision 3).\n",
    ]
