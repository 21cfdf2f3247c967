"""A template lists each product once (whether the products exist: :mod:`.groups`)."""

from __future__ import annotations

from collections.abc import Iterator

from opconf.load.yamlread import Document
from opconf.validate.finding import Finding


def check_document(doc: Document) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, key in enumerate(doc.data.get("products") or ()):
        if key is None:
            continue
        if key in seen:
            yield Finding("OPC213", f"product '{key}' is listed twice", doc, ("products", i))
        seen.add(key)
