"""A waived finding (opconf.yaml ``waivers:``) in every reporter: shown with its reason, not
counted. SARIF: a ``suppressions`` entry of the shape SARIF 2.1.0 defines (§3.35)."""

from __future__ import annotations

import json
from dataclasses import replace

from opconf.report import REPORTERS, text
from tests.test_reporters import ERROR, result

WAIVED = replace(ERROR, code="OPC226", waived="legacy pipeline")


def test_text_shows_it_as_waived_with_its_reason() -> None:
    assert text.line(WAIVED) == (
        "config/templates/new_account.yaml:14:19: waived OPC226 probability must be ≤ 100 "
        "(got 120) (stages[0].probability) — waived: legacy pipeline"
    )


def test_it_does_not_count() -> None:
    assert text.summary(result(WAIVED, files=1)) == (
        "No problems in 1 file (0 objects checked); 1 waived."
    )
    assert text.summary(result(WAIVED, ERROR, files=1)) == (
        "1 error, 0 warnings, 1 waived in 1 file (0 objects checked)"
    )
    assert result(WAIVED).valid(strict=True)


def test_json_carries_the_reason() -> None:
    body = json.loads(REPORTERS["json"](result(WAIVED, ERROR), False))
    assert body["valid"] is False
    assert [d.get("waived") for d in body["diagnostics"]] == ["legacy pipeline", None]
    assert body["diagnostics"][0]["severity"] == "error"


def test_sarif_suppression() -> None:
    log = json.loads(REPORTERS["sarif"](result(WAIVED, ERROR), False))
    waived, plain = log["runs"][0]["results"]
    assert waived["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "legacy pipeline"}
    ]
    assert "suppressions" not in plain


def test_github_gitlab_markdown() -> None:
    github = REPORTERS["github"](result(WAIVED), False).splitlines()[0]
    assert github.startswith("::notice file=config/templates/new_account.yaml,line=14,col=19,")
    assert "title=OPC226 (waived)::" in github and github.endswith("— waived: legacy pipeline")
    (issue,) = json.loads(REPORTERS["gitlab"](result(WAIVED), False))
    assert issue["severity"] == "info"
    assert issue["description"].endswith("— waived: legacy pipeline")
    markdown = REPORTERS["markdown"](result(WAIVED), False)
    assert "the configuration is valid" in markdown
    assert "| waived | `OPC226` |" in markdown and "— waived: legacy pipeline |" in markdown
