"""The error hierarchy: everything a user can cause derives from OpconfError.

The CLI catches OpconfError, prints ``error: <message>`` plus an optional hint, and exits with
``exit_code``. Anything else is a bug and is reported as such.
"""

from __future__ import annotations

import errno
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


class Interrupted(StoreError):
    """Ctrl-C or SIGTERM during a write: the transaction was rolled back."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class PlanRefused(OpconfError):
    """The plan has errors or needs a flag (``--allow-destructive``) to apply."""

    exit_code = exitcodes.PROBLEMS


class FrozenError(PlanRefused):
    """A change-freeze window blocks the apply (``freeze:`` in opconf.yaml)."""


class FileError(OpconfError):
    """The operating system refused to read or write a file: permissions, a read-only file
    system, a full disk, a name too long, not a regular file. Build one with :func:`file_error`."""

    exit_code = exitcodes.IOERR

    def __init__(self, message: str, hint: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(message, hint)
        if exit_code is not None:
            self.exit_code = exit_code


_HINTS = {
    errno.EACCES: "check the permissions of the path and its folders",
    errno.EPERM: "check the permissions of the path and its folders",
    errno.EROFS: "the file system is read-only: choose a path on a writable one",
    errno.ENOTDIR: "a component of the path is a file, not a folder",
    errno.ENOENT: "check that the path and its folders exist",
    errno.EISDIR: "the path is a folder: name a file",
    errno.ENAMETOOLONG: "a component of the path is longer than the file system allows",
    errno.ELOOP: "the path runs through a loop of symbolic links",
    errno.EEXIST: "something else of that name is in the way",
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some disk space (quota exceeded)",
}
# Failures to create an output file (sysexits EX_CANTCREAT); anything else is EX_IOERR.
_CANT_CREATE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.ENOENT,
    errno.EISDIR,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EEXIST,
}


def file_error(exc: OSError, path: object = None, action: str | None = None) -> FileError:
    """The one-line error for an OSError: ``cannot <action> <path>: <reason>`` (or
    ``<path>: <reason>`` without an action), exit 73 when writing could not create the file,
    else 74. ``action`` is ``read``, ``write`` or ``create``."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or str(exc)
    message = f"{where}: {reason}" if where is not None else reason
    if action:
        message = f"cannot {action} {message}"
    creating = action in ("write", "create") and exc.errno in _CANT_CREATE
    hint = _HINTS.get(exc.errno or 0, "check the path, its permissions and the disk")
    return FileError(message, hint, exitcodes.CANTCREAT if creating else exitcodes.IOERR)
