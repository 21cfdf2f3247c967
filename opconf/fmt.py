"""``opconf fmt``: canonical key order and indentation, comments preserved (SPEC §3).

The rewriting itself (round-trip, comments kept with their keys) is :mod:`opconf.yamledit`;
this module knows the canonical order and handles files.
Core only: never prints, never exits.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap

from opconf.fsio import ReadError, read_bytes
from opconf.load.discover import discover, display_names
from opconf.load.yamlread import MAX_FILE_BYTES, read_text
from opconf.models import MODELS
from opconf.yamledit import CannotFormat, rewrite

HEAD = ("apiVersion", "kind", "key", "name", "previousKeys", "description")


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


# --- key order ------------------------------------------------------------------------------------


@cache
def _order(model: type[BaseModel], document: bool) -> tuple[str, ...]:
    fields = tuple(model.model_fields)
    return HEAD + tuple(f for f in fields if f not in HEAD) if document else fields


@cache
def _children(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel]], ...]:
    """Fields holding exactly one nested model (``stages: list[Stage]``) and that model."""

    def models(annotation: Any) -> Iterator[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield annotation
        for arg in get_args(annotation):
            yield from models(arg)

    found = ((name, list(models(f.annotation))) for name, f in model.model_fields.items())
    return tuple((name, inner[0]) for name, inner in found if len(inner) == 1)


def _reorder(data: Any, model: type[BaseModel] | None, document: bool = False) -> None:
    """Put known keys in model order, unknown keys after them in their original order."""
    if not isinstance(data, CommentedMap):
        return
    order = _order(model, document) if model else HEAD
    for key in [k for k in order if k in data] + [k for k in data if k not in order]:
        data.move_to_end(key)
    for name, child in _children(model) if model else ():
        value = data.get(name)
        for item in value if isinstance(value, list) else [value]:
            _reorder(item, child)


def canonical_order(doc: Any) -> None:
    """Reorder one document's round-trip data in place: envelope, the kind's fields, the rest."""
    kind = doc.get("kind") if isinstance(doc, CommentedMap) else None
    _reorder(doc, MODELS.get(kind) if isinstance(kind, str) else None, document=True)
