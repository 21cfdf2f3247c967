"""The state of the configuration's git work tree, as a revision records it.

``HEAD`` alone does not say what was applied when the tree has uncommitted changes: a
revision then records ``dirty`` and a digest of the changed paths (their names, git status
and content), so that an auditor can tell the commit from what was really applied. Dirty
means: a tracked file of the repository differs from ``HEAD``, or the configuration folder
holds a file git does not track (it is applied all the same).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opconf.diagnostics import plural
from opconf.visible import visible


@dataclass(frozen=True)
class TreeState:
    """``commit``: HEAD of the work tree holding the configuration (None: not in one)."""

    commit: str | None
    paths: tuple[str, ...] = ()  # changed paths, relative to the repository's top
    digest: str | None = None  # sha256 of the changed paths: names, status and content

    @property
    def dirty(self) -> bool:
        return bool(self.paths)

    def record(self) -> dict[str, object]:
        """What the revision's summary holds about the tree (nothing when clean)."""
        return (
            {"dirty": True, "paths": len(self.paths), "digest": self.digest} if self.dirty else {}
        )

    def describe(self) -> str:
        """``3 uncommitted changes (config/a.yaml, opconf.yaml and 1 more)``."""
        shown = ", ".join(visible(p) for p in self.paths[:2]) + (
            f" and {len(self.paths) - 2} more" if len(self.paths) > 2 else ""
        )
        return f"{plural(len(self.paths), 'uncommitted change')} ({shown})"


def git_commit(folder: Path) -> str | None:
    """The commit checked out in ``folder``, when it is a git work tree."""
    out = _git(folder, "rev-parse", "HEAD")
    return out.strip() or None if out is not None else None


def tree_state(config: Path) -> TreeState:
    """The state of the work tree holding the configuration folder ``config``."""
    commit = git_commit(config)
    out = _git(config, "rev-parse", "--show-toplevel") if commit else None
    if not commit or not out:
        return TreeState(commit)
    top = out.strip()
    tracked = _git(config, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", top)
    untracked = _git(config, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
    if tracked is None or untracked is None:
        return TreeState(commit)
    changes = _status(tracked)
    changes.update({path: "??" for path in untracked.split("\0") if path})
    paths = tuple(sorted(changes))
    digest = _digest(Path(top), [(p, changes[p]) for p in paths]) if paths else None
    return TreeState(commit, paths, digest)


def _status(porcelain: str) -> dict[str, str]:
    """Path → its two-letter status (and source, for a rename), from ``git status
    --porcelain=v1 -z``."""
    out = {}
    entries = iter(porcelain.split("\0"))
    for entry in entries:
        if len(entry) > 3:
            out[entry[3:]] = entry[:2]
            if entry[0] in "RC":  # a rename or copy: its source path follows
                out[entry[3:]] += f" from {next(entries, '')}"
    return out


def _digest(top: Path, changes: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for path, status in changes:
        file = top / path
        content = file.read_bytes() if file.is_file() else b""
        h.update(f"{status} {path}\0{len(content)}\0".encode())
        h.update(content)
    return f"sha256:{h.hexdigest()}"


def _git(folder: Path, *args: str) -> str | None:
    """``git ARGS`` run in ``folder``: its output, or None when git fails, is missing or
    takes over 5 s (waiting on a lock, a slow network file system)."""
    try:
        out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None
