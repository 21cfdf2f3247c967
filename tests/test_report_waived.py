"""A waived finding (opconf.yaml ``waivers:``) in every reporter: shown with its reason, not
counted. SARIF: a ``suppressions`` entry of the shape SARIF 2.1.0 defines (§3.35)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from opconf.cli import main
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


def test_an_idle_waiver_is_judged_only_on_the_whole_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate FILE`` checks some files: a waiver for the others waives nothing there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    product = "apiVersion: opconf/v1\nkind: Product\nkey: {key}\nname: {key}\ntype: deposit\n"
    for key in ("a", "b"):
        (tmp_path / "config" / f"{key}.yaml").write_text(product.format(key=key), "utf-8")
    waiver = "waivers:\n  - {match: Product/b, rules: [OPC202], reason: legacy}\n"
    (tmp_path / "opconf.yaml").write_text(waiver, encoding="utf-8")
    for args, idle in ((["config/a.yaml"], 0), (["config"], 1), ([], 1), (["."], 1)):
        main(["validate", *args])
        assert capsys.readouterr().out.count("OPC288") == idle, args
