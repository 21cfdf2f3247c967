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

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from opconf.drift.model import Difference
from opconf.plan.diff import Desired

Moved = Mapping[tuple[str, str], str | None]  # (kind, key) → key in the store; None: deleted
Change = Callable[[Any], None]


def names(doc: Any, kind: str, key: str) -> bool:
    """``doc`` (a document's round-trip data) is the object ``kind``/``key``."""
    return isinstance(doc, dict) and doc.get("kind") == kind and doc.get("key") == key


def moved(chosen: Iterable[Difference]) -> dict[tuple[str, str], str | None]:
    """The objects whose key changed in the CRM (→ the new key) or deleted there (→ None)."""
    return {
        (d.kind, d.key): None if d.path == "" else d.live
        for d in chosen
        if d.path == "key" or (d.path == "" and d.op == "remove" and d.live is None)
    }


def files_renamed(moved: Moved, desired: Iterable[Desired]) -> dict[Path, Path]:
    """Files named after a changed key that hold only that object (as export writes them):
    their new name, after the new key (resolved paths; a name that is taken is kept)."""
    desired = list(desired)
    counts = Counter(source_path(d).resolve() for d in desired)
    out: dict[Path, Path] = {}
    for d in desired:
        new, path = moved.get((d.kind, d.key)), source_path(d).resolve()
        if new and counts[path] == 1 and path.stem == d.key:
            target = path.with_name(new + path.suffix)
            if not target.exists() and target not in out.values():
                out[path] = target
    return out


def history(kind: str, old: str, desired: Iterable[Desired], taken: set[str]) -> str | None:
    """``old`` when it can go into ``previousKeys`` of its object: no other object of
    ``kind`` claims it (``taken``: keys the objects of ``kind`` have in the CRM now)."""
    if old in taken or any(d.kind == kind and old in d.previous_keys for d in desired):
        return None
    return old


def source_path(d: Desired) -> Path:
    return Path(d.source.rsplit(":", 2)[0])


def remember(doc: Any, old: str) -> None:
    """Add ``old`` to the document's ``previousKeys`` (after ``name``, as export orders it)."""
    if doc.get("previousKeys"):
        doc["previousKeys"].append(old)
        return
    keys = CommentedSeq([old])
    keys.fa.set_flow_style()
    doc.pop("previousKeys", None)
    at = list(doc).index("name") + 1 if "name" in doc else len(doc)
    doc.insert(at, "previousKeys", keys)


def follow(moved: Moved, desired: Iterable[Desired]) -> list[tuple[Path, Change]]:
    """The files whose templates refer to a moved key, each with the change to make."""
    products = {k: v for (kind, k), v in moved.items() if kind == "Product"}
    groups = {k: v for (kind, k), v in moved.items() if kind == "CoverageGroup"}
    paths = [
        source_path(d)
        for d in desired
        if d.kind == "OpportunityTemplate"
        and moved.get((d.kind, d.key), "") is not None  # not deleted with its file
        and (
            d.data.get("defaultCoverageGroup") in groups
            or any(p in products for p in d.data.get("products") or ())
        )
    ]

    def change(doc: Any) -> None:
        if not isinstance(doc, dict) or doc.get("kind") != "OpportunityTemplate":
            return
        group = doc.get("defaultCoverageGroup")
        if group in groups:
            if groups[group] is None:
                del doc["defaultCoverageGroup"]
            else:
                doc["defaultCoverageGroup"] = groups[group]
        listed = doc.get("products") or []
        for i in reversed(range(len(listed))):
            if listed[i] in products:
                if products[listed[i]] is None:
                    del listed[i]
                else:
                    listed[i] = products[listed[i]]

    return [(path, change) for path in dict.fromkeys(paths)]
