"""CRM reference data (users, coverage roles, product types) that documents point at.

Validation reads it from the committed snapshot ``opconf.refs.yaml`` (offline, for CI),
checked like a document against the schema generated from
:class:`opconf.project_models.ReferenceSnapshot`; ``plan`` reads it live from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opconf.diagnostics import Diagnostic
from opconf.fsio import exists
from opconf.kinds import REFS_SCHEMA


@dataclass(frozen=True)
class References:
    users: dict[str, bool]  # login → active
    roles: dict[str, bool]  # coverage role code → unique (held by at most one member)
    product_types: frozenset[str]


def inspect_references(path: Path) -> tuple[References | None, tuple[Diagnostic, ...]]:
    """The snapshot at ``path`` and its problems, located.

    None when there is no snapshot, or when it has errors: a value whose meaning is unknown
    (``active: "false"``) must not silently pass or fail a reference check.
    """
    if not exists(path):  # anything else there is read, or refused, as a file
        return None, ()
    from opconf.filecheck import check_file

    checked = check_file(path, REFS_SCHEMA)
    if checked.errors:
        return None, checked.diagnostics
    data = checked.data
    refs = References(
        users={u["login"]: u.get("active", True) for u in data.get("users", [])},
        roles={r["code"]: r.get("unique", False) for r in data.get("coverageRoles", [])},
        product_types=frozenset(t["code"] for t in data.get("productTypes", [])),
    )
    return refs, checked.diagnostics
