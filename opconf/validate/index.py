"""The documents of a known kind, indexed for the cross-document rules.

A document with schema errors is here too, with its ill-typed nodes as ``None``
(:mod:`~opconf.validate.welltyped`): the rules skip what is ``None``, and by-key holds every
document whose key is well-typed, so references to it are not reported as unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opconf.load.yamlread import Document


@dataclass
class Index:
    """Documents by kind and by key (a key may appear twice: that is a rule violation)."""

    by_kind: dict[str, list[Document]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[str, dict[str, Document]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, kind: str, doc: Document) -> None:
        self.by_kind[kind].append(doc)
        key = doc.data.get("key")
        if key is not None:
            self.by_key[kind].setdefault(key, doc)

    def docs(self, kind: str) -> list[Document]:
        return self.by_kind.get(kind, [])

    def keys(self, kind: str) -> dict[str, Document]:
        return self.by_key.get(kind, {})


def enumerate_items(doc: Document, field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) of a list of mappings such as ``stages`` or ``members``; an ill-typed
    list or item (None) is skipped."""
    for i, item in enumerate(doc.data.get(field) or ()):
        if item is not None:
            yield i, item


def steps(doc: Document) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(path, step) for every well-typed step of a template, in order."""
    for i, stage in enumerate_items(doc, "stages"):
        for j, step in enumerate(stage.get("steps") or ()):
            if step is not None:
                yield ("stages", i, "steps", j), step
