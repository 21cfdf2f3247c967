"""The model of a store mapping file (``kind: StoreMapping``): the single source of truth of
``schemas/opconf-mapping.schema.json``, which ``opconf validate`` and every store command check
the file against (located errors). opconf/store/mapping.py turns a checked file into tables.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from opconf.store import tables as t

Name = Annotated[str, Field(min_length=1, description="the database's exact identifier")]
Value = str | int | bool
Fill = Annotated[
    Value,
    Field(description="a literal, or `now` (the time of the apply) or `actor` (who applies)"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EncodedColumn(_Strict):
    """A column whose values the CRM stores as codes of its own."""

    column: Name
    values: dict[str, Value] = Field(
        description="opconf's value (true/false, or an enumeration's value) → the CRM's code"
    )


class IdColumn(_Strict):
    """How rows of the table are identified and numbered."""

    column: Name | None = Field(default=None, description="the id column (default: id)")
    generate: str = Field(
        default="database",
        pattern=r"^(database|uuid|uuid-binary|sequence:\S+)$",
        description="database (the default) | sequence:NAME | uuid (text) | uuid-binary",
    )


class SoftDelete(_Strict):
    """Rows marked deleted do not exist for opconf; a delete marks the row; creating a key a
    marked row holds revives that row (mark cleared, fields written, id kept)."""

    column: Name
    deleted: Value = Field(
        description="the value of a deleted row (`now`: the time it was deleted, a nullable"
        " timestamp column)"
    )
    live: Value | None = Field(
        default=None,
        description="the value of a live row (default null); a row holding neither is live",
    )
    revive: bool = Field(
        default=True,
        description="false: a create whose key a deleted row holds is refused instead",
    )


class TableMapping(_Strict):
    """One logical table of docs/store.md on the CRM's table (the model of each logical
    table, :data:`TABLE_MODELS`, names the table's own columns)."""

    table: Name | None = Field(
        default=None, description="the CRM's table, schema-qualified where needed: crm.PRODUCT"
    )
    id: IdColumn | None = None
    softDelete: SoftDelete | None = None
    onInsert: dict[str, Fill] | None = Field(default=None, description="column → value")
    onUpdate: dict[str, Fill] | None = Field(default=None, description="column → value")
    columns: Any = None


class Bookkeeping(_Strict):
    """Where opconf keeps its own tables (meta, history, ownership)."""

    schema_: Name = Field(
        default="opconf",
        alias="schema",
        description="PostgreSQL schema of opconf's tables (SQLite: the prefix opconf_)",
    )


CRM_TABLES = [name for name in t.metadata.tables if not name.startswith("opconf_")]


def logical_columns(table: str) -> list[str]:
    """The logical columns of ``table`` a mapping may rename (its id is ``id:``'s)."""
    return [c.key for c in t.metadata.tables[table].columns if c.key != "id"]


def _table_model(table: str) -> type[TableMapping]:
    names: Any = Literal[tuple(logical_columns(table))]
    columns: Any = (
        dict[names, Name | EncodedColumn] | None,
        Field(default=None, description="logical column (docs/store.md) → the CRM's column"),
    )
    doc = f"The logical table {table} on the CRM's table."
    model: type[TableMapping] = create_model(
        f"{table.title().replace('_', '')}Mapping",
        __base__=TableMapping,
        __doc__=doc,
        columns=columns,
    )
    return model


TABLE_MODELS = {name: _table_model(name) for name in CRM_TABLES}
_FIELDS: dict[str, Any] = {name: (model | None, None) for name, model in TABLE_MODELS.items()}
_Tables: Any = create_model(
    "Tables",
    __base__=_Strict,
    __doc__="Logical table (docs/store.md) → the CRM's table.",
    **_FIELDS,
)


class StoreMapping(_Strict):
    """A store mapping: opconf's logical tables on a CRM's own (referenced by a target's
    ``mapping``). What is not named keeps its default name."""

    apiVersion: Literal["opconf/v1"]
    kind: Literal["StoreMapping"]
    bookkeeping: Bookkeeping | None = None
    tables: _Tables | None = None
