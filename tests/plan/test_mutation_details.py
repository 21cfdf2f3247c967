"""Field-level details of a change (opconf/plan/details.py) that the golden cases leave open:
which elements a new order moves. Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import pytest

try:
    from plan import helpers as h
    from plan.test_plan_text import _moves, _stages
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_plan_text import _moves, _stages  # type: ignore[no-redef]


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
        pytest.param(
            ("s4", "s3", "s2", "s1"),
            [
                "→ stages[s3] moved: position 3 → 2",
                "→ stages[s2] moved: position 2 → 3",
                "→ stages[s1] moved: position 1 → 4",
            ],
            id="reversed-the-last-stays",
        ),
    ],
)
def test_a_new_order_moves_the_fewest_stages(
    env: h.Env, after: tuple[str, ...], moves: list[str]
) -> None:
    """The fewest moves first; of those, the explanation that keeps the most elements at
    their position; of those, the elements that come first in the old order move (as in a
    swap of two)."""
    env.write(_stages(tuple(sorted(after))))
    env.ok("apply", "--auto-approve")
    env.write(_stages(after))
    assert _moves(env.ok("plan")) == moves
