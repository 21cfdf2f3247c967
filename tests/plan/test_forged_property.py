"""Property: a saved plan whose ``after`` objects are edited at random and whose digest is
recomputed (with its details kept, or derived again by the forger) is either refused, or what
``show`` and ``apply`` show is what apply writes — and nothing destructive is written without
``--allow-destructive`` (hypothesis, on SQLite; tests/plan/test_forged.py runs the attack on
both backends)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from opconf import exitcodes
from opconf.jsontext import digest
from opconf.plan import derive
from opconf.plan.model import Change, Plan
from opconf.plan.render_text import change_lines
from opconf.store import Store
from opconf.store.model import StoreState, Usage

try:
    from plan import helpers as h
    from plan.test_forged import _config, _detail
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_forged import _config, _detail  # type: ignore[no-redef]

EXAMPLES = int(os.environ.get("OPCONF_PROPERTY_EXAMPLES", "25"))
Obj = dict[str, Any]

# One edit of the saved plan's ``after`` objects: (what, which element, a value).
EDIT = st.tuples(
    st.sampled_from(
        [
            "price",
            "active",
            "name",
            "drop stage",
            "probability",
            "swap stages",
            "drop step",
            "step key",
            "step type",
            "step required",
        ]
    ),
    st.integers(0, 9),
    st.sampled_from(["0.01", "0", "2500", "99999.5"]),
)


def _edit(product: Obj, template: Obj, edit: tuple[str, int, str]) -> None:
    what, i, value = edit
    stages = template["stages"]
    steps = [(s, n) for s in stages for n in range(len(s["steps"]))]
    if what == "price":
        product["listPrice"] = value
    elif what == "active":
        product["active"] = not product["active"]
    elif what == "name":
        (product, template)[i % 2]["name"] = f"Forged {value}"
    elif what == "drop stage" and len(stages) > 1:
        stages.pop(i % len(stages))
    elif what == "probability":
        stages[i % len(stages)]["probability"] = i * 10
    elif what == "swap stages" and len(stages) > 1:
        a, b = i % len(stages), (i + 1) % len(stages)
        stages[a], stages[b] = stages[b], stages[a]
    elif steps:
        stage, n = steps[i % len(steps)]
        step = stage["steps"][n]
        if what == "drop step":
            stage["steps"].pop(n)
        elif what == "step key":
            step["key"] = f"forged_{i}"
        elif what == "step type":
            step["type"] = "call" if step["type"] != "call" else "meeting"
        elif what == "step required":
            step["required"] = not step["required"]


def _forge(path: Path, edits: list[tuple[str, int, str]], rederive: bool) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    product, template = (c["after"] for c in data["changes"])
    for edit in edits:
        _edit(product, template, edit)
    if rederive:  # the forger derives the details opconf would, to pass the check
        plan = Plan.from_dict(data)
        for raw, change in zip(data["changes"], plan.changes, strict=True):
            raw["details"] = [_detail(d) for d in derive.details(change, True, {}, Usage())]
    data.update(Plan.from_dict(data).content())  # summary and flags consistent
    data["digest"] = digest({k: v for k, v in data.items() if k != "digest"})
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _shown(before: StoreState, after: StoreState) -> list[str]:
    """The plan's blocks for what really changed from ``before`` to ``after``, as shown."""
    blocks = []
    for ident, was in sorted(before.objects.items()):
        now = after.objects[ident]
        if now.data != was.data:
            change = Change("update", was.kind, was.key, was.data, now.data)
            change = replace(change, details=derive.details(change, True, {}, before.usage))
            blocks.append("\n".join(f"  {line}" for line in change_lines(change)) + "\n")
    return blocks


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_a_forged_plan_is_refused_or_shows_what_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/store/store.db"
    h.seed(url, h.reference_seed(tmp_path))
    env = h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
    env.write(_config(""))
    env.ok("apply", "--auto-approve")
    env.write(_config(" v2"))
    env.ok("plan", "--out", "plan.json")
    db, plan_file = tmp_path / "store" / "store.db", env.root / "plan.json"
    shutil.copy(db, tmp_path / "store.db.orig")
    shutil.copy(plan_file, tmp_path / "plan.json.orig")
    start = Store(url).read_state()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(EDIT, min_size=1, max_size=4), st.booleans())
    def check(edits: list[tuple[str, int, str]], rederive: bool) -> None:
        shutil.copy(tmp_path / "store.db.orig", db)
        shutil.copy(tmp_path / "plan.json.orig", plan_file)
        _forge(plan_file, edits, rederive)
        shown = env.run("show", "plan.json")
        applied = env.run("apply", "plan.json")
        written = Store(url).read_state()
        if shown.code != exitcodes.OK:
            event("refused")
            assert (applied.code, applied.err) == (shown.code, shown.err)
            assert written.objects == start.objects
            return
        assert applied.out.startswith(shown.out)  # apply shows what show shows
        if applied.code != exitcodes.OK:
            event("refused by apply")
            assert written.objects == start.objects
            return
        event("applied")
        real = _shown(start, written)
        assert all(block in shown.out for block in real)
        assert f"0 to create, {len(real)} to update, 0 to rename" in shown.out
        assert not any("destructive" in block for block in real)

    check()
