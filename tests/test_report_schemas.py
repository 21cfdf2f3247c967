"""``validate --format sarif`` and ``--format gitlab`` checked against the formats' own schemas.

- SARIF: the official OASIS SARIF 2.1.0 schema, ``sarif-schema-2.1.0.json`` (draft-04; its
  ``id`` is https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json;
  the OASIS TC's repository oasis-tcs/sarif-spec holds it as
  ``sarif-2.1/schema/sarif-schema-2.1.0.json``). OASIS's copyright notice lets it be copied
  and distributed unmodified with that notice.
- GitLab code quality: GitLab's own schema for one issue of a report, the one its parser
  checks reports with (``app/validators/json_schemas/codeclimate.json`` in GitLab's
  repository, draft-07, MIT Expat). GitLab publishes no schema of the whole report; it is a
  JSON array of such issues.

The schemas are read from the folder ``OPCONF_REPORT_SCHEMAS`` names, else ``tests/data/``;
the tests skip, saying which file is missing, when a schema is not there.
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
SARIF = "sarif-schema-2.1.0.json"
GITLAB = "gitlab-codeclimate.json"


def schema(name: str) -> Any:
    folder = Path(os.environ.get("OPCONF_REPORT_SCHEMAS") or ROOT / "tests" / "data")
    if not (folder / name).is_file():
        pytest.skip(f"{name} not in {folder} (see {Path(__file__).name}'s docstring)")
    return json.loads((folder / name).read_text("utf-8"))


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
    official = schema(SARIF)
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


def test_every_gitlab_issue_matches_gitlabs_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    official = schema(GITLAB)
    cls = jsonschema.validators.validator_for(official)
    cls.check_schema(official)
    validator = cls(official)
    issues = report(capsys, monkeypatch, CASE, "gitlab")
    assert isinstance(issues, list) and len(issues) == 6
    assert [e for issue in issues for e in errors(validator, issue)] == []
    assert sorted(i["severity"] for i in issues) == [
        "info",
        "info",
        "major",
        "minor",
        "minor",
        "minor",
    ]
