"""Keys, names and product codes are unique per kind; previousKeys are consistent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from opconf.kinds import KINDS
from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index


def _where(doc: Document) -> str:
    return f"{doc.file}:{doc.line}:{doc.column}"


def _unique(
    docs: list[Document], field: str, code: str, what: str, norm: Callable[[Any], Any]
) -> Iterator[Finding]:
    first: dict[Any, Document] = {}
    for doc in docs:
        value = doc.data.get(field)
        if value is None:
            continue
        other = first.setdefault(norm(value), doc)
        if other is not doc:
            message = f"{what} '{value}' is already used at {_where(other)}"
            yield Finding(code, message, doc, (field,))


def check(index: Index) -> Iterator[Finding]:
    for kind in KINDS:
        docs = index.docs(kind)
        yield from _unique(docs, "key", "OPC201", f"{kind} key", lambda v: v)
        yield from _case_twins(kind, docs)
        yield from _unique(docs, "name", "OPC202", f"{kind} name", str.casefold)
        yield from _previous_keys(kind, docs, index)
    yield from _unique(index.docs("Product"), "code", "OPC203", "product code", str)


def _case_twins(kind: str, docs: list[Document]) -> Iterator[Finding]:
    """OPC204: keys equal ignoring case name one file on macOS and Windows (export, accept)."""
    first: dict[str, Document] = {}
    for doc in docs:
        key = doc.data.get("key")
        if key is None:
            continue
        other = first.setdefault(key.casefold(), doc)
        if other is not doc and other.data["key"] != key:
            message = (
                f"{kind} key '{key}' differs only in case from '{other.data['key']}' at "
                f"{_where(other)}: file systems that ignore case cannot hold both"
            )
            yield Finding("OPC204", message, doc, ("key",))


def _previous_keys(kind: str, docs: list[Document], index: Index) -> Iterator[Finding]:
    live = index.keys(kind)
    claimed: dict[str, Document] = {}
    for doc in docs:
        for i, old in enumerate(doc.data.get("previousKeys") or ()):
            path = ("previousKeys", i)
            if old is None:
                continue
            if old in live:
                message = f"previous key '{old}' is still the key of a {kind} ({_where(live[old])})"
                yield Finding("OPC230", message, doc, path)
            elif claimed.setdefault(old, doc) is not doc:
                message = f"previous key '{old}' is also claimed at {_where(claimed[old])}"
                yield Finding("OPC231", message, doc, path)
