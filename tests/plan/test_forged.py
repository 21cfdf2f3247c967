"""A forged saved plan (its ``after`` edited, its digest recomputed) cannot show one thing and
write another (opconf/plan/derive.py): details, destructiveness and impact follow from what
it writes, on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opconf import exitcodes
from opconf.jsontext import digest
from opconf.plan import derive
from opconf.plan.model import Plan

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

EDITED = "hint: a saved plan is applied exactly as it was reviewed: plan again, do not edit it\n"
STAGES = ("qualify", "needs", "proposal", "review", "signing")


def _template(name: str) -> dict[str, Any]:
    doc = h.template("loan", stages=STAGES, name=name, products=["mortgage"])
    for stage in doc["stages"][1:4]:  # needs, proposal, review: 5 steps among them
        stage["steps"] = [
            {"key": f"{stage['key']}_{n}", "name": f"Step {n}", "type": "task"}
            for n in range(1 if stage["key"] == "review" else 2)
        ]
    return doc


def _config(tag: str) -> list[dict[str, Any]]:
    return [h.product("mortgage", name=f"Mortgage{tag}", listPrice=2500), _template(f"Loan{tag}")]


def _saved_name_changes(env: h.Env) -> Path:
    """A reviewed plan of two name changes, saved."""
    env.write(_config(""))
    env.ok("apply", "--auto-approve")
    env.write(_config(" v2"))
    env.ok("plan", "--out", "plan.json")
    return env.root / "plan.json"


def _forge(data: dict[str, Any]) -> None:
    """Price 0.01, product deactivated, three stages (five steps) gone; digest recomputed."""
    product, template = data["changes"]
    product["after"].update(listPrice="0.01", active=False)
    template["after"]["stages"] = [
        s for s in template["after"]["stages"] if s["key"] not in STAGES[1:4]
    ]


def _write(path: Path, data: dict[str, Any]) -> None:
    data["digest"] = digest({k: v for k, v in data.items() if k != "digest"})
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def test_forged_after_with_the_reviewed_details_is_refused(env: h.Env) -> None:
    path = _saved_name_changes(env)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [len(c["details"]) for c in data["changes"]] == [1, 1]  # "2 name changes"
    _forge(data)
    _write(path, data)
    before = (env.dump(), h.revision(env.url))
    message = "error: plan.json:{}: {}: its details do not match what it writes (before → after)\n"
    for argv in (["apply", "plan.json"], ["show", "plan.json"]):
        result = env.run(*argv)
        assert (result.code, result.err) == (
            exitcodes.PROBLEMS,
            message.format("20:18", "Product mortgage") + EDITED,
        ), argv
    assert (env.dump(), h.revision(env.url)) == before


def test_forged_after_with_matching_details_shows_the_deletes_and_needs_the_flag(
    env: h.Env,
) -> None:
    """A forger who derives the details too gets a plan that says what it does."""
    path = _saved_name_changes(env)
    data = json.loads(path.read_text(encoding="utf-8"))
    _forge(data)
    plan = Plan.from_dict(data)
    managed = {c.key: True for c in plan.changes}
    data["changes"] = [
        {**raw, "details": [_detail(d) for d in ds]}
        for raw, ds in zip(
            data["changes"],
            [derive.details(c, managed[c.key], {}, derive.Usage()) for c in plan.changes],
            strict=True,
        )
    ]
    data.update(Plan.from_dict(data).content())
    _write(path, data)
    shown = env.ok("show", "plan.json").split("\n\n")
    assert shown[1:3] == [
        "  ~ Product mortgage\n"
        '      ~ name: "Mortgage" → "Mortgage v2"\n'
        "      ~ active: true → false\n"
        "      ~ listPrice: 2500 → 0.01\n"
        "  ~ OpportunityTemplate loan  (destructive)\n"
        '      ~ name: "Loan" → "Loan v2"\n'
        + "".join(f"      - stages[{s}]  [destructive]\n" for s in STAGES[1:4])
        + "".join(
            f"      - steps[{s}]  [destructive]\n"
            for s in ("needs_0", "needs_1", "proposal_0", "proposal_1")
        )
        + "      - steps[review_0]  [destructive]",
        "1 change is destructive: apply needs --allow-destructive.",
    ]
    before = (env.dump(), h.revision(env.url))
    result = env.run("apply", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert result.err == (
        "error: the plan deletes data (OpportunityTemplate loan)\n"
        "hint: review it, then apply with --allow-destructive\n"
    )
    assert (env.dump(), h.revision(env.url)) == before


def _detail(d: Any) -> dict[str, Any]:
    return {f: getattr(d, f) for f in ("op", "path", "old", "new", "destructive", "impact")}


def _template_change(data: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = data["changes"][1]
    return change


FORGED: dict[str, tuple[Any, str]] = {
    "before not the store's row": (
        lambda data: _template_change(data)["before"]["stages"].pop(1),
        "plan.json:54:5: OpportunityTemplate loan: update: its object before is not the row "
        "the plan's base records",
    ),
    "a stage move to a stage it does not have": (
        lambda data: _template_change(data)["stage_moves"].update(needs="nowhere"),
        "plan.json:54:5: OpportunityTemplate loan: stage_moves names a stage it does not have "
        "(needs → nowhere)",
    ),
    "an adopt of a managed row": (
        lambda data: _template_change(data).update(action="adopt"),
        "plan.json:54:5: OpportunityTemplate loan: adopt of an object opconf manages already",
    ),
}


@pytest.mark.parametrize("name", list(FORGED))
def test_a_forged_change_is_refused_whatever_it_shows(env: h.Env, name: str) -> None:
    edit, message = FORGED[name]
    path = _saved_name_changes(env)
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    data.update(Plan.from_dict(data).content())
    _write(path, data)
    before = (env.dump(), h.revision(env.url))
    for argv in (["apply", "plan.json", "--allow-destructive"], ["show", "plan.json"]):
        result = env.run(*argv)
        assert (result.code, result.err) == (exitcodes.PROBLEMS, f"error: {message}\n" + EDITED)
    assert (env.dump(), h.revision(env.url)) == before
