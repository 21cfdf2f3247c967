"""``validate --format gitlab`` (GitLab's code quality report) and user text in the terminal
reporters: control characters in names reach no terminal (SPEC §3, §9)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.diagnostics import Diagnostic
from opconf.report import REPORTERS, github, gitlab, text
from opconf.validate import ValidationResult

ERROR = Diagnostic(
    "OPC106", "error", "probability must be ≤ 100 (got 120)", "config/t.yaml", 14, 19,
    ("stages", 0, "probability"),
)  # fmt: skip
WARNING = Diagnostic("OPC212", "warning", "sells inactive product 'x'", "config/t.yaml", 3, 5)
NOTE = Diagnostic("OPC290", "info", "reference checks skipped")


def test_gitlab_issue_fields() -> None:
    out = REPORTERS["gitlab"](ValidationResult(files=1, diagnostics=[ERROR, WARNING, NOTE]), False)
    issues = json.loads(out)
    assert [i["severity"] for i in issues] == ["major", "minor"]  # the file-less note is left out
    first = issues[0]
    assert first == {
        "type": "issue",
        "description": "OPC106 probability must be ≤ 100 (got 120) (stages[0].probability)",
        "check_name": "OPC106",
        "fingerprint": first["fingerprint"],
        "severity": "major",
        "location": {"path": "config/t.yaml", "lines": {"begin": 14}},
    }
    assert len(first["fingerprint"]) == 64 and first["fingerprint"] != issues[1]["fingerprint"]


def test_gitlab_fingerprint_survives_a_moved_line_but_not_another_problem() -> None:
    moved = replace(ERROR, line=40, column=3)
    assert gitlab.fingerprint(moved) == gitlab.fingerprint(ERROR)
    assert gitlab.fingerprint(replace(ERROR, path=("stages", 1, "probability"))) != (
        gitlab.fingerprint(ERROR)
    )
    assert gitlab.fingerprint(replace(ERROR, file="config/u.yaml")) != gitlab.fingerprint(ERROR)
    twice = json.loads(gitlab.render(ValidationResult(diagnostics=[ERROR, moved]), False))
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]  # each issue is its own


def test_validate_format_gitlab_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "p.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: deposit\nlistPrice: -1\n",
        encoding="utf-8",
    )
    assert main(["validate", "--format", "gitlab"]) == exitcodes.PROBLEMS
    [issue] = json.loads(capsys.readouterr().out)
    assert (issue["check_name"], issue["location"]) == (
        "OPC106",
        {"path": "config/p.yaml", "lines": {"begin": 6}},
    )


HOSTILE = Diagnostic("OPC202", "error", "name 'Evil\x1b[2J\u202e' is used", "config/a.yaml", 1, 1)


def test_terminal_reporters_show_control_characters_escaped() -> None:
    assert text.line(HOSTILE) == (
        "config/a.yaml:1:1: error OPC202 name 'Evil\\x1b[2J\\u202e' is used"
    )
    assert github.annotation(HOSTILE) == (
        "::error file=config/a.yaml,line=1,col=1,title=OPC202::name 'Evil\\x1b[2J\\u202e' is used"
    )
    for fmt in ("json", "sarif", "gitlab"):
        out = REPORTERS[fmt](ValidationResult(files=1, diagnostics=[HOSTILE]), False)
        assert "\x1b" not in out and "\u202e" not in out
        assert "Evil\\u001b[2J\\u202e" in out  # the JSON still holds the exact text


def test_markdown_report_is_a_table_under_the_comment_limit() -> None:
    many = [replace(ERROR, line=i, message=f"problem {i} | <b>") for i in range(1, 3001)]
    out = REPORTERS["markdown"](ValidationResult(files=1, diagnostics=many), False)
    assert out.startswith(
        "### opconf validate — the configuration is invalid: 3,000 errors, 0 warnings in 1 file "
        "(0 objects checked)\n\n| Place | Severity | Code | Message |\n|---|---|---|---|\n"
        "| `config/t.yaml:1:19` | error | `OPC106` | "
        "problem 1 \\| &lt;b> (stages\\[0\\].probability) |\n"
    )
    assert len(out) <= 65_536
    assert out.endswith(
        " more problems not shown (comment size limit); `opconf validate` lists them all.\n"
    )
    valid = REPORTERS["markdown"](ValidationResult(files=2), False)
    assert valid == (
        "### opconf validate — the configuration is valid: No problems in 2 files "
        "(0 objects checked).\n"
    )
