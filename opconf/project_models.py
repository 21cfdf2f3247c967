"""The models of opconf's own files: the project file and the reference data snapshot.

Like the document models (:mod:`opconf.models`), they are the single source of truth for their
JSON Schemas (``schemas/opconf-project.schema.json``, ``schemas/opconf-refs.schema.json``,
written by ``opconf schema``), against which the files are validated. A new section of
``opconf.yaml`` (``drift.ignore``, ``freeze``) is a new field of :class:`ProjectFile`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from opconf.kinds import PROJECT_SCHEMA, REFS_SCHEMA

NonEmpty = Annotated[str, Field(min_length=1)]
# Written by `opconf refs pull` from nullable CRM columns: null stays null.
Label = Annotated[
    str | None,
    WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "a string or null"}
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """A named store."""

    store: NonEmpty = Field(
        description="Store URL: sqlite:///path (relative to opconf.yaml) or "
        "postgresql://user@host/database; ${VAR} expands from the environment."
    )
    confirm: Literal["type-name", "yes-no"] | None = Field(
        default=None,
        description="How apply and rollback ask on a terminal: type-name (type the target's "
        "name) or yes-no ([y/N]). Default: type-name, except for a SQLite store.",
    )
    mapping: NonEmpty | None = Field(
        default=None,
        description="A StoreMapping file (relative to opconf.yaml): the CRM's own tables, "
        "columns and codes for opconf's logical ones. None: opconf's own layout.",
    )


class FreezeWindow(_Strict):
    """A change-freeze window (Argo CD's sync-window semantics): ``deny`` blocks apply while
    active; ``allow`` lets apply through only while active; deny wins."""

    name: NonEmpty = Field(description="Shown in plans, errors and history, e.g. 'Q4 close'.")
    kind: Literal["deny", "allow"] = Field(
        description="deny: no apply while active; allow: apply only while active."
    )
    schedule: NonEmpty | None = Field(
        default=None,
        description="When the window opens: a 5-field cron expression in `timezone` "
        "(with `duration`).",
    )
    duration: NonEmpty | None = Field(
        default=None, description="How long each opening lasts: e.g. 2h, 1d12h, 90m."
    )
    start: NonEmpty | None = Field(
        default=None,
        description="A one-off window's start, ISO 8601 (local to `timezone` unless it has an "
        "offset); with `end`.",
    )
    end: NonEmpty | None = Field(default=None, description="A one-off window's end, ISO 8601.")
    timezone: NonEmpty = Field(description="IANA time zone, e.g. America/Toronto.")
    scope: list[NonEmpty] = Field(
        default_factory=list,
        description="Kind/key globs the window governs (e.g. Product/*); empty: everything.",
    )
    reason: str | None = Field(default=None, description="Why: shown when apply is blocked.")


class DriftIgnore(_Strict):
    """Differences ``opconf drift`` does not report, for a reason and until a date."""

    match: NonEmpty = Field(
        description="Kind/key glob of the objects, e.g. OpportunityTemplate/legacy_*."
    )
    fields: list[NonEmpty] = Field(
        default_factory=list,
        description="Field globs in the plan's notation (name, stages[*].probability, "
        "members[*]); empty: every field, and the object itself.",
    )
    reason: NonEmpty = Field(description="Why the difference is acceptable: shown with it.")
    until: NonEmpty | None = Field(
        default=None,
        description="Last day (YYYY-MM-DD, UTC) the entry applies; after it, a warning.",
    )


class DriftSection(_Strict):
    """Settings of ``opconf drift``."""

    ignore: list[DriftIgnore] = Field(
        default_factory=list, description="Known differences to leave out (docs/drift.md)."
    )


class Waiver(_Strict):
    """Rules that named objects may break, for a reason (docs/rules.md, "Waivers")."""

    match: NonEmpty = Field(
        description="Kind/key glob of the objects, e.g. OpportunityTemplate/card_*."
    )
    rules: list[NonEmpty] = Field(
        min_length=1, description="Codes waived for them, e.g. [OPC223, OPC226]."
    )
    reason: NonEmpty = Field(description="Why: shown with every finding it waives.")
    until: NonEmpty | None = Field(
        default=None,
        description="Last day (YYYY-MM-DD, UTC) the entry applies; after it, a warning.",
    )


class ProjectFile(_Strict):
    """opconf.yaml: where the documents live and which stores plan and apply talk to."""

    model_config = ConfigDict(title="opconf project file (opconf.yaml)")

    config: NonEmpty = Field(
        default="config/", description="Folder of the documents, relative to opconf.yaml."
    )
    targets: dict[str, Target] = Field(
        default_factory=dict, description="Named stores, chosen with --target NAME."
    )
    defaultTarget: NonEmpty | None = Field(
        default=None, description="The target used without --store, --target or OPCONF_STORE."
    )
    prune: bool = Field(
        default=False, description="Delete store objects the configuration does not name."
    )
    requireCleanTree: bool = Field(
        default=False,
        description=(
            "Refuse to apply to any target but the default from a git work tree with "
            "uncommitted changes (a warning otherwise); the revision records them either way."
        ),
    )
    freeze: list[FreezeWindow] = Field(
        default_factory=list, description="Change-freeze windows checked by apply (docs/freeze.md)."
    )
    drift: DriftSection = Field(
        default_factory=DriftSection, description="Settings of `opconf drift` (docs/drift.md)."
    )
    rules: dict[str, Literal["error", "warning", "info", "off"]] = Field(
        default_factory=dict,
        description="Severity of a rule for the whole project, e.g. {OPC226: warning, "
        "OPC229: off} (docs/rules.md).",
    )
    waivers: list[Waiver] = Field(
        default_factory=list,
        description="Rules waived for named objects, with a reason (docs/rules.md).",
    )


class User(_Strict):
    login: NonEmpty = Field(description="The CRM login that documents name.")
    displayName: Label = None
    email: Label = None
    active: bool = Field(default=True, description="An inactive user cannot be assigned.")


class CoverageRole(_Strict):
    code: NonEmpty = Field(description="The coverage role code that documents name.")
    name: Label = None
    unique: bool = Field(default=False, description="Held by at most one member of a group.")


class ProductType(_Strict):
    code: NonEmpty = Field(description="The product type code that products name.")
    name: Label = None


class ReferenceSnapshot(_Strict):
    """opconf.refs.yaml: CRM reference data for offline validation (`opconf refs pull`)."""

    model_config = ConfigDict(title="opconf reference data snapshot (opconf.refs.yaml)")

    users: list[User] = Field(default_factory=list, description="CRM users.")
    coverageRoles: list[CoverageRole] = Field(
        default_factory=list, description="Roles members hold in coverage groups."
    )
    productTypes: list[ProductType] = Field(
        default_factory=list, description="Product types products belong to."
    )


FILE_MODELS: dict[str, type[BaseModel]] = {
    PROJECT_SCHEMA: ProjectFile,
    REFS_SCHEMA: ReferenceSnapshot,
}
