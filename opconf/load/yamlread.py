"""Safe, fast YAML reading with JSON semantics (SPEC §3 layer 1).

libyaml (through PyYAML's C parser) composes the node tree; we build plain dicts, lists and
scalars from it ourselves, so that:

- plain scalars resolve by YAML 1.2 rules with JSON semantics: only ``true``/``false`` are
  booleans, only ``null``/``~``/empty are null, decimal integers and floats are numbers;
  ``yes``, ``NO``, ``on``, ``2024-01-01``, ``1_000``, ``0x1F`` stay strings;
- no tag outside the YAML core set is accepted (``!!python/...`` is never constructed);
- duplicate mapping keys are errors, not "last one wins";
- alias expansion has a budget (billion laughs), nesting a depth limit, files a size cap.

Positions are not recorded on the fast path: :class:`Locator` re-composes a file only when a
diagnostic needs a line and column, which keeps the common (valid) case at C speed.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import yaml
from yaml._yaml import CParser

from opconf.diagnostics import Diagnostic

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000

_PLAIN = "tag:opconf,2024:plain"  # our marker for an untagged plain scalar
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_CORE_SCALAR_TAGS = {
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("-+.0123456789")


def short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/name`` → ``!!python/name``, as the user wrote it."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def plain_scalar(value: str) -> Any:
    """Resolve an untagged plain scalar (YAML 1.2, JSON semantics)."""
    if not value:
        return None
    if value[0] in _NUMBER_START:
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            number = float(value)
            # JSON has no infinity (1e400), and a float keeps ~17 digits: a number that would
            # not come back exactly stays the text it is, for the schema to report.
            return number if math.isfinite(number) and _exact(number, value) else value
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value == "null" or value == "~":
        return None
    # Configurations repeat the same few thousand strings (types, codes, logins) many times.
    return intern(value)


def _exact(number: float, text: str) -> bool:
    return Decimal(repr(number)) == Decimal(text)


class _Composer(CParser):
    """libyaml's composer with a resolver that only marks plain scalars."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


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


class _Fatal(Exception):
    """A problem that stops reading the rest of the file."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


class _Builder:
    """Turns one composed node tree into plain data, collecting non-fatal problems."""

    def __init__(self, display: str, track_aliases: bool) -> None:
        self.display = display
        self.problems: list[Diagnostic] = []
        self.track = track_aliases
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.expanding = 0
        self.alias_nodes = 0

    def problem(self, code: str, message: str, node: Any, path: tuple[Any, ...]) -> None:
        mark = node.start_mark
        self.problems.append(
            Diagnostic(code, "error", message, self.display, mark.line + 1, mark.column + 1, path)
        )

    def build(self, node: Any, depth: int, path: tuple[Any, ...]) -> Any:
        cls = node.__class__
        if cls is yaml.ScalarNode:
            if self.expanding:
                self._count_alias(node)
            tag = node.tag
            if tag is _PLAIN or tag == _PLAIN:
                value = plain_scalar(node.value)
                if value.__class__ is str and value[0] in _NUMBER_START and _FLOAT.fullmatch(value):
                    message = (
                        f"number {value} cannot be kept exactly (too many digits, or too large)"
                    )
                    self.problem("OPC106", message, node, path)
                return value
            if tag == _STR:
                return intern(node.value)
            return self._tagged_scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _Fatal("OPC008", f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        if self.track:
            return self._build_tracked(node, depth, path)
        return self._collection(node, depth, path)

    def _collection(self, node: Any, depth: int, path: tuple[Any, ...]) -> Any:
        if node.tag != (_SEQ if node.__class__ is yaml.SequenceNode else _MAP):
            self.problem("OPC004", f"unsupported tag {short_tag(node.tag)}", node, path)
        if node.__class__ is yaml.SequenceNode:
            build = self.build
            return [build(item, depth + 1, (*path, i)) for i, item in enumerate(node.value)]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                self.problem("OPC009", "mapping keys must be plain strings", key_node, path)
                continue
            key = intern(key_node.value)  # a few dozen distinct keys, repeated millions of times
            if key_node.tag not in (_PLAIN, _STR):
                message = f"unsupported tag {short_tag(key_node.tag)}"
                self.problem("OPC004", message, key_node, path)
            if key in out:
                self.problem("OPC003", f"duplicate key '{key}'", key_node, (*path, key))
                continue
            out[key] = self.build(value_node, depth + 1, (*path, key))
        return out

    def _build_tracked(self, node: Any, depth: int, path: tuple[Any, ...]) -> Any:
        ident = id(node)
        if ident in self.active:
            raise _Fatal("OPC005", "recursive alias", node.start_mark)
        alias = ident in self.seen
        self.seen.add(ident)
        self.active.add(ident)
        self.expanding += alias
        try:
            if self.expanding:
                self._count_alias(node)
            return self._collection(node, depth, path)
        finally:
            self.expanding -= alias
            self.active.discard(ident)

    def _count_alias(self, node: Any) -> None:
        self.alias_nodes += 1
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Fatal(
                "OPC005",
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                node.start_mark,
            )

    def _tagged_scalar(self, node: Any, path: tuple[Any, ...]) -> Any:
        expected = _CORE_SCALAR_TAGS.get(node.tag)
        if expected is None:
            self.problem("OPC004", f"unsupported tag {short_tag(node.tag)}", node, path)
            return node.value
        value = plain_scalar(node.value)
        if expected is float and type(value) is int:
            value = float(value)  # !!float 1 is 1.0
        if type(value) is not expected:
            message = f"'{node.value}' is not a valid {short_tag(node.tag)} value"
            self.problem("OPC004", message, node, path)
        return value


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
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Diagnostic("OPC002", "error", message, display, line, column)


def read_text(text: str, display: str) -> FileResult:
    """Parse every document of ``text``; problems become diagnostics, never exceptions."""
    result = FileResult()
    composer = _Composer(text)
    track = "&" in text
    index = 0
    try:
        while composer.check_node():
            node: Any = composer.get_node()
            builder = _Builder(display, track)
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
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"YAML syntax error: character #x{exc.character:04x} is not allowed"
        result.diagnostics.append(Diagnostic("OPC002", "error", message, display, line, column))
    except yaml.YAMLError as exc:
        result.diagnostics.append(_yaml_error(display, exc))
    except _Fatal as exc:
        mark = exc.mark
        result.diagnostics.append(
            Diagnostic(exc.code, "error", exc.message, display, mark.line + 1, mark.column + 1)
        )
    finally:
        composer.dispose()
    return result


def read_file(path: Path, display: str) -> FileResult:
    """Read one file: size cap, UTF-8, then :func:`read_text`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mib = MAX_FILE_BYTES // (1024 * 1024)
            return _fatal(
                display, "OPC006", f"file is {size / 1048576:.1f} MiB, over the {mib} MiB cap"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return _fatal(display, "OPC000", f"cannot read file: {exc.strerror}")
    text = _decode(raw, display)
    if isinstance(text, FileResult):
        return text
    result = read_text(text, display)
    result.sha256 = hashlib.sha256(raw).hexdigest()
    return result


class Locator:
    """Finds the line and column of a path inside a document, re-composing files on demand."""

    def __init__(self, source: Callable[[str], str]) -> None:
        self._source = source
        self._cache: dict[str, list[Any]] = {}

    def _nodes(self, file: str) -> list[Any]:
        if file not in self._cache:
            composer = _Composer(self._source(file))
            nodes = []
            try:
                while composer.check_node():
                    nodes.append(composer.get_node())
            except yaml.YAMLError:
                pass
            finally:
                composer.dispose()
            self._cache[file] = nodes
        return self._cache[file]

    def position(
        self, file: str, index: int, path: tuple[Any, ...], at_key: bool = False
    ) -> tuple[int, int]:
        """1-based (line, column) of the deepest node along ``path``.

        With ``at_key`` the last path element is a mapping key and its key node is returned
        (for "unknown field" diagnostics).
        """
        nodes = self._nodes(file)
        if index >= len(nodes):
            return 1, 1
        node = nodes[index]
        for i, part in enumerate(path):
            child = _child(node, part, key_node=at_key and i == len(path) - 1)
            if child is None:
                break
            node = child
        mark = node.start_mark
        return mark.line + 1, mark.column + 1


def _child(node: Any, part: Any, key_node: bool) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key if key_node else value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
