"""The canonical form of a configuration object: what plan compares and the store holds.

Both sides of a plan are brought to this form — the documents (after validation) and the
store rows — so that comparing is ``==`` and "apply then plan" is always empty:

- every field present, defaults applied, absent optionals are ``None``;
- decimals are exact, as normalised strings (``"1250.5"``), never floats;
- coverage members sorted by user (their order carries no meaning); stage, step and product
  order kept (it does);
- bookkeeping that is not state (``apiVersion``, ``kind``, ``previousKeys``, ``replaces``) is
  dropped; a stage's ``replaces`` and ``previousKeys`` travel in the plan instead.

Shapes (all keys always present)::

    Product:             {key, name, description, type, active, listPrice, code, unitOfMeasure}
    CoverageGroup:       {key, name, description, visibility, members: [{user, role}]}
    OpportunityTemplate: {key, name, description, category, entityType, active,
                          defaultCoverageGroup, products: [key],
                          stages: [{key, name, probability, outcome, guidance,
                                    steps: [{key, name, type, required, dueDays, assignee}]}]}

    assignee: "owner" | {"role": CODE} | {"user": LOGIN}
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Obj = dict[str, Any]


def decimal_text(value: Any) -> str | None:
    """An exact, normalised decimal string: 1250.50 → "1250.5", 1e3 → "1000".

    Exact at any precision: no decimal context (28 digits) rounds anything on the way.
    """
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def integer(value: Any) -> int | None:
    """An integer field's value: the reader gives 10.0 or 1e3 as an exact Decimal."""
    return None if value is None else int(value)


def product(doc: Obj) -> Obj:
    return {
        "key": doc["key"],
        "name": doc["name"],
        "description": doc.get("description"),
        "type": doc["type"],
        "active": doc.get("active", True),
        "listPrice": decimal_text(doc.get("listPrice")),
        "code": doc.get("code"),
        "unitOfMeasure": doc.get("unitOfMeasure"),
    }


def coverage_group(doc: Obj) -> Obj:
    members = [{"user": m["user"], "role": m["role"]} for m in doc.get("members", ())]
    return {
        "key": doc["key"],
        "name": doc["name"],
        "description": doc.get("description"),
        "visibility": doc.get("visibility", "public"),
        "members": sorted(members, key=lambda m: m["user"]),
    }


def step(doc: Obj) -> Obj:
    assignee = doc.get("assignee", "owner")
    return {
        "key": doc["key"],
        "name": doc["name"],
        "type": doc["type"],
        "required": doc.get("required", False),
        "dueDays": integer(doc.get("dueDays")),
        "assignee": assignee if isinstance(assignee, str) else dict(assignee),
    }


def stage(doc: Obj) -> Obj:
    return {
        "key": doc["key"],
        "name": doc["name"],
        "probability": integer(doc["probability"]),
        "outcome": doc.get("outcome", "open"),
        "guidance": doc.get("guidance"),
        "steps": [step(s) for s in doc.get("steps", ())],
    }


def template(doc: Obj) -> Obj:
    return {
        "key": doc["key"],
        "name": doc["name"],
        "description": doc.get("description"),
        "category": doc["category"],
        "entityType": doc["entityType"],
        "active": doc.get("active", True),
        "defaultCoverageGroup": doc.get("defaultCoverageGroup"),
        "products": list(doc.get("products", ())),
        "stages": [stage(s) for s in doc["stages"]],
    }


BY_KIND = {"Product": product, "CoverageGroup": coverage_group, "OpportunityTemplate": template}


def canonical(kind: str, doc: Obj) -> Obj:
    """The canonical form of a schema-valid document of ``kind``."""
    return BY_KIND[kind](doc)


# Apply order (SPEC §5): products, coverage groups, templates; deletes in reverse.
KIND_ORDER = ("Product", "CoverageGroup", "OpportunityTemplate")
