"""The rules across documents, each judging one group of documents at a time.

A group is every document sharing one value: a key, a name, a product code, a key folded to
lower case, a previous key, or a referenced product or coverage group (with the documents
defining it). A group's findings depend on its members alone (and, for an unknown reference's
"did you mean", on the keys of its kind), so after an edit only the groups the edited file
belonged to, before or after, need judging again (:mod:`opconf.incremental`). A full
validation judges every group (:func:`check`): both ways share this code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any

from opconf.diagnostics import did_you_mean
from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index

Group = tuple[str, str, Any]  # (rule, kind, value)
KeysOf = Callable[[str], Collection[str]]  # the keys defined for a kind

# (field, rule code, what messages call it, normal form) of the values unique per kind
_UNIQUE: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "key": ("OPC201", "key", lambda v: v),
    "name": ("OPC202", "name", str.casefold),
}
_REFERENCED = ("Product", "CoverageGroup")  # the kinds templates refer to


def where(doc: Document) -> str:
    return f"{doc.file}:{doc.line}:{doc.column}"


def memberships(kind: str, doc: Document) -> Iterator[Group]:
    """The groups ``doc`` (of ``kind``) belongs to, each once."""
    data = doc.data
    key = data.get("key")
    for field, (_, _, norm) in _UNIQUE.items():
        if data.get(field) is not None:
            yield f"unique-{field}", kind, norm(data[field])
    if kind == "Product" and data.get("code") is not None:
        yield "unique-code", kind, str(data["code"])
    if key is not None:
        yield "case", kind, key.casefold()
        if kind in _REFERENCED:
            yield "ref", kind, key
    previous = [key, *(data.get("previousKeys") or ())]
    for old in dict.fromkeys(k for k in previous if k is not None):
        yield "previous", kind, old
    if kind == "OpportunityTemplate":
        for k in dict.fromkeys(k for k in data.get("products") or () if k is not None):
            yield "ref", "Product", k
        group = data.get("defaultCoverageGroup")
        if group is not None:
            yield "ref", "CoverageGroup", group


def judge(group: Group, members: list[Document], keys_of: KeysOf) -> Iterator[Finding]:
    """The findings of one group; ``members`` in the order of the configuration."""
    rule, kind, value = group
    if rule == "case":
        yield from _case_twins(kind, members)
    elif rule == "previous":
        yield from _previous(kind, value, members)
    elif rule == "ref":
        yield from _references(kind, value, members, keys_of)
    else:
        yield from _unique(kind, rule.removeprefix("unique-"), members)


def _unique(kind: str, field: str, members: list[Document]) -> Iterator[Finding]:
    """OPC201–203: the second document with a key, name or product code."""
    code, what = _UNIQUE[field][:2] if field in _UNIQUE else ("OPC203", "")
    label = f"{kind} {what}" if what else "product code"
    first = members[0]
    for doc in members[1:]:
        message = f"{label} '{doc.data[field]}' is already used at {where(first)}"
        yield Finding(code, message, doc, (field,))


def _case_twins(kind: str, members: list[Document]) -> Iterator[Finding]:
    """OPC204: keys equal ignoring case name one file on macOS and Windows (export, accept)."""
    first = members[0]
    for doc in members[1:]:
        key = doc.data["key"]
        if key != first.data["key"]:
            message = (
                f"{kind} key '{key}' differs only in case from '{first.data['key']}' at "
                f"{where(first)}: file systems that ignore case cannot hold both"
            )
            yield Finding("OPC204", message, doc, ("key",))


def _previous(kind: str, old: str, members: list[Document]) -> Iterator[Finding]:
    """OPC230/231: a previous key still in use, or claimed twice."""
    live = next((d for d in members if d.data.get("key") == old), None)
    claimed: Document | None = None
    for doc in members:
        for i, item in enumerate(doc.data.get("previousKeys") or ()):
            if item != old:
                continue
            path = ("previousKeys", i)
            if live is not None:
                message = f"previous key '{old}' is still the key of a {kind} ({where(live)})"
                yield Finding("OPC230", message, doc, path)
            elif claimed is None:
                claimed = doc
            elif claimed is not doc:
                message = f"previous key '{old}' is also claimed at {where(claimed)}"
                yield Finding("OPC231", message, doc, path)


def _references(kind: str, key: str, members: list[Document], keys_of: KeysOf) -> Iterator[Finding]:
    """OPC210–212: templates point at products and coverage groups that exist (and are
    active)."""
    target = next((d for d in members if d.data.get("kind") == kind), None)
    for doc in members:
        if doc.data.get("kind") != "OpportunityTemplate":
            continue
        if kind == "CoverageGroup":
            if target is None and doc.data.get("defaultCoverageGroup") == key:
                message = f"unknown coverage group '{key}'{did_you_mean(key, keys_of(kind))}"
                yield Finding("OPC211", message, doc, ("defaultCoverageGroup",))
            continue
        active = doc.data.get("active", True)
        for i, item in enumerate(doc.data.get("products") or ()):
            if item != key:
                continue
            if target is None:
                message = f"unknown product '{key}'{did_you_mean(key, keys_of(kind))}"
                yield Finding("OPC210", message, doc, ("products", i))
            elif active and target.data.get("active", True) is False:
                message = f"active template sells inactive product '{key}'"
                yield Finding("OPC212", message, doc, ("products", i), severity="warning")


def check(index: Index) -> Iterator[Finding]:
    """Every group's findings, over a whole configuration."""
    groups: dict[Group, list[Document]] = {}
    for kind, docs in index.by_kind.items():
        for doc in docs:
            for group in memberships(kind, doc):
                groups.setdefault(group, []).append(doc)
    for group, members in groups.items():
        yield from judge(group, members, index.keys)
