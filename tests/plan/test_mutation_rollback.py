"""Rollback plans, change by change: what the apply-time tests of tests/plan/test_rollback.py
do not look at. Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import json
from pathlib import Path

from opconf import exitcodes

try:
    from plan import helpers as h
    from plan.test_rollback import (
        C,
        _apply_a_b,
        _replace_review,
        drop_from_snapshot,
        expected_state,
        last_line,
    )
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_rollback import (  # type: ignore[no-redef]
        C,
        _apply_a_b,
        _replace_review,
        drop_from_snapshot,
        expected_state,
        last_line,
    )


def test_the_release_of_a_row_renamed_while_adopted(env: h.Env) -> None:
    """Rollback past "rename the CRM's product" gives the row back under its old key: the
    change names the key it leaves, the row's data before, its details and its open deals."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES ('ui_cd', 'Cd', 'deposit', true)",
    )
    env.write([h.product("savings"), h.template("seller", products=["savings"])])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url, [{"name": "Deal", "template": "seller", "stage": "qualify", "product": "ui_cd"}]
    )
    env.write(
        [
            h.product("savings"),
            h.template("seller", products=["savings"]),
            h.product("cd", previousKeys=["ui_cd"], name="Certificate"),
        ]
    )
    env.ok("apply", "--auto-approve")
    env.ok("rollback", "1", "--out", "rollback.json")
    plan = json.loads((env.root / "rollback.json").read_text())
    [change] = plan["changes"]
    product = {"description": None, "type": "deposit", "active": True, "listPrice": None}
    product |= {"code": None, "unitOfMeasure": None}
    assert change == {
        "action": "release",
        "kind": "Product",
        "key": "ui_cd",
        "old_key": "cd",
        "destructive": False,
        "impact": 1,
        "details": [
            {
                "op": "set",
                "path": "name",
                "old": "Certificate",
                "new": "Cd",
                "destructive": False,
                "impact": 0,
            }
        ],
        "stage_renames": {},
        "stage_moves": {},
        "reverts": {},
        "before": {"key": "cd", "name": "Certificate", **product},
        "after": {"key": "ui_cd", "name": "Cd", **product},
    }


CRM_TEMPLATE = """\
templates:
  - key: crm_seller
    name: CRM seller
    description: Made in the CRM.
    category: product
    entityType: contact
    active: true
    defaultCoverageGroup: branch_crew
    products: [heloc]
    stages:
      - {key: offer, name: Offer, probability: 50, outcome: open, guidance: null, steps: []}
      - {key: won, name: Won, probability: 100, outcome: won, guidance: null, steps: []}
      - {key: lost, name: Lost, probability: 0, outcome: lost, guidance: null, steps: []}
"""


def test_rollback_keeps_the_new_holder_of_an_old_key_that_a_crm_template_sells(
    env: h.Env, tmp_path: Path
) -> None:
    """Rename heloc to heloc_v2, then a new heloc that the CRM's own template sells: rolling
    back past the rename would delete the new row, which the template (not in any plan)
    still sells under that row, not under the original it is renamed back to."""
    _apply_a_b(env)
    env.write(C)
    env.ok("apply", "--auto-approve")
    seed = tmp_path / "crm.yaml"
    seed.write_text(CRM_TEMPLATE, encoding="utf-8")
    h.seed(env.url, seed)
    before = env.dump()
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert (rolled.code, rolled.err) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: cannot delete Product 'heloc': template 'crm_seller' "
        "still uses it\nhint: fix them and plan again\n",
    )
    assert env.dump() == before


def test_the_release_of_a_group_shows_its_members_change(env: h.Env, tmp_path: Path) -> None:
    """A CRM group adopted by a rename that also changed its members: the release lists the
    members it gets back."""
    seed = tmp_path / "crm.yaml"
    seed.write_text(
        "coverageGroups:\n  - {key: ui_team, name: Ui Team, description: null, "
        "visibility: public, members: [{user: ajones, role: advisor}]}\n",
        encoding="utf-8",
    )
    h.seed(env.url, seed)
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("savings"), h.group("team", previousKeys=["ui_team"], members=[])])
    env.ok("apply", "--auto-approve")
    env.ok("rollback", "1", "--out", "rollback.json")
    [change] = json.loads((env.root / "rollback.json").read_text())["changes"]
    assert (change["action"], change["key"], change["old_key"]) == ("release", "ui_team", "team")
    assert [(d["op"], d["path"], d["old"], d["new"]) for d in change["details"]] == [
        ("set", "name", "Team", "Ui Team"),
        ("add", "members[ajones]", None, "advisor"),
    ]


def _rollback_json(env: h.Env, revision: str) -> h.Obj:
    """The rollback plan to ``revision`` as JSON (exit 1 when it has errors)."""
    result = env.run("rollback", revision, "--format", "json")
    data: h.Obj = json.loads(result.out)
    return data


def test_rollback_past_a_replaces_recreates_what_was_deleted_since(env: h.Env) -> None:
    """The opportunities go back to the stage they left, and the product deleted with the
    same apply comes back: moving them back looks only at templates' stages."""
    env.write([h.product("cd"), h.template("lending", stages=("apply", "review"))])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(env.url, [{"name": "One", "template": "lending", "stage": "review"}])
    replaced = h.template("lending", stages=("apply", "decide"))
    replaced["stages"][1]["replaces"] = ["review"]
    env.write([replaced])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    assert h.opportunity_lines(env.url) == ["One: lending/review (open)"]
    assert env.state() == expected_state(
        [h.product("cd"), h.template("lending", stages=("apply", "review"))]
    )


def test_rollback_past_two_replaces_moves_the_opportunities_to_the_first_stage(
    env: h.Env,
) -> None:
    """review replaced by decide, then decide by settle: rolled back, the opportunities on
    settle go back to review, following the recorded moves through decide."""
    env.write([h.template("lending", stages=("apply", "review"))])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(env.url, [{"name": "One", "template": "lending", "stage": "review"}])
    for old, new in (("review", "decide"), ("decide", "settle")):
        replaced = h.template("lending", stages=("apply", new))
        replaced["stages"][1]["replaces"] = [old]
        env.write([replaced])
        env.ok("apply", "--auto-approve", "--allow-destructive")
    assert h.opportunity_lines(env.url) == ["One: lending/settle (open)"]
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    assert "    → 1 open opportunity in stage settle moves to review\n" in rolled.out
    assert h.opportunity_lines(env.url) == ["One: lending/review (open)"]


def test_rollback_without_a_record_of_moves_names_only_the_stages_left_holding(
    env: h.Env,
) -> None:
    """Of the stages the rollback removes, only the one holding an open opportunity is an
    OPC302 error (not the empty one); a renamed stage and a product dropped from the template
    are not removals of stages. The plan's other errors stay."""
    first = h.template("lending", stages=("apply", "review"), products=["cd"])
    env.write([h.product("cd"), h.product("auto", type="mortgage"), first])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url,
        [
            {"name": "One", "template": "lending", "stage": "review"},
            {"name": "Early", "template": "lending", "stage": "apply"},
        ],
    )
    second = h.template("lending", stages=("apply", "decide", "spare"), products=["cd", "auto"])
    second["stages"][0]["name"] = "Apply now"
    second["stages"][1]["replaces"] = ["review"]
    env.write([h.product("cd"), h.product("auto"), second])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    drop_from_snapshot(env.url, 2, "moves")
    h.sql(env.url, "DELETE FROM crm_product_type WHERE code = 'mortgage'")
    plan = _rollback_json(env, "1")
    assert plan["errors"] == [
        {
            "code": "OPC253",
            "message": "Product 'auto': unknown product type 'mortgage' (type)",
            "kind": "Product",
            "key": "auto",
            "file": "",
            "line": 0,
            "column": 0,
        },
        {
            "code": "OPC302",
            "message": "stage 'decide' of template 'lending' holds 1 open opportunity and "
            "revision 1 has no stage they came from; move them first (apply a configuration "
            "in which a stage `replaces: [decide]`), then roll back",
            "kind": "OpportunityTemplate",
            "key": "lending",
            "file": "",
            "line": 0,
            "column": 0,
        },
    ]


def test_rollback_to_the_revision_of_a_rename_keeps_untouched_templates_whole(
    env: h.Env,
) -> None:
    """A product renamed; the template that sells another product and names a group is not
    touched: its snapshot keeps its group, so rolling back to that revision changes nothing."""
    seller = h.template("lending", products=["auto"], defaultCoverageGroup="team")
    env.write([h.product("cd"), h.product("auto"), h.group("team"), seller])
    env.ok("apply", "--auto-approve")
    renamed = [h.product("certificate", previousKeys=["cd"], name="Cd"), h.product("auto")]
    env.write([*renamed, h.group("team"), seller])
    assert last_line(env.ok("apply", "--auto-approve")) == "Apply complete: 1 renamed (revision 2)."
    again = env.run("rollback", "2", "--auto-approve")
    assert (again.code, last_line(again.out)) == (
        exitcodes.OK,
        "No changes. The store matches revision 2 already.",
    ), again.err


def test_rollback_reads_a_snapshot_of_the_first_format(env: h.Env) -> None:
    """Snapshots written before row ids, the CRM's objects, stage ids, references and moves
    were recorded: the rollback still plans (by key), and explains the opportunities it
    cannot move back."""
    _replace_review(env)
    for revision in (1, 2):
        drop_from_snapshot(env.url, revision, *LATER)
    plan = _rollback_json(env, "1")
    assert [(e["code"], e["key"]) for e in plan["errors"]] == [("OPC302", "lending")]
    [change] = plan["changes"]
    assert [(d["op"], d["path"]) for d in change["details"]] == [
        ("remove", "stages[decide]"),
        ("add", "stages[review]"),
    ]


LATER = ("ids", "unmanaged", "stage_ids", "refs", "moves")


def test_rollback_of_a_product_and_a_template_that_share_a_key(env: h.Env) -> None:
    """Keys are unique per kind: a product and a template may both be called cd, and a
    rollback follows the template's references only for the template."""
    first = [h.product("cd"), h.template("cd", products=["cd"])]
    env.write(first)
    env.ok("apply", "--auto-approve")
    env.write([h.product("cd", name="Changed"), h.template("cd", products=["cd"], name="Changed")])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert env.state() == expected_state(first)
