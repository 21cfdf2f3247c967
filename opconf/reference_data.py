"""CRM reference data (users, coverage roles, product types) that documents point at, as a
value: the bottom of the layers, so validation takes it without knowing where it came from
(the committed snapshot, read by :mod:`opconf.references`, or the store, read by ``plan``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class References:
    users: dict[str, bool]  # login → active
    roles: dict[str, bool]  # coverage role code → unique (held by at most one member)
    product_types: frozenset[str]
