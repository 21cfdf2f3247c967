"""Comment-preserving rewrites of YAML text (ruamel.yaml round-trip): generic, no opconf knowledge.

ruamel.yaml's round-trip mode keeps quoting, ``>-`` folded scalars, flow style and anchors,
but it attaches a comment to whatever node *precedes* it (a comment above ``key:`` belongs to
the previous key's value, possibly deep inside a nested list), so reordering keys would move
comments to the wrong place. :func:`rewrite` therefore takes comments over itself:

1. compose the text to find every comment and blank line and give it an owner by position: a
   full-line comment belongs to the outermost entry (mapping key or list item) starting on
   the next content line, an end-of-line comment to the innermost entry on its line;
2. drop ruamel's comments, reorder the mappings, dump each document;
3. compose the output and put every comment back next to the entry (by path) that owns it.

Lines before a document's first key (the ``# yaml-language-server: $schema=...`` modeline,
``---``) and after its last value stay where they are. Comments inside a multi-line flow
collection go above its entry; a comment above a key that becomes the first of its list item
goes above the item. Core only: never prints, never exits.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

WIDTH = 100
EntryPath = tuple[Any, ...]  # mapping keys and list indexes from the document root
Span = tuple[int, int, int, int]  # start line, start column, end line, end column (exclusive)
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what ruamel.yaml counts as a line break


class CannotFormat(Exception):
    """The text is not YAML fmt can read; ``line`` and ``column`` are 1-based."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(f"{line}:{column}: {reason}")
        self.line, self.column, self.reason = line, column, reason


def rewrite(text: str, change: Callable[[Any], None]) -> str:
    """Apply ``change`` to each document's round-trip data, dump it in the house layout.

    Every comment and blank line follows the mapping entry or list item that owns it (see the
    module docstring). Raises :class:`CannotFormat` when ``text`` is not YAML.
    """
    text = text.removeprefix("\ufeff")  # ruamel drops the byte order mark: so do the lines
    lines = _lines(text)
    roots, docs = _parse(text)
    out: list[tuple[str, int]] = []
    done = 0  # lines before ``done`` are in ``out``
    for root, doc in zip(roots, docs, strict=True):
        if _is_empty(root):
            continue  # an empty document: its lines are copied with the next gap
        layout = _Layout(root, lines)
        out += [(line, _FREE) for line in lines[done : root.start_mark.line]]
        notes = _collect(layout, root.start_mark.line)
        _prepare(doc, set())
        change(doc)
        out += _place(_dump(doc), notes)
        done = layout.end + 1
    return _join(out + [(line, _FREE) for line in lines[done:]])


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = WIDTH
    return yaml


def _parse(text: str) -> tuple[list[Node], list[Any]]:
    try:
        return list(_yaml().compose_all(text)), list(_yaml().load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        raise CannotFormat(
            mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, reason
        ) from None
    except YAMLError as exc:  # the reader's: a character YAML does not allow
        before = text[: getattr(exc, "position", 0)]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise CannotFormat(line, column, str(exc).splitlines()[0]) from None


def _dump(doc: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    body = stream.getvalue()
    return body[: -len("...\n")] if body.endswith("\n...\n") else body  # after a ``|+`` scalar


def _prepare(data: Any, seen: set[int]) -> None:
    """Drop ruamel's comments (fmt places them); keep anchors nothing refers to."""
    if id(data) in seen:
        return  # an alias: done already (and aliases may nest exponentially, or recurse)
    seen.add(id(data))
    anchor = getattr(data, Anchor.attrib, None)
    if anchor is not None and anchor.value:
        anchor.always_dump = True
    if isinstance(data, CommentedMap | CommentedSeq):
        data.ca.comment, data.ca.end = None, []
        data.ca.items.clear()
        for value in data.values() if isinstance(data, CommentedMap) else data:
            _prepare(value, seen)
    elif hasattr(data, "comment"):  # block scalars keep the comment after ``|``/``>``
        data.comment = None


# --- positions ------------------------------------------------------------------------------------

_FREE, _BLOCK, _KEEP = 0, 1, 2  # a line outside block scalars, inside one, inside a ``|+`` one


@dataclass
class _Entry:
    path: EntryPath  # mapping keys and list indexes from the document root
    head: int  # line of the key, or of the list item
    column: int  # column of the key, or of the item's dash
    eol: int  # line an end-of-line comment of this entry sits on
    flow: Span | None = None  # the value's span when it is a flow collection


def _lines(text: str) -> list[str]:
    """Split where ruamel.yaml counts line breaks, so marks and indexes agree."""
    lines = _BREAKS.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _nodes(node: Node, seen: set[int]) -> Iterator[Node]:
    """Every node once (aliases are not followed twice)."""
    if id(node) not in seen:
        seen.add(id(node))
        yield node
        for child in node.value if isinstance(node, MappingNode | SequenceNode) else ():
            for part in child if isinstance(child, tuple) else (child,):
                yield from _nodes(part, seen)


def _style(node: Node) -> str | None:
    return getattr(node, "style", None)


def _is_flow(node: Node) -> bool:
    return isinstance(node, MappingNode | SequenceNode) and bool(node.flow_style)


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


class _Layout:
    """Where things are in one composed document: scalars, block scalar lines, entries."""

    def __init__(self, root: Node, lines: list[str]) -> None:
        self.lines = lines
        self.spans: dict[int, list[Span]] = {}  # scalars by line: a ``#`` in one is no comment
        self.kinds: dict[int, int] = {}  # lines of block scalars, untouchable content
        self.end = root.start_mark.line  # last line with content
        for node in _nodes(root, set()):
            if isinstance(node, ScalarNode) and not _is_empty(node):
                self._scalar(node)
            elif _is_flow(node):
                self.end = max(self.end, node.end_mark.line)
        self.entries = [self._entry((), root.start_mark.line, root.start_mark.column, root)]
        self._visit(root, (), set())

    def _scalar(self, node: Node) -> None:
        start, end, col = node.start_mark, node.end_mark.line, node.end_mark.column
        first = (start.line, start.column)
        if end > start.line and (end >= len(self.lines) or not self.lines[end][:col].strip()):
            end, col = end - 1, 1 << 30  # the scalar ended with its line break
        if _style(node) in ("|", ">"):  # content starts below the header (``>-  # comment``)
            keep = "+" in self.lines[start.line][start.column : start.column + 3]
            while not keep and end > start.line and not self.lines[end].strip():
                end -= 1  # trailing blank lines are not content unless kept
            first, col = (start.line + 1, 0), 1 << 30
            self.kinds.update(dict.fromkeys(range(first[0], end + 1), _KEEP if keep else _BLOCK))
        for line in range(first[0], end + 1):
            self.spans.setdefault(line, []).append((*first, end, col))
        self.end = max(self.end, end)

    def _entry(self, path: EntryPath, head: int, column: int, value: Node) -> _Entry:
        block = isinstance(value, MappingNode | SequenceNode) and not value.flow_style
        inline = block or _is_empty(value) or _style(value) in ("|", ">")
        start, end = value.start_mark, value.end_mark
        flow = (start.line, start.column, end.line, end.column) if _is_flow(value) else None
        return _Entry(path, head, column, head if inline else end.line, flow)

    def _visit(self, node: Node, path: EntryPath, seen: set[int]) -> None:
        """Mapping entries and list items outside flow collections, in document order."""
        if id(node) in seen or _is_flow(node):
            return
        seen.add(id(node))
        items = node.value if isinstance(node, MappingNode | SequenceNode) else ()
        for index, item in enumerate(items):
            if isinstance(item, tuple):
                key, value = item
                here = (*path, key.value if isinstance(key, ScalarNode) else id(key))
                self.entries.append(
                    self._entry(here, key.start_mark.line, key.start_mark.column, value)
                )
            else:
                value, here = item, (*path, index)
                line, col = value.start_mark.line, value.start_mark.column
                dash = self.lines[line].rfind("-", 0, col) if line < len(self.lines) else -1
                self.entries.append(self._entry(here, line, dash if dash >= 0 else col, value))
            self._visit(value, here, seen)

    def inside(self, line: int, col: int, spans: Sequence[Span] | None = None) -> bool:
        spans = self.spans.get(line, ()) if spans is None else spans
        return any((s[0], s[1]) <= (line, col) < (s[2], s[3]) for s in spans)

    def comment_column(self, n: int) -> int | None:
        """Where the comment on line ``n`` starts (a blank line: its end); None if it has none."""
        line = self.lines[n]
        if not line.strip():
            return None if self.inside(n, 0) else len(line)
        col = line.find("#")
        while col >= 0:
            if (col == 0 or line[col - 1] in " \t") and not self.inside(n, col):
                return col
            col = line.find("#", col + 1)
        return None


# --- comments -------------------------------------------------------------------------------------

Eol = tuple[int, int, str]  # column, spaces before it, text


@dataclass
class _Notes:
    """The comments and blank lines of one document, by owning entry."""

    above: dict[EntryPath, list[str]] = field(default_factory=dict)
    eol: dict[EntryPath, list[Eol]] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)


def _eol_owners(entries: list[_Entry]) -> dict[int, _Entry]:
    """For each line, the innermost (then last) entry whose end-of-line comment sits on it."""
    owners: dict[int, _Entry] = {}
    for entry in entries:
        for line in {entry.head, entry.eol}:
            if line not in owners or len(entry.path) >= len(owners[line].path):
                owners[line] = entry
    return owners


def _collect(layout: _Layout, start: int) -> _Notes:
    """Give every comment and blank line of the document an owner (see the module docstring)."""
    entries, lines, notes = layout.entries, layout.lines, _Notes()
    ranked = sorted(entries, key=lambda e: (e.head, len(e.path)))  # stable: document order
    heads, eol_owners = [e.head for e in ranked], _eol_owners(entries)
    for n in range(start, layout.end + 1):
        col = layout.comment_column(n)
        if col is None:
            continue
        text, before = lines[n][col:].rstrip(), lines[n][:col]
        owner = next((e for e in entries if e.flow and layout.inside(n, col, [e.flow])), None)
        if owner is None and before.strip() and n in eol_owners:
            gap = len(before) - len(before.rstrip())
            notes.eol.setdefault(eol_owners[n].path, []).append((col, gap, text))
            continue
        index = bisect.bisect_right(heads, n)
        owner = owner or (ranked[index] if index < len(ranked) else None)
        if owner is None:
            notes.tail.append(lines[n].rstrip())
        else:
            notes.above.setdefault(owner.path, []).append(text)
    return notes


def _with_eol(line: str, comments: list[Eol]) -> str:
    for col, gap, text in comments:  # keep an aligned comment's column when the line leaves room
        line = line.rstrip()
        line += " " * max(col - len(line) if col <= WIDTH else 0, gap) + text
    return line


def _place(body: str, notes: _Notes) -> list[tuple[str, int]]:
    """The dumped document with its comments back in place, each line with its kind."""
    layout = _Layout(next(iter(_yaml().compose_all(body))), _lines(body))
    entries = {e.path: e for e in layout.entries}
    indent: dict[int, int] = {}
    for entry in layout.entries:  # comments above a line align with its outermost entry
        indent[entry.head] = min(indent.get(entry.head, entry.column), entry.column)
    above: dict[int, list[str]] = {}
    for path, texts in sorted(notes.above.items(), key=lambda item: len(item[0])):
        above.setdefault(_find(entries, path).head, []).extend(texts)
    eol: dict[int, list[Eol]] = {}
    for path, comments in notes.eol.items():
        eol.setdefault(_find(entries, path).eol, []).extend(comments)
    out = []
    for n, line in enumerate(layout.lines):
        out += [((" " * indent[n] + text) if text else "", _FREE) for text in above.get(n, [])]
        out.append((_with_eol(line, eol.get(n, [])), layout.kinds.get(n, _FREE)))
    return out + [(text, _FREE) for text in notes.tail]


def _find(entries: dict[EntryPath, _Entry], path: EntryPath) -> _Entry:
    while path not in entries:  # an entry that moved (anchors): its closest surviving parent
        path = path[:-1]
    return entries[path]


def _join(lines: list[tuple[str, int]]) -> str:
    """No trailing spaces, no runs of blank lines, nothing blank at either end of the file."""
    out: list[str] = []
    kinds: list[int] = []
    for text, kind in lines:
        if kind == _FREE:
            text = text.rstrip()
            if not text and (not out or not out[-1] or kinds[-1] == _KEEP):
                continue  # a blank line after a kept block scalar would become its content
        out.append(text)
        kinds.append(kind)
    while out and not out[-1] and kinds[-1] == _FREE:
        out.pop()
        kinds.pop()
    return "\n".join(out) + "\n" if out else ""
