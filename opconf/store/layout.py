"""The tables one store is read and written through: opconf's own layout (tables.py,
bookkeeping.py) or the CRM's, mapped (mapping.py). Every reader and writer takes a Layout;
columns are reached by their logical key (``layout.product.c.key``) whatever the CRM calls
them, so no code path knows whether a store is mapped."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import Connection, MetaData, Table, inspect

from opconf.store import bookkeeping as b
from opconf.store import tables as t


@dataclass(frozen=True)
class Layout:
    """Each logical table of docs/store.md as this store's SQLAlchemy ``Table``."""

    metadata: MetaData
    crm_user: Table
    crm_coverage_role: Table
    crm_product_type: Table
    product: Table
    coverage_group: Table
    coverage_member: Table
    opportunity_template: Table
    template_product: Table
    template_stage: Table
    stage_step: Table
    opportunity: Table
    opconf_meta: Table
    opconf_history: Table
    opconf_owned: Table
    mapped: bool = False  # the CRM's own tables: opconf creates its bookkeeping only

    @classmethod
    def of(cls, metadata: MetaData, by_name: dict[str, Table], mapped: bool) -> Layout:
        """``by_name``: logical table name → Table."""
        return cls(metadata=metadata, mapped=mapped, **by_name)

    def tables(self) -> dict[str, Table]:
        """Logical name → Table, the CRM's first, bookkeeping last."""
        skip = {"metadata", "mapped"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}

    def bookkeeping(self) -> tuple[Table, ...]:
        return (self.opconf_meta, self.opconf_history, self.opconf_owned)


# bookkeeping.py defines opconf's tables on t.metadata: imported above, they are in it.
assert all(table.name in t.metadata.tables for table in b.TABLES)
DEFAULT = Layout.of(t.metadata, dict(t.metadata.tables), mapped=False)


def table_names(conn: Connection, schema: str | None = None) -> set[str]:
    """The tables of a database schema (None: the default one), as the database names them."""
    return set(inspect(conn).get_table_names(schema=schema))


def present(conn: Connection, layout: Layout = DEFAULT) -> set[str]:
    """The logical names of the layout's tables that exist: one look per database schema."""
    names: dict[str | None, set[str]] = {}
    for table in layout.tables().values():
        if table.schema not in names:
            names[table.schema] = table_names(conn, table.schema)
    return {name for name, table in layout.tables().items() if table.name in names[table.schema]}
