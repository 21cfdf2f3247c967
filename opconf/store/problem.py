"""One difference ``opconf store check`` reports (opconf/store/check.py, hazards.py)."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One difference: what is wrong, and the statement that fixes it."""

    message: str
    fix: str
