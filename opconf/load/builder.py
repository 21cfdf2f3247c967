"""From a composed node tree to plain data: tags checked, duplicates and budgets enforced.

No tag outside the YAML core set is accepted (``!!python/...`` is never constructed);
duplicate mapping keys are errors, not "last one wins"; alias expansion has a budget
(billion laughs) and nesting a depth limit.
"""

from __future__ import annotations

from decimal import Decimal
from sys import intern
from typing import Any

import yaml

from opconf.diagnostics import Diagnostic
from opconf.load.scalars import (
    CORE_SCALAR_TAGS,
    INT,
    MAP,
    PLAIN,
    SEQ,
    STR,
    plain_scalar,
    short_tag,
)

MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000


class Fatal(Exception):
    """A problem that stops reading the rest of the file."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


class Builder:
    """Turns one composed node tree into plain data, collecting non-fatal problems."""

    def __init__(
        self,
        display: str,
        track_aliases: bool,
        nonspecific: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        self.display = display
        self.nonspecific = nonspecific  # offsets of scalars tagged '!': text, whatever they read
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
            if tag is PLAIN or tag == PLAIN:
                if self.nonspecific and node.start_mark.index in self.nonspecific:
                    return intern(node.value)
                return plain_scalar(node.value)
            if tag == STR:
                return intern(node.value)
            return self._tagged_scalar(node, path)
        if depth >= MAX_DEPTH:
            raise Fatal("OPC008", f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        if self.track:
            return self._build_tracked(node, depth, path)
        return self._collection(node, depth, path)

    def _collection(self, node: Any, depth: int, path: tuple[Any, ...]) -> Any:
        if node.tag != (SEQ if node.__class__ is yaml.SequenceNode else MAP):
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
            if key_node.tag in CORE_SCALAR_TAGS:  # !!int 1: a key that is not text
                message = f"mapping keys must be plain strings, not {short_tag(key_node.tag)}"
                self.problem("OPC009", message, key_node, path)
            elif key_node.tag not in (PLAIN, STR):
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
            raise Fatal("OPC005", "recursive alias", node.start_mark)
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
            raise Fatal(
                "OPC005",
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                node.start_mark,
            )

    def _tagged_scalar(self, node: Any, path: tuple[Any, ...]) -> Any:
        expected = CORE_SCALAR_TAGS.get(node.tag)
        if expected is None:
            self.problem("OPC004", f"unsupported tag {short_tag(node.tag)}", node, path)
            return node.value
        value = plain_scalar(node.value)
        if expected is Decimal and type(value) is int:
            value = Decimal(value)  # !!float 1 is the number 1
        if expected is int and type(value) is Decimal and INT.fullmatch(node.value):
            expected = Decimal  # an integer past int()'s digit limit
        if type(value) is not expected:
            message = f"'{node.value}' is not a valid {short_tag(node.tag)} value"
            self.problem("OPC004", message, node, path)
        return value
