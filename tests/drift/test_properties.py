"""The drift property (hypothesis), on both backends: apply a configuration; edit the store
out of band with SQL (a random set of edits); drift reports exactly those edits, no more, no
fewer; ``--accept`` takes them into the files; then drift and plan are both empty."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf import exitcodes

try:
    from plan import helpers as h

    from drift.accept_property import check_accept, fresh_stores
    from drift.test_cases import CASES, apply_base, drift
except ImportError:  # tests/ is a package
    from tests.drift.accept_property import check_accept, fresh_stores  # type: ignore[no-redef]
    from tests.drift.test_cases import CASES, apply_base, drift  # type: ignore[no-redef]
    from tests.plan import helpers as h  # type: ignore[no-redef]

# (kind, key, path) → the SQL edit; the number makes each value differ from the applied one.
EDITS: dict[tuple[str, str, str], tuple[str, Callable[[int], object]]] = {
    ("Product", "savings", ""): (  # deleted: in the UI, taken out of the template first
        "DELETE FROM template_product WHERE :v = :v AND product_id IN"
        " (SELECT id FROM product WHERE key = 'savings');"
        " DELETE FROM product WHERE key = 'savings' AND :v = :v",
        lambda n: n,
    ),
    ("CoverageGroup", "branch_team", "key"): (
        "UPDATE coverage_group SET key = :v WHERE key = 'branch_team'",
        lambda n: f"team_{n}",
    ),
    ("OpportunityTemplate", "account_opening", "stages[lost]"): (
        "UPDATE template_stage SET key = :v WHERE key = 'lost'",
        lambda n: f"lost_{n}",
    ),
    ("Product", "checking", "name"): (
        "UPDATE product SET name = :v WHERE key = 'checking'",
        lambda n: f"Checking {n}",
    ),
    ("Product", "savings", "listPrice"): (
        "UPDATE product SET list_price = :v WHERE key = 'savings'",
        lambda n: f"{n}.25",
    ),
    ("Product", "savings", "description"): (
        "UPDATE product SET description = :v WHERE key = 'savings'",
        lambda n: f"edited in the UI #{n}: yes, null, 0x10",
    ),
    ("OpportunityTemplate", "account_opening", "stages[qualify].probability"): (
        "UPDATE template_stage SET probability = :v WHERE key = 'qualify'",
        lambda n: 11 + n % 80,
    ),
    ("OpportunityTemplate", "account_opening", "stages[paperwork].name"): (
        "UPDATE template_stage SET name = :v WHERE key = 'paperwork'",
        lambda n: f"Paperwork {n}",
    ),
    ("OpportunityTemplate", "account_opening", "steps[kyc].dueDays"): (
        "UPDATE stage_step SET due_days = :v WHERE key = 'kyc'",
        lambda n: 6 + n,
    ),
    ("CoverageGroup", "branch_team", "members[bpatel]"): (
        "DELETE FROM coverage_member WHERE user_login = 'bpatel' AND :v = :v",
        lambda n: n,
    ),
    ("CoverageGroup", "branch_team", "members[ajones].role"): (
        "UPDATE coverage_member SET role_code = :v WHERE user_login = 'ajones'",
        lambda n: ("client_associate", "estate_planner", "loan_officer")[n % 3],
    ),
}


# What else an edit shows as drift: the template's view of a product deleted. (A key changed
# in the CRM is one difference: references compare by the row, stages by their row.)
ALSO: dict[tuple[str, str, str], Callable[[int], set[tuple[str, str, str]]]] = {
    ("Product", "savings", ""): lambda n: {
        ("OpportunityTemplate", "account_opening", "products[savings]")
    },
}
# Undone before the next example: keys back, so that the apply of ``_applied`` matches rows.
UNDO = (
    "UPDATE coverage_group SET key = 'branch_team' WHERE key LIKE 'team%'",
    "UPDATE template_stage SET key = 'lost' WHERE key LIKE 'lost_%'",
)


def _expected(edits: dict[tuple[str, str, str], int]) -> set[tuple[str, str, str, str]]:
    """The differences the edits make: a deleted object's other edits are gone with it."""
    found = {target for target in edits}
    for target, n in edits.items():
        found |= ALSO.get(target, lambda n: set())(n)
    deleted = {(kind, key) for kind, key, path in found if path == ""}
    return {("drift", *t) for t in found if t[2] == "" or (t[0], t[1]) not in deleted}


def _differences(env: h.Env) -> set[tuple[str, str, str, str]]:
    run = drift(env, "--format", "json")
    assert run.code == exitcodes.OK, run
    return {
        (d["category"], d["kind"], d["key"], d["path"]) for d in json.loads(run.out)["differences"]
    }


def _reset(env: h.Env) -> None:
    """The store and the files back at ``_applied`` (an apply of it)."""
    for statement in UNDO:
        h.sql(env.url, statement)
    shutil.rmtree(env.root / "config")
    shutil.copytree(CASES / "_applied", env.root / "config")
    env.ok("apply", "--auto-approve")
    assert _differences(env) == set()


def test_drift_reports_exactly_the_edits_and_accept_clears_them(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
    apply_base(env, tmp_path)
    shutil.copytree(CASES / "_applied", env.root / "config")

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        edits=st.dictionaries(st.sampled_from(sorted(EDITS)), st.integers(0, 10_000), min_size=1)
    )
    def check(edits: dict[tuple[str, str, str], int]) -> None:
        for target, n in edits.items():
            statements, value = EDITS[target]
            for statement in statements.split("; "):
                h.sql(env.url, statement, v=value(n))
        assert _differences(env) == _expected(edits)
        accepted = drift(env, "--accept")
        assert accepted.code == exitcodes.OK, accepted
        assert _differences(env) == set()
        assert env.run("plan", "--detailed-exitcode").code == exitcodes.OK
        _reset(env)

    check()


# --- accept: a three-way merge by identity (issue 18) ----------------------------------------
# Pending edits in the YAML of tests/cases/drift/_onboarding: (file, text, replacement)...
Edit = tuple[str, str, str]
PENDING: dict[str, tuple[Edit, ...]] = {
    "delta name": (("products/delta.yaml", "name: Delta\n", "name: Delta (git)\n"),),
    "kyc dueDays": (("templates/onboarding.yaml", "dueDays: 5\n", "dueDays: 7\n"),),
    "member egarcia": (
        (
            "groups/wealth_east.yaml",
            "  # compliance sits",
            "  - user: egarcia\n    role: advisor\n  # compliance sits",
        ),
    ),
    "stage review": (
        (
            "templates/onboarding.yaml",
            "  - key: funding\n",
            "  - key: review\n    name: Review\n    probability: 30\n  - key: funding\n",
        ),
    ),
    "beta name": (("products/alpha_beta.yaml", "name: Beta #", "name: Beta (git) #"),),
    # Renames not applied yet: the new key with the old one in previousKeys, references too.
    "renamed delta": (
        ("products/delta.yaml", "key: delta\n", "key: delta_two\n"),
        ("products/delta.yaml", "type: deposit\n", "previousKeys: [delta]\ntype: deposit\n"),
        ("templates/onboarding.yaml", "[alpha, beta, delta]", "[alpha, beta, delta_two]"),
    ),
    "renamed group": (
        ("groups/wealth_east.yaml", "key: wealth_east\n", "key: wealth_east_2\n"),
        (
            "groups/wealth_east.yaml",
            "members:\n",
            "previousKeys: [wealth_east]\nmembers:\n",
        ),
        ("templates/onboarding.yaml", "Group: wealth_east\n", "Group: wealth_east_2\n"),
    ),
    "renamed stage": (
        ("templates/onboarding.yaml", "  - key: funding\n", "  - key: funds\n"),
        (
            "templates/onboarding.yaml",
            "    probability: 50\n",
            "    probability: 50\n    previousKeys: [funding]\n",
        ),
    ),
}
# Out-of-band edits (``:v`` a number); each a few statements.
CRM = {
    "delta name": ["UPDATE product SET name = 'Delta ' || :v WHERE key = 'delta'"],
    "kyc dueDays": ["UPDATE stage_step SET due_days = 8 + :v WHERE key = 'kyc'"],
    "bpatel deleted": ["DELETE FROM coverage_member WHERE user_login = 'bpatel' AND :v = :v"],
    "cnguyen role": [
        "UPDATE coverage_member SET role_code = 'advisor' WHERE user_login = 'cnguyen' AND :v = :v"
    ],
    "fwalsh added": [
        "INSERT INTO coverage_member (group_id, user_login, role_code) SELECT id, 'fwalsh',"
        " 'advisor' FROM coverage_group WHERE key = 'wealth_east' AND :v = :v"
    ],
    "stage renamed": ["UPDATE template_stage SET key = 'funded' WHERE key = 'funding' AND :v = :v"],
    "stages reordered": [
        "UPDATE template_stage SET position = 99 WHERE key = 'won' AND :v = :v",
        "UPDATE template_stage SET position = 2 WHERE key = 'lost' AND :v = :v",
        "UPDATE template_stage SET position = 3 WHERE key = 'won' AND :v = :v",
    ],
    "step deleted": ["DELETE FROM stage_step WHERE key = 'id_check' AND :v = :v"],
    "product created": [
        "INSERT INTO product (key, name, type, active)"
        " VALUES ('omega', 'Omega ' || :v, 'deposit', true)"
    ],
    "description emptied": ["UPDATE product SET description = '' WHERE key = 'alpha' AND :v = :v"],
    "probability": ["UPDATE template_stage SET probability = 11 + :v WHERE key = 'intake'"],
}
KEYS = {  # one of: the products' keys changed in the CRM
    "none": [],
    "renamed": ["UPDATE product SET key = 'epsilon' WHERE key = 'delta'"],
    "chain": [
        "UPDATE product SET key = 'gamma' WHERE key = 'beta'",
        "UPDATE product SET key = 'beta' WHERE key = 'alpha'",
    ],
    "swap": [
        "UPDATE product SET key = 'tmp' WHERE key = 'alpha'",
        "UPDATE product SET key = 'alpha' WHERE key = 'beta'",
        "UPDATE product SET key = 'beta' WHERE key = 'tmp'",
    ],
    "deleted": [
        "DELETE FROM template_product"
        " WHERE product_id = (SELECT id FROM product WHERE key = 'delta')",
        "DELETE FROM product WHERE key = 'delta'",
    ],
}
ACCEPT_EXAMPLES = int(os.environ.get("OPCONF_ACCEPT_EXAMPLES", "10"))


def test_accept_writes_what_the_crm_changed_and_keeps_what_is_pending(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    """The three-way merge by identity, judged by an oracle on deepdiff (tests/drift/oracle.py)
    over random pending edits and random edits in the CRM (``OPCONF_ACCEPT_EXAMPLES``)."""
    env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
    apply_base(env, tmp_path, CASES / "_onboarding")
    fresh = fresh_stores(env, tmp_path, request)

    @settings(max_examples=ACCEPT_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        pending=st.sets(st.sampled_from(sorted(PENDING))),
        crm=st.dictionaries(st.sampled_from(sorted(CRM)), st.integers(0, 50)),
        keys=st.sampled_from(sorted(KEYS)),
    )
    def check(pending: set[str], crm: dict[str, int], keys: str) -> None:
        run = h.Env(fresh(), env.root, capsys)
        shutil.rmtree(env.root / "config", ignore_errors=True)
        shutil.copytree(CASES / "_onboarding", env.root / "config")
        for name in sorted(pending, key=lambda n: (n.startswith("renamed"), n)):
            for file, old, new in PENDING[name]:  # renames last: the others find their text
                path = env.root / "config" / file
                text = path.read_text("utf-8")
                assert old in text, (name, old)
                path.write_text(text.replace(old, new, 1), "utf-8")
        for name, n in sorted(crm.items()):
            for statement in CRM[name]:
                h.sql(run.url, statement, v=n)
        for statement in KEYS[keys]:
            h.sql(run.url, statement)
        check_accept(run)

    check()
