"""From a diagnostic's line and column (where ``opconf validate`` points) to the span an
editor underlines, and the quick fix a "did you mean" offers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from opconf.authoring.symbols import Span, span_of
from opconf.diagnostics import Diagnostic
from opconf.load.locate import compose_all

_SUGGESTION = re.compile(r"\(did you mean '([^']+)'\?\)")
_TOKEN = re.compile(r"[^\s:,\[\]{}#]+|\S")


def spans(text: str, diagnostics: list[Diagnostic]) -> list[Span]:
    """The span of each diagnostic: the scalar starting at its position (a key, a value), else
    the word there; empty for diagnostics without a place."""
    starts = {(s.line, s.column): s for s in _scalars(text)} if diagnostics else {}
    lines = text.split("\n")
    out = []
    for d in diagnostics:
        line, column = max(d.line - 1, 0), max(d.column - 1, 0)
        found = starts.get((line, column))
        out.append(found if found is not None else _word(lines, line, column))
    return out


def _scalars(text: str) -> Iterator[Span]:
    """Every scalar node's span; a node reached again through an alias is walked once (an
    alias bomb is a small graph of nodes, an enormous tree)."""
    seen: set[int] = set()
    stack: list[Any] = compose_all(text)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield span_of(node)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _word(lines: list[str], line: int, column: int) -> Span:
    text = lines[line] if line < len(lines) else ""
    match = _TOKEN.match(text, column) if column < len(text) else None
    end = match.end() if match else column
    return Span(line, column, line, end)


def suggestion(message: str) -> str | None:
    """The replacement a "did you mean 'x'?" diagnostic proposes."""
    match = _SUGGESTION.search(message)
    return match.group(1) if match else None
