"""Where things are in a composed YAML document: scalars, block scalar lines, entries.

Used by :mod:`opconf.emit.rewrite` to find every comment's owner in the input and the owner's
new place in the output. Core only: never prints, never exits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

EntryPath = tuple[Any, ...]  # mapping keys and list indexes from the document root
Span = tuple[int, int, int, int]  # start line, start column, end line, end column (exclusive)
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what ruamel.yaml counts as a line break

FREE, BLOCK, KEEP = 0, 1, 2  # a line outside block scalars, inside one, inside a ``|+`` one


@dataclass
class Entry:
    path: EntryPath  # mapping keys and list indexes from the document root
    head: int  # line of the key, or of the list item
    column: int  # column of the key, or of the item's dash
    eol: int  # line an end-of-line comment of this entry sits on
    flow: Span | None = None  # the value's span when it is a flow collection


def lines_of(text: str) -> list[str]:
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


def is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


class Layout:
    """Where things are in one composed document: scalars, block scalar lines, entries."""

    def __init__(self, root: Node, lines: list[str]) -> None:
        self.lines = lines
        self.spans: dict[int, list[Span]] = {}  # scalars by line: a ``#`` in one is no comment
        self.kinds: dict[int, int] = {}  # lines of block scalars, untouchable content
        self.end = root.start_mark.line  # last line with content
        for node in _nodes(root, set()):
            if isinstance(node, ScalarNode) and not is_empty(node):
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
            self.kinds.update(dict.fromkeys(range(first[0], end + 1), KEEP if keep else BLOCK))
        for line in range(first[0], end + 1):
            self.spans.setdefault(line, []).append((*first, end, col))
        self.end = max(self.end, end)

    def _entry(self, path: EntryPath, head: int, column: int, value: Node) -> Entry:
        block = isinstance(value, MappingNode | SequenceNode) and not value.flow_style
        inline = block or is_empty(value) or _style(value) in ("|", ">")
        start, end = value.start_mark, value.end_mark
        flow = (start.line, start.column, end.line, end.column) if _is_flow(value) else None
        return Entry(path, head, column, head if inline else end.line, flow)

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
