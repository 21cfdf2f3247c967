"""The error hierarchy: everything a user can cause derives from OpconfError.

The CLI catches OpconfError, prints ``error: <message>`` plus an optional hint, and exits with
``exit_code``. Anything else is a bug and is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from opconf import exitcodes
from opconf.diagnostics import Diagnostic


class OpconfError(Exception):
    """An expected failure with a one-line message and an optional hint."""

    exit_code = exitcodes.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(OpconfError):
    """Bad arguments, a missing path, an unreadable project file."""


class InvalidFileError(UsageError):
    """One of opconf's own files (``opconf.yaml``) has problems: all of them, located.

    The CLI prints each diagnostic on its own line before the error line.
    """

    def __init__(
        self, message: str, diagnostics: Sequence[Diagnostic], hint: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.diagnostics = tuple(diagnostics)


class StoreError(OpconfError):
    """The store cannot be used: unreachable, uninitialised, newer than this tool."""

    exit_code = exitcodes.STORE


class LockError(StoreError):
    """Another apply holds the store's lock."""


class StalePlanError(StoreError):
    """A saved plan no longer matches the store."""


class PlanRefused(OpconfError):
    """The plan has errors or needs a flag (``--allow-destructive``) to apply."""

    exit_code = exitcodes.PROBLEMS


class FrozenError(PlanRefused):
    """A change-freeze window blocks the apply (``freeze:`` in opconf.yaml)."""
