"""Reporters render a ValidationResult by name; each is tested on hand-made diagnostics."""

from __future__ import annotations

import json

import pytest

from opconf.diagnostics import Diagnostic
from opconf.report import REPORTERS, github, sarif, text
from opconf.validate import ValidationResult

ERROR = Diagnostic(
    "OPC106",
    "error",
    "probability must be ≤ 100 (got 120)",
    "config/templates/new_account.yaml",
    14,
    19,
    ("stages", 0, "probability"),
)
WARNING = Diagnostic(
    "OPC212", "warning", "active template sells inactive product 'x'", "config/t.yaml", 3, 5,
    ("products", 1),
)  # fmt: skip
NOTE = Diagnostic("OPC290", "info", "reference checks skipped")


def result(*diagnostics: Diagnostic, files: int = 3) -> ValidationResult:
    return ValidationResult(files=files, diagnostics=list(diagnostics))


def test_reporters_by_name() -> None:
    assert sorted(REPORTERS) == ["github", "gitlab", "json", "markdown", "sarif", "text"]


# --------------------------------------------------------------------------- text


def test_text_line_as_in_the_spec() -> None:
    assert text.line(ERROR) == (
        "config/templates/new_account.yaml:14:19: error OPC106 probability must be ≤ 100 "
        "(got 120) (stages[0].probability)"
    )


def test_text_line_without_file_or_path() -> None:
    assert text.line(NOTE) == "info OPC290 reference checks skipped"


@pytest.mark.parametrize(
    ("diagnostics", "files", "expected"),
    [
        ((), 0, "No problems in 0 files (0 objects checked)."),
        ((NOTE,), 1, "No problems in 1 file (0 objects checked)."),
        ((ERROR,), 1, "1 error, 0 warnings in 1 file (0 objects checked)"),
        ((ERROR, ERROR, WARNING), 3, "2 errors, 1 warning in 3 files (0 objects checked)"),
        ((WARNING, WARNING, NOTE), 1200, "0 errors, 2 warnings in 1,200 files (0 objects checked)"),
    ],
)
def test_text_summary(diagnostics: tuple[Diagnostic, ...], files: int, expected: str) -> None:
    assert text.summary(result(*diagnostics, files=files)) == expected


def test_text_render() -> None:
    out = text.render(result(ERROR, NOTE), False)
    assert out.splitlines() == [text.line(ERROR), text.line(NOTE), text.summary(result(ERROR))]
    assert out.endswith("\n")


# --------------------------------------------------------------------------- json


def test_json_valid_and_strict() -> None:
    assert json.loads(REPORTERS["json"](result(WARNING), False))["valid"] is True
    assert json.loads(REPORTERS["json"](result(WARNING), True))["valid"] is False
    assert json.loads(REPORTERS["json"](result(NOTE), True))["valid"] is True
    assert json.loads(REPORTERS["json"](result(ERROR), False))["valid"] is False


def test_json_keeps_unicode_readable() -> None:
    out = REPORTERS["json"](result(ERROR), False)
    assert "≤" in out
    assert json.loads(out)["diagnostics"][0]["path"] == "/stages/0/probability"


# --------------------------------------------------------------------------- github


def test_github_annotation() -> None:
    assert github.annotation(ERROR) == (
        "::error file=config/templates/new_account.yaml,line=14,col=19,title=OPC106::"
        "probability must be ≤ 100 (got 120) (stages[0].probability)"
    )
    assert github.annotation(WARNING).startswith("::warning ")
    assert github.annotation(NOTE) == "::notice title=OPC290::reference checks skipped"


def test_github_escapes_data_and_properties() -> None:
    """A message or file name cannot end the command early or inject another one."""
    tricky = Diagnostic("OPC002", "error", "50% bad\r\n::error::pwned", "a,b:c.yaml", 1, 2)
    assert github.annotation(tricky) == (
        "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=OPC002::50%25 bad%0D%0A::error::pwned"
    )
    assert len(github.render(result(tricky), False).splitlines()) == 2


# --------------------------------------------------------------------------- sarif


def test_sarif_rules_and_results() -> None:
    log = json.loads(sarif.render(result(WARNING, ERROR, ERROR, NOTE), False))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["OPC106", "OPC212"]
    assert rules[0]["helpUri"].endswith("/docs/rules.md#opc106")
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in run["results"]] == [
        ("OPC212", 1, "warning"),
        ("OPC106", 0, "error"),
        ("OPC106", 0, "error"),
    ]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert (notification["descriptor"]["id"], notification["level"]) == ("OPC290", "note")
    location = run["results"][1]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "config/templates/new_account.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 19},
    }


def test_sarif_uri_is_percent_encoded() -> None:
    odd = Diagnostic("OPC007", "error", "document is a list", "config/my file#1.yaml", 1, 1)
    log = json.loads(sarif.render(result(odd), False))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "config/my%20file%231.yaml"
