"""Canonical JSON text (sorted keys, no spaces, characters as they are): what the history keeps
and what digests are taken over. Large values are produced in pieces, so that a digest or a
packed snapshot of 100,000 objects never needs the whole text at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any


def dumps(value: Any) -> str:
    """``value`` as canonical JSON text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    """``sha256:…`` of ``value`` as canonical JSON (UTF-8)."""
    sha = hashlib.sha256()
    for piece in chunks(value):
        sha.update(piece.encode("utf-8"))
    return "sha256:" + sha.hexdigest()


def chunks(value: Any) -> Iterator[str]:
    """:func:`dumps` of ``value`` in pieces, one per item of its top-level mapping's lists
    and mappings: no piece is more than one object of the configuration."""
    if not isinstance(value, Mapping) or not _text_keys(value):
        yield dumps(value)
        return
    yield "{"
    for n, key in enumerate(sorted(value)):
        yield ("," if n else "") + dumps(key) + ":"
        item = value[key]
        if isinstance(item, list):
            yield "["
            for i, element in enumerate(item):
                yield ("," if i else "") + dumps(element)
            yield "]"
        elif isinstance(item, Mapping) and _text_keys(item):
            yield "{"
            for i, name in enumerate(sorted(item)):
                yield ("," if i else "") + dumps(name) + ":" + dumps(item[name])
            yield "}"
        else:
            yield dumps(item)
    yield "}"


def _text_keys(value: Mapping[Any, Any]) -> bool:
    """Whether json writes the keys as they are (others it converts: 5 → "5")."""
    return all(isinstance(key, str) for key in value)
