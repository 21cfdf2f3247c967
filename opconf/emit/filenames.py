"""File names made from keys: the same on Linux, macOS and Windows, and never colliding.

Export and drift's accept name each new document after its object's key. A key
(:mod:`opconf.keys`) holds only ``A-Z a-z 0-9 _ - .`` and never ends in ``.``,
so it is a portable file name except for the names Windows reserves (``con``, ``aux``,
``nul``, ``com1``… also before any extension: ``con.v2``): those get a ``_`` in front, which
no key starts with, so the escaped name is never another key's. Keys equal ignoring case would
be one file on macOS and Windows: validation refuses them (OPC204) and export keeps only the
first. Core only: never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from opconf.keys import KEY_RULE, is_key

_DEVICES = ("con", "prn", "aux", "nul")
RESERVED = frozenset((*_DEVICES, *(f"{port}{n}" for port in ("com", "lpt") for n in range(10))))


def file_stem(key: str) -> str:
    """The file name (without ``.yaml``) for a valid ``key``: the key itself, or ``_`` and the
    key when Windows reserves the part before its first dot."""
    return "_" + key if key.split(".", 1)[0].casefold() in RESERVED else key


@dataclass(frozen=True, slots=True)
class Unheld:
    """An object whose key cannot be written as a document, and why."""

    kind: str
    key: str
    why: str


def unheld(
    objects: Iterable[tuple[str, str]], taken: Iterable[tuple[str, str]] = ()
) -> list[Unheld]:
    """Of ``objects`` (kind, key), in order, those that cannot be held: a key outside the
    grammar, or equal ignoring case to an earlier one or to one ``taken`` (configured)."""
    seen = {(kind, key.casefold()): key for kind, key in taken}
    out = []
    for kind, key in objects:
        if not is_key(key):
            out.append(Unheld(kind, key, f"its key is not a valid opconf key ({KEY_RULE})"))
            continue
        other = seen.setdefault((kind, key.casefold()), key)
        if other != key:
            why = f"its key differs only in case from '{other}', which is kept"
            out.append(Unheld(kind, key, why + " (file systems that ignore case hold one)"))
    return out
