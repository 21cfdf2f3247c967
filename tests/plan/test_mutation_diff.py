"""Plans, change by change, where the golden cases leave a field unchecked. Found by mutation
testing of opconf/plan/diff.py (docs/mutation.md)."""

from __future__ import annotations

import json
from pathlib import Path

from opconf.plan.desired import from_index
from opconf.plan.details import ADOPTED
from opconf.workflow import validate_config

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def test_a_replaces_left_from_an_earlier_apply_moves_nothing(env: h.Env) -> None:
    """``replaces: [review]`` stays in the file after review is gone: a later change to the
    template moves no opportunities from it."""
    env.write([h.template("lending", stages=("apply", "review"))])
    env.ok("apply", "--auto-approve")
    replaced = h.template("lending", stages=("apply",))
    replaced["stages"][0]["replaces"] = ["review"]
    env.write([replaced])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    env.write([{**replaced, "name": "Lending, renamed"}])
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert (change["action"], change["stage_moves"]) == ("update", {})
    assert [d["path"] for d in change["details"]] == ["name"]


def test_renaming_a_crm_object_says_it_adopts_it_first(env: h.Env) -> None:
    """The adoption comes before the object's own field changes."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES ('ui_cd', 'Cd', 'deposit', true)",
    )
    env.write([h.product("cd", previousKeys=["ui_cd"], name="Certificate")])
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert (change["action"], change["old_key"]) == ("rename", "ui_cd")
    assert [(d["path"], d["old"], d["new"]) for d in change["details"]] == [
        (ADOPTED, False, True),
        ("name", "Cd", "Certificate"),
    ]


def test_the_desired_objects_are_taken_out_of_the_validated_index(tmp_path: Path) -> None:
    """A plan holds each document once: ``from_index`` empties the index as it goes, so a
    large configuration is never in memory twice."""
    result = validate_config(h.write_config(tmp_path / "config", h.small_config()))
    desired = from_index(result.index)
    assert [(d.kind, d.key) for d in desired] == [
        ("Product", "checking"),
        ("CoverageGroup", "branch_team"),
        ("OpportunityTemplate", "account_opening"),
    ]
    assert (dict(result.index.by_kind), dict(result.index.by_key)) == ({}, {})
