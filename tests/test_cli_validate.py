"""``opconf validate`` through the real entry point: every format, every exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.validate.catalogue import RULES

PRODUCT = """\
apiVersion: opconf/v1
kind: Product
key: {key}
name: {name}
type: deposit
"""
TEMPLATE = """\
apiVersion: opconf/v1
kind: OpportunityTemplate
key: new_account
name: New Account
category: product
entityType: contact
products: [savings]
stages:
  - {key: qualify, name: Qualify, probability: 60}
  - {key: propose, name: Propose, probability: 40}
  - {key: won, name: Closed Won, probability: 100, outcome: won}
  - {key: lost, name: Closed Lost, probability: 0, outcome: lost}
"""
REFS = """\
users: [{login: ajones, displayName: Alice Jones, email: a@example.com, active: true}]
coverageRoles: [{code: advisor, name: Advisor, unique: false}]
productTypes: [{code: deposit, name: Deposit}]
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose config is valid except for one warning (OPC228)."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "config/products/savings.yaml": PRODUCT.format(key="savings", name="Savings"),
            "config/templates/new_account.yaml": TEMPLATE,
            "opconf.refs.yaml": REFS,
        },
    )
    return tmp_path


@pytest.fixture
def broken(project: Path) -> Path:
    """Adds two errors: a schema error and a duplicate key across files."""
    write(
        project,
        {
            "config/products/dup.yaml": PRODUCT.format(key="savings", name="Savings Two"),
            "config/products/bad.yaml": PRODUCT.format(key="bad", name="Bad") + "listPrice: -1\n",
        },
    )
    return project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --------------------------------------------------------------------------- exit codes


WARNING_LINE = (
    "config/templates/new_account.yaml:10:48: warning OPC228 probability 40 is lower than 60 "
    "of the earlier open stage 'qualify' (stages[1].probability)"
)


def test_valid_with_warnings_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys) == (
        exitcodes.OK,
        f"{WARNING_LINE}\n0 errors, 1 warning in 2 files (2 objects checked)\n",
        "",
    )


def test_strict_fails_on_warnings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--strict")
    assert code == exitcodes.PROBLEMS == 1
    assert out.startswith(WARNING_LINE)


def test_clean_config_exits_0_even_with_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = project / "config/templates/new_account.yaml"
    template.write_text(TEMPLATE.replace("probability: 40", "probability: 70"))
    assert run(capsys, "--strict") == (
        exitcodes.OK,
        "No problems in 2 files (2 objects checked).\n",
        "",
    )


def test_problems_exit_1(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out == (
        "config/products/bad.yaml:6:12: error OPC106 listPrice must be ≥ 0 (got -1) (listPrice)\n"
        "config/products/savings.yaml:3:6: error OPC201 Product key 'savings' is already used "
        "at config/products/dup.yaml:1:1 (key)\n"
        f"{WARNING_LINE}\n"
        "2 errors, 1 warning in 4 files (4 objects checked)\n"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_missing_path_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    assert run(capsys, "--format", fmt, "nope") == (
        exitcodes.USAGE,
        "",
        "error: path nope does not exist\n",
    )
    assert exitcodes.USAGE == 64


def test_missing_default_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out) == (exitcodes.USAGE, "")
    assert err == (
        f"error: path {tmp_path}/config does not exist (no opconf.yaml here or in any folder"
        " above)\nhint: start a project with `opconf init`, or run opconf in the project's"
        " folder\n"
    )


def test_missing_refs_file_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--refs", "gone.yaml") == (
        exitcodes.USAGE,
        "",
        "error: reference data file gone.yaml does not exist\n",
    )


def test_malformed_refs_file_is_reported_like_a_document(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.refs.yaml").write_text("users: {ajones: true}\n")
    code, out, err = run(capsys)
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out.splitlines()[1:] == [
        "opconf.refs.yaml:1:8: error OPC103 users must be a list, not a mapping (users)",
        "1 error, 1 warning in 2 files (2 objects checked)",
    ]


def test_unknown_format_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml"])
    assert exc.value.code == exitcodes.USAGE
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_explicit_files_and_folders(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "config/products/bad.yaml", "config/products/savings.yaml", "config/templates"
    )
    assert code == exitcodes.PROBLEMS
    # The files named are checked with the whole project as context: savings.yaml's key is
    # also dup.yaml's, which is not reported on itself (not named).
    assert out.splitlines()[-1] == "2 errors, 1 warning in 3 files (3 objects checked)"
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "config/products/bad.yaml",
        "config/products/savings.yaml",
        "config/templates/new_account.yaml",
    ]
    assert lines[1] == (
        "config/products/savings.yaml:3:6: error OPC201 Product key 'savings' is already used"
        " at config/products/dup.yaml:1:1 (key)"
    )


def test_files_outside_the_working_directory_keep_their_absolute_path(
    broken: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (broken / "elsewhere").mkdir()
    monkeypatch.chdir(broken / "elsewhere")
    bad = broken / "config" / "products" / "bad.yaml"
    code, out, _ = run(capsys, str(bad))
    assert code == exitcodes.PROBLEMS
    assert out.startswith(f"{bad}:6:12: error OPC106 ")


def test_project_file_chooses_the_config_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "config").rename(project / "documents")
    (project / "opconf.yaml").write_text("config: documents/\n")
    code, out, _ = run(capsys, "--strict")
    assert code == exitcodes.PROBLEMS
    assert out.startswith("documents/templates/new_account.yaml:10:48: warning OPC228")


# --------------------------------------------------------------------------- json


def test_json_shape(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert code == exitcodes.PROBLEMS
    body = json.loads(out)
    assert list(body) == ["valid", "files", "objects", "diagnostics"]
    assert (body["valid"], body["files"], body["objects"]) == (False, 4, 4)
    assert body["diagnostics"] == [
        {
            "file": "config/products/bad.yaml",
            "line": 6,
            "column": 12,
            "severity": "error",
            "code": "OPC106",
            "message": "listPrice must be ≥ 0 (got -1)",
            "path": "/listPrice",
        },
        {
            "file": "config/products/savings.yaml",
            "line": 3,
            "column": 6,
            "severity": "error",
            "code": "OPC201",
            "message": "Product key 'savings' is already used at config/products/dup.yaml:1:1",
            "path": "/key",
        },
        {
            "file": "config/templates/new_account.yaml",
            "line": 10,
            "column": 48,
            "severity": "warning",
            "code": "OPC228",
            "message": "probability 40 is lower than 60 of the earlier open stage 'qualify'",
            "path": "/stages/1/probability",
        },
    ]


def test_json_valid_reflects_strict(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    assert (code, json.loads(out)["valid"]) == (exitcodes.OK, True)
    code, out, _ = run(capsys, "--format", "json", "--strict")
    assert (code, json.loads(out)["valid"]) == (exitcodes.PROBLEMS, False)


def test_json_without_refs_has_the_info_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.refs.yaml").unlink()
    _, out, _ = run(capsys, "--format", "json")
    note = json.loads(out)["diagnostics"][-1]
    assert (note["code"], note["severity"], note["file"], note["path"]) == (
        "OPC290",
        "info",
        "",
        "",
    )


def test_json_pointer_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """RFC 6901: ``~`` → ``~0``, ``/`` → ``~1``."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"config/p.yaml": PRODUCT.format(key="p", name="P") + "a/b~c: 1\n"})
    _, out, _ = run(capsys, "--format", "json")
    (diagnostic, _note) = json.loads(out)["diagnostics"]
    assert (diagnostic["code"], diagnostic["path"]) == ("OPC102", "/a~1b~0c")


# --------------------------------------------------------------------------- github


def test_github_annotations(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "github")
    assert code == exitcodes.PROBLEMS
    assert out.splitlines() == [
        "::error file=config/products/bad.yaml,line=6,col=12,title=OPC106::"
        "listPrice must be ≥ 0 (got -1) (listPrice)",
        "::error file=config/products/savings.yaml,line=3,col=6,title=OPC201::"
        "Product key 'savings' is already used at config/products/dup.yaml:1:1 (key)",
        "::warning file=config/templates/new_account.yaml,line=10,col=48,title=OPC228::"
        "probability 40 is lower than 60 of the earlier open stage 'qualify' "
        "(stages[1].probability)",
        "2 errors, 1 warning in 4 files (4 objects checked)",
    ]


def test_github_info_is_a_notice_without_a_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.refs.yaml").unlink()
    _, out, _ = run(capsys, "--format", "github")
    notices = [line for line in out.splitlines() if line.startswith("::notice")]
    assert notices == [
        "::notice title=OPC290::reference checks skipped: no opconf.refs.yaml "
        "(write one with `opconf refs pull`)"
    ]


ANNOTATION = re.compile(
    r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=OPC\d{3}::[^\r\n]+"
)


def test_github_escapes_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"config/a,b:c%.yaml": "- not a mapping\n"})
    _, out, _ = run(capsys, "--format", "github")
    first = out.splitlines()[0]
    assert first == (
        "::error file=config/a%2Cb%3Ac%25.yaml,line=1,col=1,title=OPC007::"
        "document is a list, expected a mapping"
    )
    assert ANNOTATION.fullmatch(first)


# --------------------------------------------------------------------------- sarif


def check_sarif(log: dict[str, Any]) -> None:
    """A minimal structural check of SARIF 2.1.0 as GitHub code scanning reads it."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "opconf"
    assert isinstance(driver["version"], str)
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]]
        assert rule["helpUri"].endswith("#" + rule["id"].lower())
    for result in run_["results"]:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        for location in result.get("locations", []):
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_sarif(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "sarif")
    assert code == exitcodes.PROBLEMS
    log = json.loads(out)
    check_sarif(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("OPC106", "error"),
        ("OPC201", "error"),
        ("OPC228", "warning"),
    ]
    assert all(len(r["locations"]) == 1 for r in results)
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "config/products/bad.yaml"
    assert first["region"] == {"startLine": 6, "startColumn": 12}
    assert results[0]["message"]["text"] == "listPrice must be ≥ 0 (got -1) (listPrice)"


def test_sarif_without_problems_has_no_results(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "config/templates/new_account.yaml").unlink()
    code, out, _ = run(capsys, "--format", "sarif")
    log = json.loads(out)
    check_sarif(log)
    assert code == exitcodes.OK
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_without_refs_still_renders(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.refs.yaml").unlink()
    code, out, _ = run(capsys, "--format", "sarif")
    log = json.loads(out)
    check_sarif(log)
    assert code == exitcodes.OK
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["OPC290"]


def test_every_sarif_result_has_a_location(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.refs.yaml").unlink()
    _, out, _ = run(capsys, "--format", "sarif")
    for result in json.loads(out)["runs"][0]["results"]:
        assert result.get("locations"), result


def test_every_format_agrees_on_the_exit_code(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = {fmt: run(capsys, "--format", fmt)[0] for fmt in ("text", "json", "github", "sarif")}
    assert set(codes.values()) == {exitcodes.PROBLEMS}


def test_a_store_mapping_named_alone_is_checked_as_a_mapping(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "crm" / "vendor-mapping.yaml"
    text = example.read_text(encoding="utf-8")
    write(project, {"crm/mapping.yaml": text, "crm/typo.yaml": text.replace("tables:", "tabels:")})
    assert run(capsys, "crm/mapping.yaml")[0] == exitcodes.OK
    code, out, _ = run(capsys, "crm/typo.yaml", "config")
    assert code == exitcodes.PROBLEMS
    assert re.search(r"^crm/typo.yaml:\d+:1: error OPC102 unknown field 'tabels'", out, re.M)
    write(project, {"config/mapping.yaml": text})  # among the documents: said what it is
    code, out, _ = run(capsys)
    assert "OPC011 a store mapping is not a document of the configuration" in out
