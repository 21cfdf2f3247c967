"""Canonical JSON text (sorted keys, no spaces, characters as they are): what the history keeps
and what digests are taken over. Large values are produced in pieces, so that a digest or a
packed snapshot of 100,000 objects never needs the whole text at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

# One encoder for every call: json.dumps with options builds a new one each time, which costs
# as much as the encoding itself for the small pieces a snapshot is written in.
_PIECE = 100  # objects encoded at a time
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """``value`` as canonical JSON text."""
    return _ENCODER.encode(value)


def digest(value: Any) -> str:
    """``sha256:…`` of ``value`` as canonical JSON (UTF-8)."""
    sha = hashlib.sha256()
    for piece in chunks(value):
        sha.update(piece.encode("utf-8"))
    return "sha256:" + sha.hexdigest()


def chunks(value: Any) -> Iterator[str]:
    """:func:`dumps` of ``value`` in pieces, each at most ``_PIECE`` items of its top-level
    mapping's lists and mappings: never the whole text of 100,000 objects at once."""
    if not isinstance(value, Mapping) or not _text_keys(value):
        yield dumps(value)
        return
    yield "{"
    for n, key in enumerate(sorted(value)):
        yield ("," if n else "") + dumps(key) + ":"
        item = value[key]
        if isinstance(item, list):
            yield "["
            for i in range(0, len(item), _PIECE):
                yield ("," if i else "") + _inner(item[i : i + _PIECE])
            yield "]"
        elif isinstance(item, Mapping) and _text_keys(item):
            names = sorted(item)
            yield "{"
            for i in range(0, len(names), _PIECE):
                part = {name: item[name] for name in names[i : i + _PIECE]}
                yield ("," if i else "") + _inner(part)
            yield "}"
        else:
            yield dumps(item)
    yield "}"


def _inner(value: list[Any] | dict[str, Any]) -> str:
    """The JSON of a non-empty list or mapping without its brackets."""
    return dumps(value)[1:-1]


def _text_keys(value: Mapping[Any, Any]) -> bool:
    """Whether json writes the keys as they are (others it converts: 5 → "5")."""
    return all(isinstance(key, str) for key in value)
