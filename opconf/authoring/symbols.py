"""Where every key is defined and referenced, with exact spans: what an editor navigates.

A symbol names one thing: ``("Product", "brokerage")``, ``("Stage", "new_account", "qualify")``
(a stage key is unique in its template), or CRM reference data: ``("user", "ajones")``,
``("role", "advisor")``, ``("productType", "deposit")`` (defined in ``opconf.refs.yaml``).
Files are composed again (libyaml, at C speed) for their node marks; a file that does not
parse contributes what parsed before the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from opconf.kinds import KINDS
from opconf.load.locate import compose_documents

Symbol = tuple[str, ...]
# The reference data sections of opconf.refs.yaml: section → (field, symbol kind).
REFS_SECTIONS = {
    "users": ("login", "user"),
    "coverageRoles": ("code", "role"),
    "productTypes": ("code", "productType"),
}


@dataclass(frozen=True, slots=True)
class Span:
    """0-based lines and columns, the end exclusive (as the editor counts them)."""

    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, line: int, column: int) -> bool:
        after_start = (line, column) >= (self.line, self.column)
        return after_start and (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class Occurrence:
    file: str  # absolute path
    span: Span
    symbol: Symbol
    definition: bool
    text: str  # the key as written
    mapping: Any = field(default=None, compare=False)  # definitions: the mapping node


def span_of(node: Any) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line, start.column, end.line, end.column)


def fields(node: Any) -> dict[str, Any]:
    """A mapping node's value nodes by (scalar) key; anything else has none."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def items(node: Any) -> list[Any]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def scalar(node: Any) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) and node.value else None


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Occurrence] = []

    def add(self, node: Any, symbol: Symbol, definition: bool = False, mapping: Any = None) -> None:
        value = scalar(node)
        if value is not None:
            occurrence = Occurrence(
                self.file, span_of(node), (*symbol, value), definition, value, mapping
            )
            self.found.append(occurrence)


def document_symbols(
    file: str, text: str, refs_file: bool = False
) -> tuple[list[Occurrence], bool]:
    """Every definition and reference in ``text`` (the file at absolute path ``file``), and
    whether all of it parsed (else only the documents before the syntax error count)."""
    collector = _Collector(file)
    roots, whole = compose_documents(text)
    for root in roots:
        if refs_file:
            _refs(collector, fields(root))
        else:
            _document(collector, root)
    return collector.found, whole


def _refs(c: _Collector, top: dict[str, Any]) -> None:
    for section, (name, kind) in REFS_SECTIONS.items():
        for entry in items(top.get(section)):
            c.add(fields(entry).get(name), (kind,), definition=True, mapping=entry)


def _document(c: _Collector, root: Any) -> None:
    top = fields(root)
    kind = scalar(top.get("kind"))
    if kind not in KINDS:
        return
    assert kind is not None
    c.add(top.get("key"), (kind,), definition=True, mapping=root)
    if kind == "Product":
        c.add(top.get("type"), ("productType",))
    elif kind == "CoverageGroup":
        for member in items(top.get("members")):
            _people(c, fields(member))
    else:
        _template(c, top)


def _people(c: _Collector, entry: dict[str, Any]) -> None:
    c.add(entry.get("user"), ("user",))
    c.add(entry.get("role"), ("role",))


def _template(c: _Collector, top: dict[str, Any]) -> None:
    for product in items(top.get("products")):
        c.add(product, ("Product",))
    c.add(top.get("defaultCoverageGroup"), ("CoverageGroup",))
    template = scalar(top.get("key")) or ""
    for stage in items(top.get("stages")):
        parts = fields(stage)
        c.add(parts.get("key"), ("Stage", template), definition=True, mapping=stage)
        for replaced in items(parts.get("replaces")):
            c.add(replaced, ("Stage", template))
        for step in items(parts.get("steps")):
            _people(c, fields(fields(step).get("assignee")))


def at(occurrences: list[Occurrence], line: int, column: int) -> Occurrence | None:
    """The occurrence under the cursor, if any."""
    for occurrence in occurrences:
        if occurrence.span.contains(line, column):
            return occurrence
    return None


def of_symbol(occurrences: list[Occurrence], symbol: Symbol) -> Iterator[Occurrence]:
    return (o for o in occurrences if o.symbol == symbol)
