"""Line and column of a path inside a document, found only when a diagnostic needs them.

Positions are not recorded on the fast read path; a file is composed again (at C speed)
the first time one of its findings needs a place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from opconf.load.scalars import Composer


def compose_all(text: str) -> list[Any]:
    """The root node of each document of ``text`` (those before a syntax error, if any)."""
    return compose_documents(text)[0]


def compose_documents(text: str) -> tuple[list[Any], bool]:
    """:func:`compose_all`, and whether all of ``text`` composed (no syntax error)."""
    composer = Composer(text)
    nodes = []
    try:
        while composer.check_node():
            nodes.append(composer.get_node())
    except yaml.YAMLError:
        return nodes, False
    finally:
        composer.dispose()
    return nodes, True


class Locator:
    """Finds the line and column of a path inside a document, re-composing files on demand."""

    def __init__(self, source: Callable[[str], str]) -> None:
        self._source = source
        self._cache: dict[str, list[Any]] = {}

    def forget(self, file: str) -> None:
        """Compose ``file`` again when next asked (its text changed)."""
        self._cache.pop(file, None)

    def _nodes(self, file: str) -> list[Any]:
        if file not in self._cache:
            self._cache[file] = compose_all(self._source(file))
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
