"""The on-disk cache of per-file results (``.opconf/cache``): a validation from the cache
gives exactly what one without it gives, and a damaged or foreign cache is ignored."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import opconf.incremental
from opconf.cli import main
from opconf.filecache import FOLDER, FileCache
from opconf.incremental import validate_cached
from opconf.project import inspect_project
from opconf.references import inspect_references
from opconf.validate import ValidationResult
from opconf.workspace import validate_in_project

CASES = Path(__file__).parent / "cases" / "validate"


def _validate(cache: Path | None) -> ValidationResult:
    policy = inspect_project("opconf.yaml")[0].policy if Path("opconf.yaml").exists() else None
    refs, problems = inspect_references(Path("opconf.refs.yaml"))
    config = Path("config")
    engine = validate_cached(cache) if cache else None
    return validate_in_project([config], config, refs, not problems, policy, engine)


def _facts(result: ValidationResult) -> object:
    return result.diagnostics, result.objects, result.config_digest, dict(result.index.by_kind)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed (not taken from the cache)."""
    names: list[str] = []
    real = opconf.incremental.read_raw_text

    def counting(raw: bytes, name: str, sha256: str | None = None) -> object:
        names.append(name)
        return real(raw, name, sha256)

    monkeypatch.setattr(opconf.incremental, "read_raw_text", counting)
    return names


@pytest.mark.parametrize(
    "case", sorted(p for p in CASES.iterdir() if (p / "config").is_dir()), ids=lambda p: p.name
)
def test_golden_case_twice_the_second_from_the_cache(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[str]
) -> None:
    monkeypatch.chdir(case)
    fresh = _facts(_validate(None))
    assert _facts(_validate(tmp_path)) == fresh
    parsed.clear()
    assert _facts(_validate(tmp_path)) == fresh
    assert parsed == []


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(CASES / "one-round-every-rule", tmp_path / "p")
    (tmp_path / "p" / "opconf.yaml").write_text("config: config/\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["validate", *args])
    return code, capsys.readouterr().out


def test_the_cli_keeps_results_in_the_project(
    project: Path, capsys: pytest.CaptureFixture[str], parsed: list[str]
) -> None:
    without = _cli(capsys, "--no-cache")
    assert not (project / ".opconf").exists()
    assert _cli(capsys) == without
    assert [p.name for p in (project / FOLDER).iterdir()] == [FileCache(project / FOLDER).file.name]
    parsed.clear()
    assert _cli(capsys) == without
    assert parsed == []
    edited = project / "config" / sorted(os.listdir(project / "config"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code, out = _cli(capsys)
    assert parsed == [f"config/{edited.name}"]  # only the changed file is read again
    assert (code, out) == _cli(capsys, "--no-cache")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-20],  # cut short
        lambda raw: raw[:-5] + b"xxxxx",  # changed
        lambda raw: b"",
    ],
    ids=["truncated", "corrupted", "empty"],
)
def test_a_damaged_cache_is_ignored(
    project: Path, capsys: pytest.CaptureFixture[str], parsed: list[str], damage: object
) -> None:
    without = _cli(capsys, "--no-cache")
    _cli(capsys)
    file = FileCache(project / FOLDER).file
    file.write_bytes(damage(file.read_bytes()))  # type: ignore[operator]
    parsed.clear()
    assert _cli(capsys) == without
    assert parsed  # read again
    assert _cli(capsys) == without  # and the cache written again


def _forge(file: Path, entries: object) -> None:
    import hashlib

    payload = pickle.dumps(entries, protocol=5)
    file.write_bytes(
        b"opconf-cache 1\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    )


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, ("touch pwned.marker",)


def test_a_foreign_cache_runs_no_code_and_is_ignored(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without = _cli(capsys, "--no-cache")
    _cli(capsys)
    file = FileCache(project / FOLDER).file
    entries = pickle.loads(file.read_bytes().split(b"\n", 2)[2])
    _forge(file, {key: ("not", "an", "entry") for key in entries})  # the wrong shape
    assert _cli(capsys) == without
    _forge(file, {key: _Payload() for key in entries})
    assert _cli(capsys) == without
    assert not (project / "pwned.marker").exists()
