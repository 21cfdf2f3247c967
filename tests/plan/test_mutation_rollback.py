"""Rollback plans, change by change: what the apply-time tests of tests/plan/test_rollback.py
do not look at. Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import json

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


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
