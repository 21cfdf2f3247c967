"""The committed snapshot of CRM reference data, ``opconf.refs.yaml``, read for offline
validation (CI) and checked like a document against the schema generated from
:class:`opconf.project_models.ReferenceSnapshot`; ``plan`` reads the same data live from the
store. The value itself, :class:`References`, lives below validation
(:mod:`opconf.reference_data`): this module reads a file, with the validation of files, and so
sits above it.
"""

from __future__ import annotations

from pathlib import Path

from opconf.diagnostics import Diagnostic
from opconf.filecheck import check_file
from opconf.fsio import exists
from opconf.kinds import REFS_SCHEMA
from opconf.reference_data import References

__all__ = ["References", "inspect_references"]


def inspect_references(path: Path) -> tuple[References | None, tuple[Diagnostic, ...]]:
    """The snapshot at ``path`` and its problems, located.

    None when there is no snapshot, or when it has errors: a value whose meaning is unknown
    (``active: "false"``) must not silently pass or fail a reference check.
    """
    if not exists(path):  # anything else there is read, or refused, as a file
        return None, ()
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
