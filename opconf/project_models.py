"""The models of opconf's own files: the project file and the reference data snapshot.

Like the document models (:mod:`opconf.models`), they are the single source of truth for their
JSON Schemas (``schemas/opconf-project.schema.json``, ``schemas/opconf-refs.schema.json``,
written by ``opconf schema``), against which the files are validated. A new section of
``opconf.yaml`` (``drift.ignore``, ``freeze``) is a new field of :class:`ProjectFile`.
"""

from __future__ import annotations

from typing import Annotated

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


class User(_Strict):
    login: NonEmpty
    displayName: Label = None
    email: Label = None
    active: bool = True


class CoverageRole(_Strict):
    code: NonEmpty
    name: Label = None
    unique: bool = Field(default=False, description="Held by at most one member of a group.")


class ProductType(_Strict):
    code: NonEmpty
    name: Label = None


class ReferenceSnapshot(_Strict):
    """opconf.refs.yaml: CRM reference data for offline validation (`opconf refs pull`)."""

    model_config = ConfigDict(title="opconf reference data snapshot (opconf.refs.yaml)")

    users: list[User] = Field(default_factory=list)
    coverageRoles: list[CoverageRole] = Field(default_factory=list)
    productTypes: list[ProductType] = Field(default_factory=list)


FILE_MODELS: dict[str, type[BaseModel]] = {
    PROJECT_SCHEMA: ProjectFile,
    REFS_SCHEMA: ReferenceSnapshot,
}
