"""``validate --format sarif`` checked against the SARIF 2.1.0 JSON Schema.

The schema is the one Microsoft's ``@microsoft/jest-sarif`` (npm, MIT) carries,
``sarif-2.1.0-rtm.5.json`` (SARIF 2.1.0 as OASIS approved it, draft-04), installed with the
other npm test tools into ``tests/.node`` by ``scripts/yaml-server`` (``scripts/test`` runs it).
Without it the tests skip, saying so; in CI (``CI=true``) they fail.

GitLab publishes a schema of one code quality issue only inside GitLab's own repository (no
package carries it): tests/test_report_gitlab.py checks that format field by field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from opconf.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "cases" / "validate" / "waivers-and-severities"
SARIF = ROOT / "tests/.node/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"


def sarif_schema() -> Any:
    if not SARIF.is_file():
        message = f"{SARIF.relative_to(ROOT)} is missing: run scripts/yaml-server (npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return json.loads(SARIF.read_text("utf-8"))


def report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: Path, fmt: str
) -> Any:
    """``opconf validate --format FMT config`` in ``case``, parsed."""
    monkeypatch.chdir(case)
    capsys.readouterr()
    main(["validate", "--format", fmt, "config"])
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def errors(validator: jsonschema.protocols.Validator, document: Any) -> list[str]:
    found = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def sarif_validator() -> jsonschema.protocols.Validator:
    official = sarif_schema()
    cls = jsonschema.validators.validator_for(official)
    cls.check_schema(official)
    return cls(official, format_checker=cls.FORMAT_CHECKER)


def test_sarif_with_waived_located_and_unlocated_findings_is_valid_sarif_2_1_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    validator = sarif_validator()
    log = report(capsys, monkeypatch, CASE, "sarif")
    assert errors(validator, log) == []
    (run,) = log["runs"]
    # What the case holds, so that the schema judged each part: rule metadata, located
    # results, waived ones as suppressions, a finding without a file as a notification.
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"OPC223", "OPC226", "OPC287"}
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert {r["ruleId"] for r in suppressed} == {"OPC223", "OPC226"}
    assert all("locations" in r for r in run["results"])
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "OPC290"


def test_sarif_of_a_clean_configuration_is_valid_sarif_2_1_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    validator = sarif_validator()
    (tmp_path / "config").mkdir()
    (tmp_path / "opconf.yaml").write_text("config: config/\n", encoding="utf-8")
    product = "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: deposit\n"
    (tmp_path / "config" / "p.yaml").write_text(product, encoding="utf-8")
    log = report(capsys, monkeypatch, tmp_path, "sarif")
    assert errors(validator, log) == []
    assert log["runs"][0]["results"] == []
