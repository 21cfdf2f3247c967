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
        "not ending in .; at most 128 characters; unique per kind ignoring case.",
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


# What ``key`` says of an object or a stage, which previousKeys can rename (a step's key
# cannot: steps have no previousKeys).
_RENAMED_BY_PREVIOUS_KEYS = (
    "Identity, unique per kind. To rename, change it and list the old key in previousKeys: "
    "the plan renames the object in place, keeping its history."
)


class _Document(_Strict):
    apiVersion: Literal["opconf/v1"] = Field(description="The document format: always opconf/v1.")
    key: Key = Field(description=_RENAMED_BY_PREVIOUS_KEYS, examples=["managed_portfolio"])
    name: Name = Field(
        description="Display label, unique per kind ignoring case; changing it is an update.",
        examples=["Managed Portfolio"],
    )
    previousKeys: PreviousKeys | None = Field(default=None, examples=[["old_key"]])
    description: Text | None = Field(default=None, description="Free text for people.")


class Product(_Document):
    """Something the firm sells; retire it with ``active: false`` rather than deleting it."""

    kind: Literal["Product"] = Field(description="The document kind: a product.")
    type: Code = Field(
        description="Product type code from CRM reference data (productTypes in opconf.refs.yaml).",
        examples=["deposit", "mortgage"],
    )
    active: bool = Field(default=True, description="Retire with false instead of deleting.")
    listPrice: Price | None = Field(
        default=None, description="List price, an exact decimal, at least 0.", examples=[250]
    )
    code: Code | None = Field(
        default=None,
        description="External product code, unique across products.",
        examples=["WM-PORT-01"],
    )
    unitOfMeasure: Code | None = Field(
        default=None, description="What one unit is.", examples=["policy", "account"]
    )


class Member(_Strict):
    """A user holding a coverage role in a group."""

    user: Code = Field(
        description="CRM login (users in opconf.refs.yaml); at most once per group.",
        examples=["ajones"],
    )
    role: Code = Field(
        description="Coverage role code (coverageRoles in opconf.refs.yaml); a role flagged "
        "unique is held by at most one member.",
        examples=["advisor"],
    )


class CoverageGroup(_Document):
    """Users with coverage roles, assigned to opportunities as a team."""

    kind: Literal["CoverageGroup"] = Field(description="The document kind: a coverage group.")
    visibility: Literal["public", "private"] = Field(
        default="public", description="Fixed at creation: changing it means replacing the group."
    )
    members: list[Member] = Field(
        default_factory=list,
        description="Users and the coverage role each holds in the group.",
        examples=[[{"user": "ajones", "role": "advisor"}]],
    )


class RoleAssignee(_Strict):
    """The group member holding a coverage role does the step."""

    role: Code = Field(description="Coverage role code.", examples=["advisor"])


class UserAssignee(_Strict):
    """One CRM user does the step."""

    user: Code = Field(description="CRM login.", examples=["ajones"])


Assignee = Literal["owner"] | RoleAssignee | UserAssignee


class Step(_Strict):
    """A piece of work inside a stage."""

    key: Key = Field(
        description="Identity, unique in the template. A step has no previousKeys: a new key "
        "is a new step.",
        examples=["kyc"],
    )
    name: Name = Field(description="Display label.", examples=["Complete KYC"])
    type: Literal["task", "document", "call", "meeting"] = Field(
        description="What kind of work the step is."
    )
    required: bool = Field(default=False, description="Must be done before the stage is left.")
    dueDays: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INT32,
        description="Days allowed, from stage entry (a decimal integer, at least 0).",
        examples=[5],
    )
    assignee: Assignee = Field(
        default="owner",
        description="Who does it: owner (the opportunity's owner), {role: CODE} or "
        "{user: LOGIN}. A document step cannot be assigned by role.",
        examples=["owner", {"role": "advisor"}, {"user": "ajones"}],
    )


class Stage(_Strict):
    """One stage of an opportunity template; list order is stage order."""

    key: Key = Field(
        description="Identity, unique in the template. To rename, change it and list the old "
        "key in previousKeys: opportunities in the stage stay in it.",
        examples=["qualify"],
    )
    name: Name = Field(description="Display label.", examples=["Qualify"])
    probability: int = Field(
        ge=0,
        le=100,
        description="Win probability, percent: 100 for won, 0 for lost; open stages should not "
        "decrease.",
        examples=[10],
    )
    outcome: Literal["open", "won", "lost"] = Field(
        default="open",
        description="open, or the closing outcome; closed stages come after every open one.",
    )
    guidance: Text | None = Field(
        default=None, description="Advice shown to users in this stage (free text)."
    )
    previousKeys: PreviousKeys | None = Field(default=None, examples=[["old_stage"]])
    replaces: list[Key] | None = Field(
        default=None,
        description="Stage keys being removed: their open opportunities move here on apply.",
        examples=[["discovery"]],
    )
    steps: list[Step] = Field(
        default_factory=list,
        max_length=MAX_STEPS,
        description=f"The work in this stage, in order (at most {MAX_STEPS}).",
    )


class OpportunityTemplate(_Document):
    """The shape of an opportunity: ordered stages, steps, products sold."""

    kind: Literal["OpportunityTemplate"] = Field(
        description="The document kind: an opportunity template."
    )
    category: Literal["product", "parent"] = Field(
        description="product: sells products; parent: groups other opportunities."
    )
    entityType: Literal["contact", "company", "household"] = Field(
        description="The kind of client the opportunities of this template are for."
    )
    active: bool = Field(default=True, description="Retire with false instead of deleting.")
    defaultCoverageGroup: Key | None = Field(
        default=None,
        description="Key of the CoverageGroup assigned to new opportunities.",
        examples=["wealth_east"],
    )
    products: list[Key] = Field(
        default_factory=list,
        description="Keys of the Products this template sells, no duplicates.",
        examples=[["managed_portfolio", "brokerage_account"]],
    )
    stages: list[Stage] = Field(
        min_length=1,
        max_length=MAX_STAGES,
        description=f"The stages, in order: list order is stage order (1 to {MAX_STAGES}); at "
        "least one won and one lost stage, after the open ones.",
    )


MODELS: dict[str, type[_Document]] = {
    "Product": Product,
    "CoverageGroup": CoverageGroup,
    "OpportunityTemplate": OpportunityTemplate,
}
assert tuple(MODELS) == KINDS
