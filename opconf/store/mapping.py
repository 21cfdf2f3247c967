"""A store mapping (``kind: StoreMapping``) made into the tables opconf reads and writes.

Data first: every logical table of docs/store.md becomes a SQLAlchemy ``Table`` named as the
CRM names it, each column ``Column(crm_name, key=logical_name)`` — so readers and writers,
which only ever say ``layout.product.c.key``, run unchanged on the CRM's tables. A column whose
values the CRM stores as codes gets the :class:`Encoded` type, which translates both ways.
opconf's bookkeeping tables go in their own PostgreSQL schema (SQLite: the ``opconf_`` prefix).

No foreign keys or constraints are declared: opconf never creates the CRM's tables
(``store init`` with a mapping makes the bookkeeping only); ``opconf store check`` compares the
CRM's own with what opconf relies on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Column, Dialect, Integer, MetaData, Table, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from opconf.diagnostics import plural
from opconf.errors import InvalidFileError, StoreError, UsageError
from opconf.kinds import MAPPING_SCHEMA
from opconf.store import fills, softdelete
from opconf.store import tables as t
from opconf.store.ids import UUIDS, AnyId, id_column, reference_type
from opconf.store.layout import Layout
from opconf.store.mapping_model import EncodedColumn, StoreMapping, TableMapping
from opconf.store.url import Backend

if TYPE_CHECKING:
    from opconf.filecheck import Rule
    from opconf.load.yamlread import Document
    from opconf.validate.finding import Finding

DEFAULT_BOOKKEEPING_SCHEMA = "opconf"


class Encoded(TypeDecorator[Any]):
    """opconf's value ↔ the CRM's code (``{true: "Y", false: "N"}``, ``{won: W, …}``).

    A value the mapping gives no code, or a code it does not name, is a one-line StoreError
    naming the column: never a silent guess.
    """

    impl = Text
    cache_ok = True

    def __init__(self, column: str, codes: tuple[tuple[Any, Any], ...]) -> None:
        super().__init__()
        self.column = column
        self.codes = codes
        self._to_code = dict(codes)
        self._to_value = {code: value for value, code in codes}

    @property
    def numeric(self) -> bool:
        """Integer codes (a number column); else text."""
        return all(isinstance(c, int) and not isinstance(c, bool) for _, c in self.codes)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Integer() if self.numeric else Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value not in self._to_code:
            raise StoreError(f"column {self.column}: the mapping has no code for {value!r}")
        return self._to_code[value]

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value not in self._to_value:
            raise StoreError(
                f"column {self.column} holds {value!r}, a code the mapping does not name",
                hint="add it to the column's values in the store mapping",
            )
        return self._to_value[value]


def load(path: Path, backend: Backend) -> Layout:
    """The layout a mapping file describes; an invalid file is an InvalidFileError listing
    every problem, located (``opconf validate`` reports the same)."""
    from opconf.filecheck import check_file

    checked = check_file(path, MAPPING_SCHEMA, _on(backend))
    if checked.errors:
        raise InvalidFileError(
            f"{checked.errors[0].file} is invalid ({plural(len(checked.errors), 'error')});"
            " nothing was done",
            checked.diagnostics,
            hint="fix the lines above (`opconf validate` reports them too)",
        )
    return build(StoreMapping.model_validate(checked.data), backend)


def build(mapping: StoreMapping, backend: Backend) -> Layout:
    """Every logical table as the CRM names it; bookkeeping where the mapping puts it."""
    metadata = MetaData(naming_convention=t.NAMING)
    book = mapping.bookkeeping.schema_ if mapping.bookkeeping else DEFAULT_BOOKKEEPING_SCHEMA
    by_name: dict[str, Table] = {}
    for name, default in t.metadata.tables.items():
        if name.startswith("opconf_"):
            continue
        spec: TableMapping | None = getattr(mapping.tables, name, None)
        _refuse_unsupported(name, spec, backend)
        by_name[name] = _table(default, metadata, spec, by_name)
    uuid_owned = any(_generate(mapping, kind) in UUIDS for kind in OWNED)
    for name, default in t.metadata.tables.items():
        if name.startswith("opconf_"):
            # SQLite: no schemas; the tables' opconf_ prefix places them
            table = (
                default.to_metadata(metadata, schema=book)
                if backend == "postgresql"
                else default.to_metadata(metadata)
            )
            if name == "opconf_owned" and uuid_owned:
                table.c.row_id.type = AnyId()  # some kind's ids are UUIDs: text here
            by_name[name] = table
    return Layout.of(metadata, by_name, mapped=True)


OWNED = ("product", "coverage_group", "opportunity_template")  # the rows opconf_owned names
CHILDREN = ("coverage_member", "template_product", "template_stage", "stage_step")


def _generate(mapping: StoreMapping, name: str) -> str:
    spec: TableMapping | None = getattr(mapping.tables, name, None)
    return spec.id.generate if spec and spec.id else "database"


def _on(backend: Backend) -> Rule:
    """What the schema cannot say: a sequence needs PostgreSQL (located, like the schema's)."""

    def rule(doc: Document) -> Iterator[Finding]:
        from opconf.validate.finding import Finding

        tables = doc.data.get("tables")
        if backend != "sqlite" or not isinstance(tables, dict):
            return
        for name, spec in tables.items():
            ids = spec.get("id") if isinstance(spec, dict) else None
            generate = ids.get("generate") if isinstance(ids, dict) else None
            if isinstance(generate, str) and generate.startswith("sequence:"):
                message = (
                    f"{generate}: SQLite has no sequences (use database or uuid there, or"
                    " point this mapping at PostgreSQL)"
                )
                yield Finding("OPC104", message, doc, ("tables", name, "id", "generate"))

    return rule


def _refuse_unsupported(name: str, spec: TableMapping | None, backend: Backend) -> None:
    """What the mapping's format has and opconf cannot do there: refused, never ignored."""
    if spec is None or spec.softDelete is None or name not in CHILDREN:
        return
    raise UsageError(
        f"store mapping: tables.{name}.softDelete is not supported: opconf deletes a"
        " template's or group's own rows itself",
        hint="mark deleted rows in the table of the template, group or product they belong to",
    )


def _table(
    default: Table, metadata: MetaData, spec: TableMapping | None, built: dict[str, Table]
) -> Table:
    schema, name = split_name(spec.table if spec and spec.table else default.name)
    columns = dict(spec.columns or {}) if spec else {}
    shown = name if schema is None else f"{schema}.{name}"
    made = [
        _id(c, spec) if c.key == "id" else _column(c, columns.get(c.key), shown, built)
        for c in default.columns
    ]
    if spec:
        made += fills.columns(spec.onInsert, spec.onUpdate)
    marking = softdelete.column(spec.softDelete) if spec and spec.softDelete else None
    table = Table(name, metadata, *made, *([marking] if marking is not None else []), schema=schema)
    if spec and spec.softDelete:
        softdelete.mark(table, spec.softDelete)
    return table


def _id(default: Column[Any], spec: TableMapping | None) -> Column[Any]:
    ids = spec.id if spec else None
    if ids is None or (ids.column is None and ids.generate == "database"):
        return _column(default, None, "", {})
    return id_column(ids.column or default.name, default.key, ids.generate)


def _column(default: Column[Any], spec: Any, table: str, built: dict[str, Table]) -> Column[Any]:
    name = spec if isinstance(spec, str) else spec.column if spec else default.name
    kind: Any = _referenced(default, built) or default.type
    if isinstance(spec, EncodedColumn):
        codes = tuple((_value(v, default), c) for v, c in spec.values.items())
        kind = Encoded(f"{table}.{name}", codes)
    return Column(
        name,
        kind,
        key=default.key,
        primary_key=default.primary_key,
        nullable=default.nullable,
        autoincrement=default.autoincrement,
    )


def _referenced(default: Column[Any], built: dict[str, Table]) -> TypeEngine[Any] | None:
    """A column referencing a mapped UUID id takes the id's type (``template_id`` of a
    stage is a UUID where templates' ids are)."""
    for fk in default.foreign_keys:
        target = built.get(fk.column.table.name)
        if fk.column.name == "id" and target is not None:
            return reference_type(target.c.id)
    return None


def _value(text: str, default: Column[Any]) -> Any:
    """A mapping's value as opconf holds it: ``true``/``false`` of a boolean column are bools."""
    if isinstance(default.type, Boolean):
        return {"true": True, "false": False}.get(text, text)
    return text


def split_name(qualified: str) -> tuple[str | None, str]:
    """``crm.PRODUCT`` → (``crm``, ``PRODUCT``); an unqualified name has no schema."""
    schema, dot, name = qualified.rpartition(".")
    return (schema or None, name) if dot else (None, qualified)
