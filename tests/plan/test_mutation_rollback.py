"""Rollback plans, change by change: what the apply-time tests of tests/plan/test_rollback.py
do not look at. Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import json
from pathlib import Path

from opconf import exitcodes

try:
    from plan import helpers as h
    from plan.test_rollback import C, _apply_a_b
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_rollback import C, _apply_a_b  # type: ignore[no-redef]


def test_the_release_of_a_row_renamed_while_adopted(env: h.Env) -> None:
    """Rollback past "rename the CRM's product" gives the row back under its old key: the
    change names the key it leaves, the row's data before, its details and its open deals."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active, managed) "
        "VALUES ('ui_cd', 'Cd', 'deposit', true, false)",
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
