"""``opconf init`` from an empty folder to a plan, and opconf run below the project's folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_validate_store_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    assert run(capsys, "init") == (
        exitcodes.OK,
        "Started an opconf project in this folder: 14 files.\n"
        "Next: `opconf validate`, then `opconf store init --demo` and `opconf plan`.\n",
        "",
    )
    code, out, _ = run(capsys, "validate", "--strict")
    assert (code, out.splitlines()[-1]) == (0, "No problems in 3 files (3 objects checked).")
    assert run(capsys, "store", "init", "--demo")[0] == exitcodes.OK
    code, out, err = run(capsys, "plan")
    assert (code, err) == (exitcodes.OK, "")
    assert out.endswith("Plan: 3 to create, 0 to update, 0 to rename, 0 to delete.\n")
    assert (tmp_path / ".opconf" / "store.db").is_file()
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == ".opconf/\n"


def test_modelines_name_schemas_that_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", str(tmp_path / "new"))[0] == exitcodes.OK
    files = [tmp_path / "new" / "opconf.yaml", *(tmp_path / "new" / "config").rglob("*.yaml")]
    assert len(files) == 4
    for file in files:
        modeline = re.match(r"# yaml-language-server: \$schema=(\S+)\n", file.read_text("utf-8"))
        assert modeline, file
        assert (file.parent / modeline.group(1)).is_file()


def test_init_overwrites_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "opconf.yaml").write_text("mine\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    assert run(capsys, "init", str(tmp_path)) == (
        exitcodes.USAGE,
        "",
        f"error: {tmp_path}/opconf.yaml exists; opconf init overwrites nothing\n"
        "hint: run it in an empty folder, or start from the files it did not find\n",
    )
    assert (tmp_path / "opconf.yaml").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "opconf.yaml"]


def test_an_existing_gitignore_gains_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    assert run(capsys, "init", str(tmp_path))[0] == exitcodes.OK
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n.opconf/\n"


@pytest.mark.parametrize("project_file", [True, False])
def test_below_the_project_works_as_at_its_root(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    project_file: bool,
) -> None:
    """In config/templates: the documents are the project's, the store is beside them (never
    inside config/), with or without opconf.yaml."""
    assert run(capsys, "init", str(tmp_path))[0] == exitcodes.OK
    if not project_file:
        (tmp_path / "opconf.yaml").unlink()
    monkeypatch.chdir(tmp_path / "config" / "templates")
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    code, out, _ = run(capsys, "validate")
    assert (code, out.splitlines()[-1]) == (0, "No problems in 3 files (3 objects checked).")
    assert run(capsys, "store", "init", "--demo")[0] == exitcodes.OK
    assert (tmp_path / ".opconf" / "store.db").is_file()
    assert not (tmp_path / "config" / "templates" / ".opconf").exists()
    code, out, _ = run(capsys, "plan")
    assert (code, out.splitlines()[-1]) == (
        0,
        "Plan: 3 to create, 0 to update, 0 to rename, 0 to delete.",
    )


def test_validate_a_file_with_the_project_as_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The template names a product and a group of other files: no "unknown product"."""
    assert run(capsys, "init", str(tmp_path))[0] == exitcodes.OK
    monkeypatch.chdir(tmp_path / "config" / "templates")
    code, out, _ = run(capsys, "validate", "example_onboarding.yaml")
    assert (code, out.splitlines()[-1]) == (0, "No problems in 1 file (1 object checked).")


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_without_a_project_it_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, command) == (
        exitcodes.USAGE,
        "",
        f"error: path {tmp_path}/config does not exist (no opconf.yaml here or in any folder "
        "above)\nhint: start a project with `opconf init`, or run opconf in the project's "
        "folder\n",
    )


def test_with_a_project_file_but_no_documents_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "opconf.yaml").write_text("config: docs/\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert run(capsys, "plan") == (
        exitcodes.USAGE,
        "",
        f"error: path {tmp_path}/docs does not exist\n"
        "hint: create it, or set `config:` in ../opconf.yaml\n",
    )
