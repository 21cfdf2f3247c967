"""The document model (SPEC §2): one pydantic model per kind.

These models are the single source of truth for ``schemas/*.schema.json`` (``opconf schema``).
Validation of user files runs against the generated JSON Schemas; the models also give the
canonical field order used by ``fmt`` and ``export``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from opconf.keys import KEY_PATTERN
from opconf.kinds import API_VERSION, KINDS, SCHEMA_NAMES

__all__ = ["API_VERSION", "KINDS", "MODELS", "SCHEMA_NAMES"]

MAX_STAGES = 30
MAX_STEPS = 30

Key = Annotated[
    str,
    Field(
        pattern=KEY_PATTERN,
        description="Identity: letters, digits, _, - and ., starting with a letter or digit, "
        "not ending in .; at most 128 characters; unique per kind ignoring case. "
        "Immutable: rename with previousKeys.",
    ),
]
# PostgreSQL TEXT cannot hold U+0000 (the only character it refuses): validate does, located.
NO_NUL_PATTERN = r"^[^\x00]*$"
Name = Annotated[
    str,
    Field(min_length=1, max_length=120, pattern=NO_NUL_PATTERN, description="Display label."),
]
Text = Annotated[str, Field(min_length=1, pattern=NO_NUL_PATTERN)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL_PATTERN)]
PreviousKeys = Annotated[
    list[Key],
    Field(description="Keys this object had before: the plan renames it in place."),
]
# The store's INTEGER columns (due_days) are 32-bit on PostgreSQL.
MAX_INT32 = 2_147_483_647
# Exact decimal in YAML/JSON (a number); the reader gives a Decimal, never a float. Its size is
# bounded by what the store's NUMERIC holds (opconf.validate.schema_check.numeric_problem).
Price = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0}), Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Document(_Strict):
    apiVersion: Literal["opconf/v1"] = Field(description="Always opconf/v1.")
    key: Key
    name: Name
    previousKeys: PreviousKeys | None = None
    description: Text | None = Field(default=None, description="Free text.")


class Product(_Document):
    """Something the firm sells; retire it with ``active: false`` rather than deleting it."""

    kind: Literal["Product"]
    type: Code = Field(description="Product type code from CRM reference data (productTypes).")
    active: bool = Field(default=True, description="Retire with false instead of deleting.")
    listPrice: Price | None = Field(default=None, description="List price, an exact decimal.")
    code: Code | None = Field(default=None, description="External product code, unique.")
    unitOfMeasure: Code | None = Field(default=None, description="For example policy, account.")


class Member(_Strict):
    """A user holding a coverage role in a group."""

    user: Code = Field(description="CRM login.")
    role: Code = Field(description="Coverage role code from CRM reference data.")


class CoverageGroup(_Document):
    """Users with coverage roles, assigned to opportunities as a team."""

    kind: Literal["CoverageGroup"]
    visibility: Literal["public", "private"] = Field(
        default="public", description="Fixed at creation: changing it means replacing the group."
    )
    members: list[Member] = Field(default_factory=list)


class RoleAssignee(_Strict):
    role: Code = Field(description="Coverage role code.")


class UserAssignee(_Strict):
    user: Code = Field(description="CRM login.")


Assignee = Literal["owner"] | RoleAssignee | UserAssignee


class Step(_Strict):
    """A piece of work inside a stage."""

    key: Key
    name: Name
    type: Literal["task", "document", "call", "meeting"]
    required: bool = False
    dueDays: int | None = Field(
        default=None, ge=0, le=MAX_INT32, description="Days allowed, from stage entry."
    )
    assignee: Assignee = Field(default="owner", description="owner, {role: CODE} or {user: LOGIN}.")


class Stage(_Strict):
    """One stage of an opportunity template; list order is stage order."""

    key: Key
    name: Name
    probability: int = Field(ge=0, le=100, description="Win probability, percent.")
    outcome: Literal["open", "won", "lost"] = "open"
    guidance: Text | None = None
    previousKeys: PreviousKeys | None = None
    replaces: list[Key] | None = Field(
        default=None,
        description="Stage keys being removed: their open opportunities move here on apply.",
    )
    steps: list[Step] = Field(default_factory=list, max_length=MAX_STEPS)


class OpportunityTemplate(_Document):
    """The shape of an opportunity: ordered stages, steps, products sold."""

    kind: Literal["OpportunityTemplate"]
    category: Literal["product", "parent"]
    entityType: Literal["contact", "company", "household"]
    active: bool = True
    defaultCoverageGroup: Key | None = Field(default=None, description="CoverageGroup key.")
    products: list[Key] = Field(default_factory=list, description="Product keys, no duplicates.")
    stages: list[Stage] = Field(min_length=1, max_length=MAX_STAGES)


MODELS: dict[str, type[_Document]] = {
    "Product": Product,
    "CoverageGroup": CoverageGroup,
    "OpportunityTemplate": OpportunityTemplate,
}
assert tuple(MODELS) == KINDS
