"""The schema-valid documents, indexed for the cross-document rules."""

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
    # Documents of a known kind that failed the schema: not checked by the rules, but their
    # keys still exist, so references to them are not reported as unknown.
    invalid: list[Document] = field(default_factory=list)

    def add(self, kind: str, doc: Document) -> None:
        self.by_kind[kind].append(doc)
        self.by_key[kind].setdefault(doc.data["key"], doc)

    def add_invalid(self, kind: str, doc: Document) -> None:
        self.invalid.append(doc)
        key = doc.data.get("key")
        if isinstance(key, str):
            self.by_key[kind].setdefault(key, doc)

    def docs(self, kind: str) -> list[Document]:
        return self.by_kind.get(kind, [])

    def keys(self, kind: str) -> dict[str, Document]:
        return self.by_key.get(kind, {})


def enumerate_items(doc: Document, *path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) of a list field such as ``stages`` or ``members``."""
    value: Any = doc.data
    for part in path:
        value = value.get(part) or []
    yield from enumerate(value)


def steps(doc: Document) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(path, step) for every step of a template, in order."""
    for i, stage in enumerate(doc.data["stages"]):
        for j, step in enumerate(stage.get("steps") or ()):
            yield ("stages", i, "steps", j), step
