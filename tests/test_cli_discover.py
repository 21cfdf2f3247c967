"""Where documents are found (README, "Where documents are found"), through ``opconf validate``:
``*.yaml``/``*.yml`` in any letter case, hidden names skipped, symbolic links followed to files
and folders alike, opconf's own files never documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.load.discover import discover

PRODUCT = "apiVersion: opconf/v1\nkind: Product\nkey: {key}\nname: {key}\ntype: deposit\n"


def _product(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PRODUCT.format(key=key), encoding="utf-8")


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_discovery_rule(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    _product(shared / "linked_folder.yaml", "linked_folder")
    _product(tmp_path / "elsewhere.yaml", "linked_file")
    config = tmp_path / "config"
    _product(config / "a.yaml", "a")
    _product(config / "Upper.YAML", "upper")
    _product(config / "b.Yml", "b")
    _product(config / ".hidden.yaml", "hidden")
    _product(config / ".git" / "x.yaml", "in_git")
    (config / "notes.txt").write_text("not yaml\n")
    (config / "more").symlink_to(shared)
    (config / "file.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (config / ".#a.yaml").symlink_to("someone@host.1234:1700000000")  # an editor's lock link
    (config / "loop").symlink_to(config)  # followed once, not forever
    assert [p.relative_to(config).as_posix() for p in discover([config])] == [
        "Upper.YAML",
        "a.yaml",
        "b.Yml",
        "file.yaml",
        "more/linked_folder.yaml",
    ]


def test_a_link_to_a_folder_is_followed_by_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _product(tmp_path / "shared" / "dup.yaml", "same")
    _product(tmp_path / "config" / "own.YAML", "same")
    (tmp_path / "config" / "shared").symlink_to(tmp_path / "shared")
    (tmp_path / "config" / ".#own.YAML").symlink_to("nobody@nowhere.1:1")
    code, out, err = _validate(capsys)
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out.splitlines()[0] == (
        "config/shared/dup.yaml:3:6: error OPC201 Product key 'same' is already used at "
        "config/own.YAML:1:1 (key)"
    )


@pytest.mark.parametrize("config", [".", "./"])
def test_project_and_refs_files_are_never_documents(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "opconf.yaml").write_text(f"config: {config}\n")
    (tmp_path / "opconf.refs.yaml").write_text(
        "users: []\ncoverageRoles: []\nproductTypes: [{code: deposit, name: Deposit}]\n"
    )
    _product(tmp_path / "products" / "p.yaml", "p")
    assert _validate(capsys) == (
        exitcodes.OK,
        "No problems in 1 file (1 object checked).\n",
        "",
    )


def test_a_fifo_given_by_name_is_read_as_a_file_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    code, out, err = _validate(capsys, "pipe.yaml")
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out.splitlines()[0] == (
        "pipe.yaml:1:1: error OPC000 cannot read file: not a regular file (a named pipe)"
    )
