"""Plans as values (opconf/plan/model.py, build_plan in opconf/plan/__init__.py): what a saved
plan keeps, what its base remembers, what its counts say. Found by mutation testing
(docs/mutation.md)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from opconf import __version__

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def _crm_product(env: h.Env, key: str) -> None:
    """A product made in the CRM's UI (unmanaged)."""
    h.sql(
        env.url,
        f"INSERT INTO product (key, name, type, active) VALUES ('{key}', 'Crm', 'deposit', true)",
    )


def _lending(stages: list[h.Obj]) -> h.Obj:
    doc = h.template("lending", products=["savings"])
    doc["stages"] = [*stages, *doc["stages"][1:]]  # then won and lost
    return doc


@pytest.mark.parametrize("args", [(), ("--prune",)], ids=["unmanaged-listed", "prune"])
def test_a_saved_plan_shows_and_applies_as_it_was_planned(
    env: h.Env, args: tuple[str, ...]
) -> None:
    """Everything a plan holds survives the plan file: a stage renamed, a stage replaced with
    its open opportunities, warnings, objects left unchanged, the CRM's objects left alone or
    pruned. ``show`` renders it as ``plan`` did, and ``apply`` takes it."""
    apply_ = {"key": "apply", "name": "Apply", "probability": 10}
    review = {"key": "review", "name": "Review", "probability": 20}
    env.write([h.product("savings"), _lending([apply_, review])])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(env.url, [{"name": "Deal", "template": "lending", "stage": "review"}])
    _crm_product(env, "crm_cd")
    # "intake" was "apply"; "decide" replaces "review"; 30 then 5 is a warning (OPC228)
    intake = {**apply_, "key": "intake", "previousKeys": ["apply"], "probability": 30}
    decide = {"key": "decide", "name": "Decide", "probability": 5, "replaces": ["review"]}
    env.write([h.product("savings"), _lending([intake, decide])])

    shown = env.ok("plan", "--out", "plan.json", *args)
    saved = json.loads((env.root / "plan.json").read_text(encoding="utf-8"))
    changes = [(c["action"], c["key"]) for c in saved["changes"]]
    crm = [("delete", "crm_cd")] if args else []
    assert changes == [("update", "lending"), *crm]
    lending = saved["changes"][0]
    assert (lending["impact"], lending["stage_renames"], lending["stage_moves"]) == (
        1,
        {"apply": "intake"},
        {"review": "decide"},
    )
    assert [w["code"] for w in saved["warnings"]] == ["OPC228"]
    assert saved["unmanaged"] == ([] if args else [{"kind": "Product", "key": "crm_cd"}])
    assert (saved["prune"], saved["unchanged"]) == (bool(args), 1)

    saved_line = "Saved the plan to plan.json; apply exactly it with `opconf apply plan.json`."
    assert shown == env.ok("show", "plan.json") + f"\n{saved_line}\n"
    env.ok("apply", "plan.json", "--allow-destructive")
    assert h.opportunity_lines(env.url) == ["Deal: lending/decide (open)"]


def test_a_plan_error_points_into_a_folder_whose_name_holds_a_colon(env: h.Env) -> None:
    """Safety errors are located ``file:line:column``; the file's own name may hold ``:``."""
    project = h.project_file(env.root, "opconf.yaml", "team:a")
    env.write([h.group("family", visibility="public")], folder="team:a")
    env.ok("apply", "--auto-approve", project=project)
    env.write([h.group("family", visibility="private")], folder="team:a")
    plan = json.loads(env.run("plan", "--format", "json", project=project).out)
    [error] = plan["errors"]
    assert (error["code"], error["file"], error["line"], error["column"]) == (
        "OPC303",
        "team:a/groups/family.yaml",
        1,
        1,
    )


def test_a_plan_records_when_it_was_made_in_utc(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``base.created_at`` is UTC time (``…Z``) on a machine whose clock is set elsewhere."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+05:30
    time.tzset()
    try:
        env.write([h.product("savings")])
        base = json.loads(env.ok("plan", "--format", "json"))["base"]
    finally:
        monkeypatch.undo()
        time.tzset()
    made = datetime.strptime(base["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - made).total_seconds()) < 60
    assert (base["revision"], base["tool_version"]) == (0, __version__)


def test_a_rollback_past_an_adopt_counts_what_it_leaves_alone(env: h.Env) -> None:
    """The product given back to the CRM (a release) is not one of the objects that already
    match: the rollback leaves one object unchanged, savings."""
    _crm_product(env, "crm_cd")
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("savings"), h.product("crm_cd")])
    env.ok("apply", "--auto-approve")
    env.ok("rollback", "1", "--out", "rollback.json")
    plan = json.loads((env.root / "rollback.json").read_text(encoding="utf-8"))
    assert [(c["action"], c["key"]) for c in plan["changes"]] == [("release", "crm_cd")]
    assert plan["unchanged"] == 1
