"""Fixtures of the drift tests: a configuration applied, and the same one in ``config/``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

try:
    from plan import helpers as h

    from drift.test_cases import CASES, apply_base
except ImportError:  # tests/ is a package
    from tests.drift.test_cases import CASES, apply_base  # type: ignore[no-redef]
    from tests.plan import helpers as h  # type: ignore[no-redef]


@pytest.fixture
def applied_from(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[[str], h.Env]:
    """A folder of ``tests/cases/drift`` applied, and the same configuration in ``config/``."""

    def make(base: str) -> h.Env:
        env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
        apply_base(env, tmp_path, CASES / base)
        shutil.copytree(CASES / base, env.root / "config")
        return env

    return make


@pytest.fixture
def applied(applied_from: Callable[[str], h.Env]) -> h.Env:
    """``tests/cases/drift/_applied``: two products, a group, a template."""
    return applied_from("_applied")


@pytest.fixture
def onboarding(applied_from: Callable[[str], h.Env]) -> h.Env:
    """``tests/cases/drift/_onboarding``: two products in one file, a five-member group,
    a template with steps and comments."""
    return applied_from("_onboarding")
