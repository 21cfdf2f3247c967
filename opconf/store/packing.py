"""How the history keeps a revision's snapshot: JSON, compressed, in a text column.

A snapshot holds the whole managed configuration (175 MB of JSON at 100,000 objects). Written
as one JSON string, the string, the driver's copy and the database's copy were alive together
at the end of every apply; compressed as it is encoded, one object at a time, the history row
is about a tenth of that and no full-size copy exists. Since schema v3 the column holds
``zlib:`` followed by the base64 of the zlib-compressed JSON; rows written before hold the
JSON text itself (it starts with ``{``), and both are read.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from sys import intern
from typing import Any

from opconf.errors import StoreError
from opconf.jsontext import chunks

PREFIX = "zlib:"
_LEVEL = 1  # the fastest: a few times smaller already; higher levels cost seconds at 100k


def pack(snapshot: Mapping[str, Any]) -> str:
    """``snapshot`` as the history column holds it (see the module's docstring)."""
    compressor = zlib.compressobj(_LEVEL)
    parts = [compressor.compress(chunk.encode("utf-8")) for chunk in chunks(snapshot)]
    parts.append(compressor.flush())
    return PREFIX + base64.b64encode(b"".join(parts)).decode("ascii")


def unpack(text: str, revision: int) -> dict[str, Any]:
    """The snapshot a history row holds, packed or (before schema v3) plain JSON."""
    if text.startswith(PREFIX):
        try:
            data = zlib.decompress(base64.b64decode(text[len(PREFIX) :], validate=True))
        except binascii.Error:
            raise _damaged(revision, "its packed data is not base64") from None
        except zlib.error:
            raise _damaged(revision, "its packed data does not decompress") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _damaged(revision, "its data is not UTF-8") from None
        del data  # the size of the JSON: not kept while it is parsed
    try:
        value = json.loads(text, object_hook=_interned)
    except ValueError as exc:
        raise _damaged(revision, f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _damaged(revision, "not a JSON object")
    return value


def _interned(obj: dict[str, Any]) -> dict[str, Any]:
    """The configuration repeats the same few strings (step types, names, roles) many times
    over: one copy each takes a third off a parsed snapshot, at no cost in time."""
    for key, value in obj.items():
        if type(value) is str:
            obj[key] = intern(value)
    return obj


def _damaged(revision: int, why: str) -> StoreError:
    return StoreError(
        f"the snapshot of revision {revision} is damaged ({why})",
        hint="opconf_history was changed outside opconf: restore it from a backup",
    )
