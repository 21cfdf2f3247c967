"""``opconf fmt``: canonical key order and indentation, comments preserved (SPEC §3).

The rewriting itself (round-trip, comments kept with their keys) is :mod:`opconf.emit.rewrite`,
the order :mod:`opconf.emit.order`; this module handles files.
Core only: never prints, never exits.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from opconf.emit.order import canonical_order
from opconf.emit.rewrite import CannotFormat, rewrite
from opconf.fsio import ReadError, read_bytes
from opconf.load.discover import discover, display_names
from opconf.load.yamlread import MAX_FILE_BYTES, read_text

__all__ = ["CannotFormat", "Failure", "FmtResult", "format_paths", "format_text", "unified_diff"]


@dataclass(frozen=True)
class Failure:
    """A file that was left alone because it could not be read or parsed."""

    path: str
    line: int
    column: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: cannot format: {self.reason}"


@dataclass(frozen=True)
class FmtResult:
    """Outcome of :func:`format_paths`: changed files with their diffs, the rest, failures."""

    changed: tuple[tuple[str, str], ...] = ()  # (path, unified diff)
    unchanged: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()


# --- public API -----------------------------------------------------------------------------------


# Problems of the safe reader that mean "do not touch this file" (all but "not a mapping").
_UNREADABLE = {"OPC002", "OPC003", "OPC004", "OPC005", "OPC008", "OPC009"}


def format_text(text: str) -> str:
    """``text`` in canonical form; raises :class:`CannotFormat` when it is not YAML."""
    # The C-speed safe reader first: hostile input (bombs, deep nesting, foreign tags,
    # duplicate keys) is refused in milliseconds instead of after a slow round-trip parse.
    for problem in read_text(text, "").diagnostics:
        if problem.code in _UNREADABLE:
            raise CannotFormat(problem.line, problem.column, problem.message)
    try:
        return rewrite(text, canonical_order)
    except RecursionError:  # ruamel.yaml and fmt recurse once per level of nesting
        raise CannotFormat(1, 1, "nesting too deep") from None


def format_paths(paths: Sequence[Path], check: bool = False) -> FmtResult:
    """Format every YAML file under ``paths``; write the changed ones unless ``check``."""
    changed, unchanged, failures = [], [], []
    files = discover(paths)
    for path, name in display_names(files).items():
        try:
            old = _read(path)
            new = format_text(old)
            if new != old and not check:
                _write(path, new)
        except CannotFormat as exc:
            failures.append(Failure(name, exc.line, exc.column, exc.reason))
            continue
        if new == old:
            unchanged.append(name)
        else:
            changed.append((name, unified_diff(old, new, name)))
    return FmtResult(tuple(changed), tuple(unchanged), tuple(failures))


def unified_diff(old: str, new: str, name: str) -> str:
    """A ``git diff``-like patch from ``a/name`` to ``b/name``."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in lines)


def _read(path: Path) -> str:
    try:
        data = read_bytes(path, MAX_FILE_BYTES)
    except ReadError as exc:
        raise CannotFormat(1, 1, f"cannot read: {exc.reason}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line, column = head.count(b"\n") + 1, exc.start - (head.rfind(b"\n") + 1) + 1
        raise CannotFormat(line, column, "not UTF-8") from None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise CannotFormat(1, 1, f"cannot write: {exc.strerror or exc}") from None
