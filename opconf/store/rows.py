"""The row an object of each kind is written as (opconf/store/write.py), by logical column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, bindparam, case

from opconf.store.model import Obj


def object_row(kind: str, obj: Obj, group_ids: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` (canonical) as its table's row; ``group_ids``: coverage group key → row id."""
    base = {"key": obj["key"], "name": obj["name"], "description": obj["description"]}
    if kind == "Product":
        return {
            **base,
            "type": obj["type"],
            "active": obj["active"],
            "list_price": obj["listPrice"],
            "code": obj["code"],
            "unit_of_measure": obj["unitOfMeasure"],
        }
    if kind == "CoverageGroup":
        return {**base, "visibility": obj["visibility"]}
    group = obj["defaultCoverageGroup"]
    return {
        **base,
        "category": obj["category"],
        "entity_type": obj["entityType"],
        "active": obj["active"],
        "default_coverage_group_id": None if group is None else group_ids[group],
    }


def same_scale(table: Table, rows: list[dict[str, Any]]) -> Any:
    """A price equal to the stored one keeps the store's own scale: PostgreSQL's NUMERIC
    holds ``0.80`` and ``0.8`` apart, and adopting (or an update of other fields) must not
    rewrite what the plan does not show (README, "Exact values")."""
    for row in rows:
        row["b_price"] = row.pop("list_price")
    price = bindparam("b_price", type_=table.c.list_price.type)
    return case((table.c.list_price == price, table.c.list_price), else_=price)
