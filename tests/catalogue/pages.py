"""Shared by the catalogue tests: run the command in-process, read back what the page holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from opconf.cli import main

ROOT = Path(__file__).resolve().parents[2]
_DATA = re.compile(r'<script type="application/json" id="catalogue-data">(.*?)</script>', re.S)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``opconf ARGS`` in-process: exit code, stdout, stderr."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse exits on bad usage
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def data(page: Path) -> Any:
    """The details and aliases the page embeds for its script."""
    match = _DATA.search(page.read_text("utf-8"))
    assert match, "the page embeds no data"
    return json.loads(match[1])
