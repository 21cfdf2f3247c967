"""A user is at most once in a coverage group (an ill-typed user, None, is skipped)."""

from __future__ import annotations

from collections.abc import Iterator

from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index, enumerate_items


def check(index: Index) -> Iterator[Finding]:
    for doc in index.docs("CoverageGroup"):
        yield from check_document(doc)


def check_document(doc: Document) -> Iterator[Finding]:
    """The findings of one coverage group."""
    seen: dict[str, int] = {}
    for i, member in enumerate_items(doc, "members"):
        user = member.get("user")
        if user is None:
            continue
        if user in seen:
            message = f"user '{user}' is already a member (members[{seen[user]}])"
            yield Finding("OPC240", message, doc, ("members", i, "user"))
        seen.setdefault(user, i)
