"""Plan text details that the golden cases do not pin down: moves, counts, wording."""

from __future__ import annotations

import pytest

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
            ["a1", "a2"], ["a2", "a1"], ["→ products[a1] moved: position 1 → 2"], id="swap"
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
