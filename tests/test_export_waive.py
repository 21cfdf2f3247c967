"""``opconf export`` tells the truth about what it wrote, and ``--waive`` adopts a CRM as it is
(SPEC §13): a legacy template that breaks rules is named with its codes; with ``--waive`` the
waivers go into opconf.yaml (its comments kept), so the onboarding change holds no business
change: validate clean (waived shown) → plan adopt only → apply → plan empty; both backends.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.plan import helpers as h
from tests.test_export import _seed_sql

LEGACY = """\
INSERT INTO opportunity_template (key, name, description, category, entity_type, active, default_coverage_group_id) VALUES ('Legacy-Card', 'Legacy card', NULL, 'product', 'contact', TRUE, NULL);
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'apply', 'Apply', 0, 20, 'open', NULL FROM opportunity_template WHERE key = 'Legacy-Card';
INSERT INTO template_stage (template_id, key, name, position, probability, outcome, guidance) SELECT id, 'approved', 'Approved', 1, 90, 'won', NULL FROM opportunity_template WHERE key = 'Legacy-Card';
INSERT INTO stage_step (template_id, stage_id, key, name, position, type, required, due_days, assignee_kind, assignee_value) SELECT t.id, s.id, 'kyc', 'KYC documents', 0, 'document', TRUE, NULL, 'role', 'advisor' FROM opportunity_template t JOIN template_stage s ON s.template_id = t.id WHERE t.key = 'Legacy-Card' AND s.key = 'apply';
INSERT INTO product (key, name, description, type, active, list_price, code, unit_of_measure) VALUES ('gold_card', 'Gold card', NULL, 'deposit', TRUE, NULL, NULL, NULL);
"""  # noqa: E501
PROJECT = "# the onboarding project\nprune: false  # never delete what the CRM holds\n"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def test_export_names_the_objects_that_break_rules(env: h.Env) -> None:
    _seed_sql(env.url, LEGACY)
    result = env.run("export", "--only-unmanaged", "--store", env.url)
    assert result.code == 0
    assert result.out == "Exported 2 objects to config/: 1 product, 1 template.\n"
    assert result.err == (
        "warning: 1 exported object breaks rules (`opconf validate` says how):\n"
        "  OpportunityTemplate Legacy-Card: OPC223, OPC226, OPC229\n"
        "hint: keep them as they are with --waive, or correct them\n"
    )
    assert env.run("validate").code == 1


def test_legacy_template_adopted_as_it_is(env: h.Env) -> None:
    _seed_sql(env.url, LEGACY)
    (env.root / "opconf.yaml").write_text(PROJECT, encoding="utf-8")
    result = env.run("export", "--only-unmanaged", "--waive", "--store", env.url)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Exported 2 objects to config/: 1 product, 1 template.\n"
        "Waived in opconf.yaml for 1 object kept as the CRM has them.\n"
    )
    assert (env.root / "opconf.yaml").read_text(encoding="utf-8") == PROJECT + (
        "waivers:\n"
        "  - match: OpportunityTemplate/Legacy-Card\n"
        "    rules: [OPC223, OPC226, OPC229]\n"
        f"    reason: adopted as is on {_today()}\n"
    )
    validated = env.run("validate")
    assert validated.code == 0, validated
    assert validated.out.count(" waived OPC2") == 3
    assert validated.out.endswith("No problems in 2 files (2 objects checked); 3 waived.\n")
    plan = json.loads(env.ok("plan", "--format", "json"))
    assert plan["summary"] == {**dict.fromkeys(plan["summary"], 0), "adopt": 2}
    assert all("waived: adopted as is on" in w["message"] for w in plan["warnings"])
    env.ok("apply", "--auto-approve")
    assert env.ok("plan").splitlines()[-1] == h.NO_CHANGES


def test_waive_without_a_project_file_makes_one(env: h.Env) -> None:
    _seed_sql(env.url, LEGACY)
    env.ok("export", "--waive", "--store", env.url)
    text = (env.root / "opconf.yaml").read_text(encoding="utf-8")
    assert text.startswith("waivers:\n  - match: OpportunityTemplate/Legacy-Card\n")
    assert env.run("validate").code == 0


def test_check_says_what_waive_would_add(env: h.Env) -> None:
    _seed_sql(env.url, LEGACY)
    result = env.run("export", "--check", "--waive", "--store", env.url)
    assert result.code == 2
    assert result.out.endswith(
        "2 files would change, 0 unchanged.\nwould add waivers to opconf.yaml for 1 object\n"
    )
    assert not (env.root / "opconf.yaml").exists()


def test_a_waiver_of_a_live_reference_rule_lets_the_plan_through(env: h.Env) -> None:
    """The plan checks reference data live (OPC251 inactive user): the same waivers apply."""
    env.write([h.group("team", members=[{"user": "opeters", "role": "advisor"}])])
    refused = env.run("plan")
    assert refused.code == 1 and "OPC251" in refused.out
    (env.root / "opconf.yaml").write_text(
        "waivers:\n  - {match: CoverageGroup/team, rules: [OPC251], reason: leaves in May}\n",
        encoding="utf-8",
    )
    plan = json.loads(env.ok("plan", "--format", "json"))
    assert plan["errors"] == []
    assert [w["code"] for w in plan["warnings"]] == ["OPC251"]
    assert plan["warnings"][0]["message"].endswith("— waived: leaves in May")
    assert env.run("validate").code == 0  # offline: no snapshot, the entry is not judged
