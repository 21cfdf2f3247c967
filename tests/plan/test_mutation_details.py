"""Field-level details of a change (opconf/plan/details.py) that the golden cases leave open:
which elements a new order moves. Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import json

import pytest

try:
    from plan import helpers as h
    from plan.test_plan_text import _moves, _products, _stages
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_plan_text import (  # type: ignore[no-redef]
        _moves,
        _products,
        _stages,
    )


@pytest.mark.parametrize(
    ("after", "moves"),
    [
        pytest.param(
            ("s3", "s2", "s1", "s4"),
            ["→ stages[s3] moved: position 3 → 1", "→ stages[s1] moved: position 1 → 3"],
            id="the-one-in-place-stays",
        ),
        pytest.param(
            ("s5", "s4", "s3", "s1", "s2"),
            [
                "→ stages[s5] moved: position 5 → 1",
                "→ stages[s4] moved: position 4 → 2",
                "→ stages[s3] moved: position 3 → 3",
            ],
            id="fewest-moves-before-places",
        ),
    ],
)
def test_a_new_order_moves_the_fewest_stages(
    env: h.Env, after: tuple[str, ...], moves: list[str]
) -> None:
    """The fewest moves first; of those, the explanation that keeps the most elements at
    their position."""
    env.write(_stages(tuple(sorted(after))))
    env.ok("apply", "--auto-approve")
    env.write(_stages(after))
    assert _moves(env.ok("plan")) == moves


def test_reversed_products_move_all(env: h.Env) -> None:
    """Of equally good explanations, the elements first in the old order move; a1 and a4
    changed places, so a4 moved too (a swap shows both moves); shown on products: a list with
    nothing after it (stages end with won and lost)."""
    env.write(_products(["a1", "a2", "a3", "a4"]))
    env.ok("apply", "--auto-approve")
    env.write(_products(["a4", "a3", "a2", "a1"]))
    assert _moves(env.ok("plan")) == [
        "→ products[a4] moved: position 4 → 1",
        "→ products[a3] moved: position 3 → 2",
        "→ products[a2] moved: position 2 → 3",
        "→ products[a1] moved: position 1 → 4",
    ]


def test_stage_details_without_open_opportunities_have_no_impact(env: h.Env) -> None:
    """A removed, a renamed and a changed stage that hold no open deal: impact 0 each."""
    env.write(_stages(("s1", "s2", "s3")))
    env.ok("apply", "--auto-approve")
    changed = _stages(("s1", "s2"))
    changed[0]["stages"][0].update(key="first", previousKeys=["s1"])  # renamed
    changed[0]["stages"][1]["name"] = "Second"
    env.write(changed)
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert [(d["op"], d["path"], d["old"], d["new"], d["impact"]) for d in change["details"]] == [
        ("remove", "stages[s3]", None, None, 0),
        ("rename", "stages[s1]", "s1", "first", 0),
        ("set", "stages[s2].name", "S2", "Second", 0),
    ]


def test_plan_text_shows_short_values_whole_and_cuts_long_ones(env: h.Env) -> None:
    """Text up to 60 characters is shown whole, longer text cut to 57 and "..."; a step's
    assignee mapping as ``{user: LOGIN}``."""
    sixty = "x" * 60
    pipeline = h.template("pipeline", description=sixty)
    pipeline["stages"][0]["steps"] = [{"key": "kyc", "name": "Kyc", "type": "task"}]
    env.write([pipeline])
    env.ok("apply", "--auto-approve")
    pipeline["description"] = sixty + "y"
    pipeline["stages"][0]["steps"][0]["assignee"] = {"user": "ajones"}
    env.write([pipeline])
    lines = [line.strip() for line in env.ok("plan").splitlines() if line.startswith("      ~ ")]
    assert lines == [
        f'~ description: "{sixty}" → "{"x" * 57}..."',
        '~ steps[kyc].assignee: "owner" → {user: ajones}',
    ]


def test_the_steps_of_a_renamed_stage_do_not_move(env: h.Env) -> None:
    """A step stays in its stage when the stage is renamed: the rename is the only detail."""
    pipeline = h.template("pipeline")
    pipeline["stages"][0]["steps"] = [{"key": "kyc", "name": "Kyc", "type": "task"}]
    env.write([pipeline])
    env.ok("apply", "--auto-approve")
    pipeline["stages"][0].update(key="intake", previousKeys=["qualify"])
    env.write([pipeline])
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert [(d["op"], d["path"], d["old"], d["new"]) for d in change["details"]] == [
        ("rename", "stages[qualify]", "qualify", "intake")
    ]
