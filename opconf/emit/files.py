"""Writing generated files: compare first, refuse to overwrite without ``force``, then write
each file atomically (a temporary file in the same folder, renamed over the target) — or, into
a folder that does not exist yet, the whole folder at once (made beside it, then renamed).

Nothing is written when any target would be refused, so a refused run leaves the folder as it
was. Core only: never prints, never exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from opconf.errors import OpconfError
from opconf.fsio import exists, read_bytes, write_files, write_tree
from opconf.load.yamlread import MAX_FILE_BYTES

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
    fresh: bool = False  # the folder does not exist yet: every file is new

    @property
    def to_write(self) -> tuple[str, ...]:
        return self.new + self.changed


def compare(out: Path, files: dict[str, str]) -> Changes:
    """Which of ``files`` are new, differ from the file there, or are already there."""
    if not exists(out, "write"):
        return Changes(tuple(files), (), (), fresh=True)
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    before: dict[str, str] = {}
    for rel, text in files.items():
        if not exists(out / rel, "write"):  # not there: written later
            new.append(rel)
            continue
        old = read_bytes(out / rel, MAX_FILE_BYTES)  # a regular file, or a FileError
        if old == text.encode("utf-8"):
            unchanged.append(rel)
        else:
            changed.append(rel)
            before[rel] = old.decode("utf-8", errors="replace")
    return Changes(tuple(new), tuple(changed), tuple(unchanged), before)


def write(
    out: Path, files: dict[str, str], changes: Changes, force: bool, display: str
) -> tuple[str, ...]:
    """Write the new and changed files, all or none; without ``force`` a changed one is
    refused first."""
    if changes.changed and not force:
        shown = ", ".join(display + rel for rel in changes.changed[:_LIST])
        more = f" and {len(changes.changed) - _LIST} more" if len(changes.changed) > _LIST else ""
        count = len(changes.changed)
        raise WriteError(
            f"{count} file{'s' if count > 1 else ''} would be overwritten: {shown}{more}",
            hint="nothing was written; use --force to overwrite, or --check to see what differs",
        )
    if not changes.to_write:
        return ()
    if changes.fresh:  # a new folder: made whole beside it, then renamed into place
        write_tree(out, {rel: files[rel] for rel in changes.to_write})
    else:
        write_files({out / rel: files[rel] for rel in changes.to_write})
    return changes.to_write
