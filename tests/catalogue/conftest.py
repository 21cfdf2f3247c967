"""A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright) for the
browser tests. Without it they skip outside CI and fail in CI (CI=true), as PostgreSQL does.
playwright never downloads a browser here: ``scripts/browser`` installs Debian's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for a person to look at (gitignored).
SHOTS = Path(__file__).resolve().parents[1] / "out" / "catalogue"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests (see scripts/browser)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")  # playwright's sync API keeps an event loop running while
def browser() -> Iterator[Browser]:  # it is open: the language server's async tests need none
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
