"""How long the pure property tests search (examples per test): what the suite affords on two
cores. ``OPCONF_SEARCH=10`` multiplies every such budget by ten, for a bug hunt."""

from __future__ import annotations

import os

SCALE = float(os.environ.get("OPCONF_SEARCH", "1"))


def examples(n: int) -> int:
    """``n`` examples, scaled by ``OPCONF_SEARCH``."""
    return max(1, round(n * SCALE))
