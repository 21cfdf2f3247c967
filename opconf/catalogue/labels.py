"""Display names of the CRM's reference data, so the page says "Alice Jones", not "ajones".

Read from the committed snapshot ``opconf.refs.yaml`` when there is one; a snapshot with
problems (``opconf validate`` reports them) gives no names, and the page shows the codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opconf.kinds import REFS_SCHEMA


@dataclass(frozen=True)
class Labels:
    users: dict[str, str] = field(default_factory=dict)  # login → display name
    roles: dict[str, str] = field(default_factory=dict)  # coverage role code → name
    product_types: dict[str, str] = field(default_factory=dict)  # code → name


def _names(rows: Any, code: str, name: str) -> dict[str, str]:
    return {r[code]: r[name] for r in rows or () if r.get(name)}


def from_snapshot(path: Path) -> Labels:
    """The names in the reference snapshot at ``path`` (none when it is absent or unsound)."""
    if not path.is_file():
        return Labels()
    from opconf.filecheck import check_file

    checked = check_file(path, REFS_SCHEMA)
    if checked.errors:
        return Labels()
    data = checked.data
    return Labels(
        users=_names(data.get("users"), "login", "displayName"),
        roles=_names(data.get("coverageRoles"), "code", "name"),
        product_types=_names(data.get("productTypes"), "code", "name"),
    )


def page_data(labels: Labels) -> dict[str, dict[str, str]]:
    """The names as the page's script reads them."""
    return {"users": labels.users, "roles": labels.roles, "productTypes": labels.product_types}
