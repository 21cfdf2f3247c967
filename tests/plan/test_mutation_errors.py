"""Which object each plan error names: ``errors[].kind`` and ``key`` in JSON plans.

The golden plan cases record only the error codes; a safety rule that blamed the wrong object
(or none) would pass them. Live reference checks (OPC25x) point at a file, not an object.
Found by mutation testing (docs/mutation.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

try:
    from plan import helpers as h
    from plan.test_cases import _prepare, _spec
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
    from tests.plan.test_cases import _prepare, _spec  # type: ignore[no-redef]

EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "demo-prune-blocked": [
        ("OPC301", "OpportunityTemplate", "new_account"),
        ("OPC301", "Product", "managed_portfolio"),
        ("OPC301", "Product", "brokerage_account"),
    ],
    "live-references": [
        ("OPC253", "", ""),
        ("OPC250", "", ""),
        ("OPC251", "", ""),
        ("OPC252", "", ""),
        ("OPC250", "", ""),
    ],
    "opc301-delete-used": [
        ("OPC301", "OpportunityTemplate", "student_lending"),
        ("OPC301", "Product", "student_loan"),
    ],
    "opc302-stage-open-opportunities": [
        ("OPC302", "OpportunityTemplate", "auto_loan"),
    ],
    "opc303-visibility": [
        ("OPC303", "CoverageGroup", "family_office"),
    ],
    "opc304-unmanaged-template-uses": [
        ("OPC304", "CoverageGroup", "branch_west"),
        ("OPC304", "Product", "legacy_cd"),
    ],
    "opc305-code-taken": [
        ("OPC305", "Product", "savings"),
        ("OPC305", "Product", "term_deposit"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plan_errors_name_their_object(
    name: str,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = tmp_path / "repo"
    shutil.copytree(h.CASES / name, work)
    env = h.make_env(store_url, work, monkeypatch, capsys)
    spec = _spec(work)
    _prepare(env, spec, tmp_path)
    args = [str(a) for a in spec.get("args", ())]
    plan = json.loads(env.run("plan", "--format", "json", *args).out)
    assert [(e["code"], e["kind"], e["key"]) for e in plan["errors"]] == EXPECTED[name]
