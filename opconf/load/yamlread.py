"""Safe, fast YAML reading with JSON semantics (SPEC §3 layer 1).

libyaml (through PyYAML's C parser) composes the node tree; we build plain dicts, lists and
scalars from it ourselves, so that:

- plain scalars resolve by YAML 1.2 rules with JSON semantics: only ``true``/``false`` are
  booleans, only ``null``/``~``/empty are null, decimal integers and floats are numbers;
  ``yes``, ``NO``, ``on``, ``2024-01-01``, ``1_000``, ``0x1F`` stay strings;
- no tag outside the YAML core set is accepted (``!!python/...`` is never constructed);
- duplicate mapping keys are errors, not "last one wins";
- alias expansion has a budget (billion laughs), nesting a depth limit, files a size cap.

The pieces: :mod:`~opconf.load.scalars` (scalar resolution, the composer),
:mod:`~opconf.load.builder` (nodes to data, budgets), :mod:`~opconf.load.locate` (positions,
found only when a diagnostic needs them, which keeps the valid case at C speed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opconf.diagnostics import Diagnostic
from opconf.errors import UsageError
from opconf.fsio import MIB, ReadError, TooLarge, read_bytes
from opconf.load import oddities, tabs
from opconf.load.builder import MAX_DEPTH, Builder, Fatal
from opconf.load.scalars import Composer

MAX_FILE_BYTES = 5 * MIB


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a file, as plain data."""

    file: str  # as shown to the user (relative to the working directory when possible)
    index: int  # 0-based position of the document in its file
    line: int  # 1-based start of the document's top-level mapping
    column: int
    data: dict[str, Any]


@dataclass(slots=True)
class FileResult:
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, for the plan's config digest


def _fatal(display: str, code: str, message: str, line: int = 1, column: int = 1) -> FileResult:
    return FileResult(diagnostics=[Diagnostic(code, "error", message, display, line, column)])


def _decode(raw: bytes, display: str) -> str | FileResult:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return _fatal(
            display, "OPC001", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column
        )


def _yaml_error(display: str, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    if "maximum nesting depth" in problem:
        message = f"nesting deeper than {MAX_DEPTH} levels"
        return Diagnostic("OPC008", "error", message, display, line, column)
    context = getattr(exc, "context", None)
    first = getattr(exc, "context_mark", None)
    if context and "duplicate anchor" in context and first is not None:
        message = (
            f"YAML: an anchor of line {first.line + 1} is defined again here; opconf's YAML"
            " reader refuses a reused anchor name: give this one another name"
        )
        return Diagnostic("OPC002", "error", message, display, line, column)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Diagnostic("OPC002", "error", message, display, line, column)


_READINGS = 200  # lines of tabs read as spaces, at most, in one file


class _ReadAgain(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def read_text(text: str, display: str) -> FileResult:
    """Parse every document of ``text``; problems become diagnostics, never exceptions.
    Tabs YAML reads as white space where libyaml stops are read as spaces (:mod:`.tabs`): one
    line per reading, at most ``_READINGS`` times (each reads the whole text again)."""
    for _ in range(_READINGS):
        try:
            return _read_once(text, display, again=True)
        except _ReadAgain as again:
            text = again.text
    return _read_once(text, display, again=False)


def _read_once(text: str, display: str, again: bool) -> FileResult:
    result = FileResult()
    odd = oddities.find(text)
    if odd.problems:
        for at, message in odd.problems:
            line, column = _position(text, at)
            result.diagnostics.append(
                Diagnostic("OPC002", "error", f"YAML: {message}", display, line, column)
            )
        return result
    composer = Composer(text)
    track = "&" in text
    index = 0
    try:
        while composer.check_node():
            node: Any = composer.get_node()
            builder = Builder(display, track, odd.nonspecific)
            data = builder.build(node, 0, ())
            result.diagnostics.extend(builder.problems)
            mark = node.start_mark
            if data is None:
                pass  # an empty document (a lone '---' or only comments)
            elif not isinstance(data, dict):
                kind = "a list" if isinstance(data, list) else "a scalar"
                result.diagnostics.append(
                    Diagnostic(
                        "OPC007",
                        "error",
                        f"document is {kind}, expected a mapping",
                        display,
                        mark.line + 1,
                        mark.column + 1,
                    )
                )
            elif not builder.problems:
                result.documents.append(
                    Document(display, index, mark.line + 1, mark.column + 1, data)
                )
            index += 1
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; it has no mark
        line, column = _position(text, exc.position)
        message = f"YAML syntax error: character #x{exc.character:04x} is not allowed"
        result.diagnostics.append(Diagnostic("OPC002", "error", message, display, line, column))
    except yaml.YAMLError as exc:
        fixed = tabs.read_again(text, exc) if again else None
        if fixed is not None:
            raise _ReadAgain(fixed) from None
        result.diagnostics.append(_yaml_error(display, exc))
    except Fatal as exc:
        mark = exc.mark
        result.diagnostics.append(
            Diagnostic(exc.code, "error", exc.message, display, mark.line + 1, mark.column + 1)
        )
    finally:
        composer.dispose()
    return result


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_file(path: Path, display: str) -> FileResult:
    """Read one file (a regular file within the size cap), then :func:`read_text`."""
    raw = read_raw(path, display)
    return raw if isinstance(raw, FileResult) else read_raw_text(raw, display)


def read_raw(path: Path, display: str) -> bytes | FileResult:
    """The bytes of one file (a regular file within the size cap), or why it cannot be read."""
    try:
        return read_bytes(path, MAX_FILE_BYTES)
    except TooLarge as exc:
        mib = MAX_FILE_BYTES // MIB
        return _fatal(
            display, "OPC006", f"file is {exc.size / MIB:.1f} MiB, over the {mib} MiB cap"
        )
    except ReadError as exc:
        return _fatal(display, "OPC000", f"cannot read file: {exc.reason}")


def read_raw_text(raw: bytes, display: str, sha256: str | None = None) -> FileResult:
    """:func:`read_text` of a file's bytes (``sha256``: their digest, when known)."""
    text = _decode(raw, display)
    if isinstance(text, FileResult):
        return text
    result = read_text(text, display)
    result.sha256 = sha256 or hashlib.sha256(raw).hexdigest()
    return result


def read_mapping(path: Path, hint: str | None = None) -> dict[str, Any]:
    """A one-document YAML file of opconf's own data (the demo seed) as a mapping. A file that
    cannot be read is a :class:`~opconf.errors.FileError`; its first problem, located, is a
    usage error."""
    display = str(path)
    raw = read_bytes(path, MAX_FILE_BYTES)
    text = _decode(raw, display)
    result = text if isinstance(text, FileResult) else read_text(text, display)
    if result.diagnostics:
        d = result.diagnostics[0]
        raise UsageError(f"{d.file}:{d.line}:{d.column}: {d.message}", hint=hint)
    data: dict[str, Any] = result.documents[0].data if result.documents else {}
    return data
