"""Golden pages: one folder per case under ``tests/cases/catalogue/``.

A case holds ``config/`` (the documents) and ``expected.html``, the exact page that
``opconf catalogue`` writes in the case folder. With a ``store/`` folder too, that
configuration is first applied to a fresh SQLite store (seeded with the demo's CRM reference
data) and the page is drawn with ``--plan``: the plan from there to ``config/``. Adding a case
is adding a folder; ``OPCONF_REGEN=1 pytest tests/catalogue/test_cases.py`` (re)writes every
``expected.html``, which must then be looked at (in a browser) before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]

from .pages import ROOT, run

CASES = ROOT / "tests" / "cases" / "catalogue"
REGEN = os.environ.get("OPCONF_REGEN") == "1"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "config").is_dir())


def _saved_plan(case: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The plan from ``case/store`` (applied to a fresh store) to ``case/config``."""
    url = f"sqlite:///{tmp}/store.db"
    h.seed(url, h.reference_seed(tmp))
    base = tmp / "base"
    shutil.copytree(case / "store", base / "config")
    os.chdir(base)
    assert run(capsys, "apply", "--auto-approve", "--store", url)[0] == 0
    os.chdir(case)
    plan = tmp / "plan.json"
    assert run(capsys, "plan", "--out", str(plan), "--store", url)[0] == 0
    return plan


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(
    case: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(case)
    args = ["catalogue", "--out", str(tmp_path / "site")]
    if (case / "store").is_dir():
        args += ["--plan", str(_saved_plan(case, tmp_path, capsys))]
    code, _, err = run(capsys, *args)
    assert (code, err) == (0, "")
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    expected = case / "expected.html"
    if REGEN:
        expected.write_text(page, encoding="utf-8")
        return
    assert expected.exists(), f"run OPCONF_REGEN=1 pytest {__file__}, then review"
    assert page == expected.read_text(encoding="utf-8")
