"""CRM reference data (users, coverage roles, product types) that documents point at.

Validation reads it from the committed snapshot ``opconf.refs.yaml`` (offline, for CI);
``plan`` reads it live from the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opconf.errors import UsageError

_HINT = "re-create it with `opconf refs pull`"


@dataclass(frozen=True)
class References:
    users: dict[str, bool]  # login → active
    roles: dict[str, bool]  # coverage role code → unique (held by at most one member)
    product_types: frozenset[str]


def load_references(path: Path) -> References | None:
    """The snapshot at ``path``, or None when there is none."""
    if not os.path.lexists(path):  # anything else there is read, or refused, as a file
        return None
    from opconf.load.yamlread import read_mapping

    data = read_mapping(path, hint=_HINT)
    try:
        return References(
            users={u["login"]: bool(u.get("active", True)) for u in _list(data, "users")},
            roles={r["code"]: bool(r.get("unique", False)) for r in _list(data, "coverageRoles")},
            product_types=frozenset(t["code"] for t in _list(data, "productTypes")),
        )
    except (KeyError, TypeError, AttributeError):
        raise UsageError(
            f"{path}: malformed reference data: expected lists of mappings under users "
            "(login, active), coverageRoles (code, unique) and productTypes (code)",
            hint=_HINT,
        ) from None


def _list(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name) or []
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list")
    return value
