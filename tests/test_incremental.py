"""Incremental validation gives what a full validation gives, after edits of files on disk
and of unsaved text, with only the changed files read again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import opconf.incremental
from opconf.incremental import Incremental
from opconf.load.discover import discover
from opconf.references import inspect_references
from opconf.workspace import absolute, validate_files

CASE = Path(__file__).parent / "cases" / "validate" / "one-round-every-rule"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(CASE, tmp_path / "case")
    monkeypatch.chdir(tmp_path / "case")
    return tmp_path / "case"


def _same(engine: Incremental, overlays: dict[str, str]) -> None:
    files = discover([Path("config")])
    refs, _ = inspect_references(Path("opconf.refs.yaml"))
    full = validate_files(files, refs, overlays)
    fast = engine.validate(files, refs, overlays)
    assert fast.diagnostics == full.diagnostics
    assert (fast.files, fast.objects, fast.config_digest) == (
        full.files,
        full.objects,
        full.config_digest,
    )


def test_edits_give_what_a_full_validation_gives(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Incremental()
    _same(engine, {})
    files = sorted((project / "config").rglob("*.yaml"))
    read: list[str] = []
    real = opconf.incremental.read_file
    monkeypatch.setattr(opconf.incremental, "read_file", lambda p, n: read.append(n) or real(p, n))
    _same(engine, {})
    assert read == []  # nothing changed: nothing read again
    first = files[0]
    text = first.read_text(encoding="utf-8")
    _same(engine, {absolute(first): text.replace("probability: 100", "probability: 90")})
    _same(engine, {absolute(first): text + "\n---\napiVersion: opconf/v1\nkind: Product\n"})
    second = files[-1]
    second.write_text(second.read_text(encoding="utf-8").replace("key:", "key: x", 1))
    os.utime(second, ns=(1, 1))
    read.clear()
    _same(engine, {})
    # The first file's unsaved text is gone (closed): back to the disk; the second changed.
    assert read == [f"config/{f.relative_to(project / 'config')}" for f in (first, second)]


@pytest.mark.parametrize(
    "case",
    sorted(p for p in CASE.parent.iterdir() if (p / "config").is_dir()),
    ids=lambda p: p.name,
)
def test_every_golden_case_cold_and_warm(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    engine = Incremental()
    _same(engine, {})
    _same(engine, {})
