"""Golden cases for ``opconf validate``: one folder per case under ``tests/cases/validate/``.

A case folder holds ``config/`` (the documents), optionally ``opconf.refs.yaml`` (reference
data snapshot), and the reviewed results: ``expected.txt`` (the exact output of
``opconf validate config`` run in the case folder) and ``exit_code``. Adding a case is adding
a folder; ``OPCONF_REGEN=1 pytest tests/test_validate_cases.py`` (re)writes the results of
every case, which must then be read and reviewed before committing.

The hostile inputs that cannot be committed (a file over the size cap, a broken link) are
generated in a temporary folder by the tests at the end of this module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.load.yamlread import MAX_FILE_BYTES

CASES = Path(__file__).parent / "cases" / "validate"
REGEN = os.environ.get("OPCONF_REGEN") == "1"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "config").is_dir())


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(
    case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(case)
    before = _tree(case)
    code, out, err = _run(capsys, "config", "--no-cache")  # from the cache: test_filecache.py
    assert err == ""
    # Validation reads only: nothing is written (and no payload runs) in the case folder.
    assert _tree(case) == before
    expected, exit_code = case / "expected.txt", case / "exit_code"
    if REGEN:
        expected.write_text(out, encoding="utf-8")
        exit_code.write_text(f"{code}\n", encoding="utf-8")
        return
    missing = [f.name for f in (expected, exit_code) if not f.exists()]
    assert not missing, f"{missing} missing: run OPCONF_REGEN=1 pytest {__file__}, then review"
    assert out == expected.read_text(encoding="utf-8")
    assert code == int(exit_code.read_text(encoding="utf-8"))


def test_every_rule_code_has_a_case() -> None:
    """Every code validate can produce appears in a golden output (OPC3xx are plan's)."""
    from opconf.validate.catalogue import RULES

    seen = "".join((case / "expected.txt").read_text(encoding="utf-8") for case in _cases())
    # OPC000 (unreadable file) is covered by test_unreadable_file; OPC006 (size cap) by
    # test_file_over_the_size_cap. OPC109 is a fallback no current schema keyword reaches.
    untestable = {"OPC000", "OPC006", "OPC109"}
    codes = [code for code in RULES if code < "OPC300" and code not in untestable]
    missing = [code for code in codes if f" {code} " not in seen]
    assert missing == []


def test_python_tags_never_execute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``!!python/object/apply:os.system`` is reported, never constructed."""
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    monkeypatch.chdir(tmp_path)  # the payload would `touch pwned.marker` here
    payload = CASES / "hostile-python-tag" / "config" / "payload.yaml"
    code, out, _ = _run(capsys, str(payload))
    assert code == exitcodes.PROBLEMS
    assert "OPC004 unsupported tag !!python/object/apply:os.system" in out
    assert calls == []
    assert not (tmp_path / "pwned.marker").exists()


def test_file_over_the_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    big = config / "big.yaml"
    with big.open("w", encoding="utf-8") as f:
        f.write("apiVersion: opconf/v1\nkind: Product\ndescription: >-\n")
        line = "  " + "x" * 1022 + "\n"
        f.write(line * (MAX_FILE_BYTES // len(line) + 1))
    (config / "ok.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: ok\nname: OK\ntype: deposit\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "config")
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out == (
        "config/big.yaml:1:1: error OPC006 file is 5.0 MiB, over the 5 MiB cap\n"
        "info OPC290 reference checks skipped: no opconf.refs.yaml "
        "(write one with `opconf refs pull`)\n"
        "1 error, 0 warnings in 2 files (1 object checked)\n"
    )


def test_file_at_the_size_cap_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    head = "apiVersion: opconf/v1\nkind: Product\nkey: big\nname: Big\ntype: deposit\n"
    padding = "#" * 1023 + "\n"
    body = head + padding * ((MAX_FILE_BYTES - len(head)) // len(padding))
    body += "#" * (MAX_FILE_BYTES - len(body) - 1) + "\n"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "big.yaml").write_text(body, encoding="utf-8")
    assert (tmp_path / "config" / "big.yaml").stat().st_size == MAX_FILE_BYTES
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "config")
    assert code == exitcodes.OK
    assert out.endswith("No problems in 1 file (1 object checked).\n")


def test_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that vanished or cannot be opened (here: a dangling link) is OPC000, not a crash."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "config")
    assert (code, err) == (exitcodes.PROBLEMS, "")
    assert out.splitlines()[0] == (
        "config/gone.yaml:1:1: error OPC000 cannot read file: No such file or directory"
    )
