"""The drift property (hypothesis), on both backends: apply a configuration; edit the store
out of band with SQL (a random set of edits); drift reports exactly those edits, no more, no
fewer; ``--accept`` takes them into the files; then drift and plan are both empty."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf import exitcodes

try:
    from plan import helpers as h

    from drift.test_cases import CASES, apply_base, drift
except ImportError:  # tests/ is a package
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


# What else an edit shows as drift: the template's view of a product deleted or a group or
# stage whose key changed.
ALSO: dict[tuple[str, str, str], Callable[[int], set[tuple[str, str, str]]]] = {
    ("Product", "savings", ""): lambda n: {
        ("OpportunityTemplate", "account_opening", "products[savings]")
    },
    ("CoverageGroup", "branch_team", "key"): lambda n: {
        ("OpportunityTemplate", "account_opening", "defaultCoverageGroup")
    },
    ("OpportunityTemplate", "account_opening", "stages[lost]"): lambda n: {
        ("OpportunityTemplate", "account_opening", f"stages[lost_{n}]")
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
