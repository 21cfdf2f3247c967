"""OPC289: a freeze window's ``scope`` names objects as documents name their kinds.

Scopes are case-sensitive globs over ``Kind/key``: ``product/*`` matches nothing, so a
window meant to stop an apply would govern nothing at all.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from opconf.canonical import KIND_ORDER
from opconf.diagnostics import did_you_mean


def scope_problems(scope: object) -> list[tuple[int, str]]:
    """OPC289: each ``scope`` entry is ``Kind/key-glob`` of a kind spelled as documents
    spell it (``*`` or a glob matching one counts), else the window would govern nothing.
    The problems as (index of the entry, message)."""
    out = []
    for i, entry in enumerate(scope if isinstance(scope, list) else ()):
        if not isinstance(entry, str):
            continue
        kind, slash, key = entry.partition("/")
        known = kind == "*" or any(fnmatchcase(k, kind) for k in KIND_ORDER)
        if slash and key and known:
            continue
        hint = did_you_mean(kind, KIND_ORDER) or f" (kinds: {', '.join(KIND_ORDER)})"
        if not slash or not key:
            hint = f" (e.g. '{kind or 'Product'}/*')" if known else hint
        message = f"scope '{entry}' is not Kind/key-glob of a known kind{hint}"
        out.append((i, message))
    return out
