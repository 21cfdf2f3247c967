"""Keys changed and objects deleted in the CRM, followed through the configuration by accept.

A key changed in the CRM (the row kept, its key changed) is written into the document, and
the old key goes into ``previousKeys`` when the rules allow it (it is no key and no previous
key of another object of the kind): the store already holds the new key, so the plan matches
by it and the entry changes nothing here, but another store the configuration is applied to
(a staging target) still holds the old key and is then renamed in place instead of losing
the row to a delete and a create. References to the old key (a template's ``products``, its
``defaultCoverageGroup``) follow the new key; references to a deleted object are removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from opconf.plan.diff import Desired

Moved = Mapping[tuple[str, str], str | None]  # (kind, key) → key in the store; None: deleted
Change = Callable[[Any], None]


def names(doc: Any, kind: str, key: str) -> bool:
    """``doc`` (a document's round-trip data) is the object ``kind``/``key``."""
    return isinstance(doc, dict) and doc.get("kind") == kind and doc.get("key") == key


def history(kind: str, old: str, desired: Iterable[Desired], taken: set[str]) -> str | None:
    """``old`` when it can go into ``previousKeys`` of its object: no other object of
    ``kind`` claims it (``taken``: keys the objects of ``kind`` have in the CRM now)."""
    if old in taken or any(d.kind == kind and old in d.previous_keys for d in desired):
        return None
    return old


def source_path(d: Desired) -> Path:
    return Path(d.source.rsplit(":", 2)[0])


def remember(doc: Any, old: str, order: tuple[str, ...]) -> None:
    """Add ``old`` to the mapping's ``previousKeys``, placed where ``order`` (the model's field
    order, as ``fmt`` writes it) puts it."""
    if doc.get("previousKeys"):
        doc["previousKeys"].append(old)
        return
    keys = CommentedSeq([old])
    keys.fa.set_flow_style()
    doc.pop("previousKeys", None)
    insert(doc, "previousKeys", keys, order)


def insert(doc: Any, name: str, value: Any, order: tuple[str, ...]) -> None:
    """Add the new key ``name`` to the mapping ``doc`` where ``fmt`` puts it relative to the
    keys the mapping has: right after the last of them that ``order`` (the model's field
    order) puts before it. The mapping's own order stays: a document out of fmt's order is
    not reordered, one in fmt's order stays in it."""
    before = set(order[: order.index(name)]) if name in order else set(order)
    at = max((i + 1 for i, key in enumerate(doc) if key in before), default=0)
    doc.insert(at, name, value)
