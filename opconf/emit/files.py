"""Writing generated files: compare first, refuse to overwrite without ``force``, then write
each file atomically (a temporary file in the same folder, renamed over the target).

Nothing is written when any target would be refused, so a refused run leaves the folder as it
was. Core only: never prints, never exits.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from opconf.errors import OpconfError

_LIST = 5  # files named in a message, at most


class WriteError(OpconfError):
    """A file cannot be written, or would be overwritten without ``--force``."""


@dataclass(frozen=True)
class Changes:
    """How the files compare with what the folder holds (relative paths)."""

    new: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    old: dict[str, str] = field(default_factory=dict)  # what a changed file holds now

    @property
    def to_write(self) -> tuple[str, ...]:
        return self.new + self.changed


def compare(out: Path, files: dict[str, str]) -> Changes:
    """Which of ``files`` are new, differ from the file there, or are already there."""
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    before: dict[str, str] = {}
    for rel, text in files.items():
        try:
            old = (out / rel).read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # not there: written later, or refused
            new.append(rel)
            continue
        except OSError as exc:
            raise WriteError(f"cannot read {out / rel}: {exc.strerror or exc}") from None
        if old == text.encode("utf-8"):
            unchanged.append(rel)
        else:
            changed.append(rel)
            before[rel] = old.decode("utf-8", errors="replace")
    return Changes(tuple(new), tuple(changed), tuple(unchanged), before)


def write(
    out: Path, files: dict[str, str], changes: Changes, force: bool, display: str
) -> tuple[str, ...]:
    """Write the new and changed files; without ``force`` a changed one is refused first."""
    if changes.changed and not force:
        shown = ", ".join(display + rel for rel in changes.changed[:_LIST])
        more = f" and {len(changes.changed) - _LIST} more" if len(changes.changed) > _LIST else ""
        count = len(changes.changed)
        raise WriteError(
            f"{count} file{'s' if count > 1 else ''} would be overwritten: {shown}{more}",
            hint="nothing was written; use --force to overwrite, or --check to see what differs",
        )
    for rel in changes.to_write:
        write_atomic(out / rel, files[rel])
    return changes.to_write


def write_atomic(path: Path, text: str) -> None:
    """``path`` holds ``text`` or what it held before, never a part of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(
            f"cannot write {path}: {exc.strerror or exc}", hint="check the --out folder"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
