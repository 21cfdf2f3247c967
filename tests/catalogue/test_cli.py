"""``opconf catalogue`` through the real entry point: output, messages, exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opconf import exitcodes

from .pages import ROOT, data, run

WROTE = "Wrote {}: 6 templates, 6 coverage groups, 14 products.\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example config repo, as the working directory."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copy(ROOT / "opconf.yaml", root)
    monkeypatch.chdir(root)
    return root


def test_writes_one_page_of_the_example_config(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "catalogue") == (0, WROTE.format("catalogue/index.html"), "")
    page = repo / "catalogue" / "index.html"
    html = page.read_text("utf-8")
    assert html.startswith("<!doctype html>\n") and html.endswith("</html>\n")
    # Self-contained: nothing is fetched, from the network or from beside the file.
    for reference in ("http://", "https://", 'src="', "<link", "@import"):
        assert reference not in html
    details = data(page)["details"]
    assert sorted(details["template"]) == sorted(
        p.stem for p in (repo / "config/templates").iterdir()
    )
    stages = details["template"]["new_account"]["stages"]
    assert [s["key"] for s in stages] == [
        "qualify",
        "propose",
        "paperwork",
        "funding",
        "won",
        "lost",
    ]


def test_the_output_is_deterministic(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "catalogue", "--out", "a")[0] == 0
    (repo / "config/products/heloc.yaml").touch()
    assert run(capsys, "catalogue", "--out", "b")[0] == 0
    assert (repo / "a/index.html").read_bytes() == (repo / "b/index.html").read_bytes()


def test_names_are_text_never_markup(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    heloc = repo / "config/products/heloc.yaml"
    hostile = "</script><script>alert(1)</script> & <b>"
    heloc.write_text(
        heloc.read_text("utf-8").replace("name: Home Equity Line of Credit", f"name: '{hostile}'")
    )
    assert run(capsys, "catalogue")[0] == 0
    page = repo / "catalogue/index.html"
    html = page.read_text("utf-8")
    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert data(page)["details"]["product"]["heloc"]["name"] == hostile


def test_an_invalid_configuration_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heloc = repo / "config/products/heloc.yaml"
    heloc.write_text(heloc.read_text("utf-8").replace("listPrice: 99.50", "listPrice: -1"))
    code, out, err = run(capsys, "catalogue")
    assert (code, out) == (exitcodes.PROBLEMS, "")
    assert err == (
        "config/products/heloc.yaml:9:12: error OPC106 listPrice must be ≥ 0 (got -1) (listPrice)\n"
        "1 error, 0 warnings in 26 files (26 objects checked)\n"
        "error: the configuration is invalid; no catalogue was written\n"
    )
    assert not (repo / "catalogue").exists()


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (None, exitcodes.USAGE, "error: plan file plan.json does not exist\n"),
        (
            '{"hello": 1}',
            exitcodes.PROBLEMS,
            "error: plan.json: not an opconf plan (no format_version)\n",
        ),
    ],
)
def test_a_bad_plan_file_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str | None, code: int, message: str
) -> None:
    """The plan is read by the one saved-plan loader (opconf.plan.saved), checks and all."""
    if content is not None:
        (repo / "plan.json").write_text(content)
    message += "hint: save a plan with `opconf plan --out FILE`\n"
    assert run(capsys, "catalogue", "--plan", "plan.json") == (code, "", message)
    assert not (repo / "catalogue").exists()


def test_out_must_be_a_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file where the folder should be: the output cannot be created (73, as the README
    says of every output)."""
    (repo / "taken").write_text("x")
    assert run(capsys, "catalogue", "--out", "taken") == (
        exitcodes.CANTCREAT,
        "",
        "error: cannot create the folder taken: a file is in the way\n"
        "hint: --out names the folder for index.html\n",
    )
    assert (repo / "taken").read_text() == "x"


def test_a_failed_write_is_one_line_and_leaves_no_temporary_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "site/index.html/keep").mkdir(parents=True)  # a folder where the page would go
    assert run(capsys, "catalogue", "--out", "site") == (
        exitcodes.CANTCREAT,
        "",
        "error: cannot write site/index.html: Is a directory\n"
        "hint: the path is a folder: name a file\n",
    )
    assert sorted(p.name for p in (repo / "site").iterdir()) == ["index.html"]
