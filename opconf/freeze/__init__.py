"""Change-freeze windows (SPEC §11): ``freeze:`` in opconf.yaml, checked by apply.

:mod:`~opconf.freeze.window` reads windows and says when they are open,
:mod:`~opconf.freeze.decide` decides whether an apply may run (Argo CD's semantics),
:mod:`~opconf.freeze.guard` is apply's check, and :mod:`~opconf.freeze.status` describes the
windows for ``opconf freeze status``. All pure: the caller passes the instant.
"""

from __future__ import annotations

from opconf.freeze.decide import Decision, decide, touched_by
from opconf.freeze.guard import FreezeGuard, Override, blocked_line, when
from opconf.freeze.window import Opening, Window, WindowProblem, window_of

__all__ = [
    "Decision",
    "FreezeGuard",
    "Opening",
    "Override",
    "Window",
    "WindowProblem",
    "blocked_line",
    "decide",
    "touched_by",
    "when",
    "window_of",
]
