"""The store's tables: a public contract (docs/store.md) that other CRM components read.

CRM-owned tables (``crm_*``, ``opportunity``) are read, never written — except that apply moves
open opportunities off a removed stage onto the stage that ``replaces`` it. Configuration
tables carry an integer surrogate ``id`` and the natural ``key``; which rows opconf manages is
its own bookkeeping (opconf/store/bookkeeping.py), not a column of the CRM's tables.

Constraint names follow ``NAMING`` so that migrations can refer to them on both backends.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from opconf.canonical import decimal_text

# v2: opconf_history.override_windows, override_reason; v3: snapshots packed (store/packing.py);
# v4: on SQLite, AUTOINCREMENT ids (store/rebuild.py); indexes on the columns referencing
# products and coverage groups; v5: ownership in opconf_owned (store/bookkeeping.py), no
# ``managed`` column in the configuration tables
SCHEMA_VERSION = 5

NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class ExactDecimal(TypeDecorator[str]):
    """An exact decimal, as canonical text in Python (``"1250.5"``).

    NUMERIC on PostgreSQL; TEXT holding the canonical decimal string on SQLite, which has no
    exact decimal type (its NUMERIC affinity would turn the value into a float).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        text = decimal_text(value)
        if text is None or dialect.name != "postgresql":
            return text
        return Decimal(text)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return decimal_text(value)


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _key() -> Column[str]:
    return Column("key", Text, nullable=False)


# --- CRM-owned ------------------------------------------------------------------------------

crm_user = Table(
    "crm_user",
    metadata,
    Column("login", Text, primary_key=True),
    Column("display_name", Text),
    Column("email", Text),
    Column("active", Boolean, nullable=False),
)

crm_coverage_role = Table(
    "crm_coverage_role",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text),
    Column("is_unique", Boolean, nullable=False),
)

crm_product_type = Table(
    "crm_product_type",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text),
)

# --- configuration --------------------------------------------------------------------------

# sqlite_autoincrement on the tables whose rows rollback identifies by id (objects, stages):
# without it SQLite gives a new row the id of the last deleted one (max + 1), and a rollback
# would take the new row for the deleted one. PostgreSQL never reuses an id.
product = Table(
    "product",
    metadata,
    _id(),
    _key(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("type", Text, ForeignKey("crm_product_type.code"), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("list_price", ExactDecimal),
    Column("code", Text),
    Column("unit_of_measure", Text),
    UniqueConstraint("key"),
    UniqueConstraint("code"),
    sqlite_autoincrement=True,
)

coverage_group = Table(
    "coverage_group",
    metadata,
    _id(),
    _key(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("visibility", Text, nullable=False),
    UniqueConstraint("key"),
    CheckConstraint(_in("visibility", "public", "private"), name="visibility"),
    sqlite_autoincrement=True,
)

coverage_member = Table(
    "coverage_member",
    metadata,
    _id(),
    Column(
        "group_id", Integer, ForeignKey("coverage_group.id", ondelete="CASCADE"), nullable=False
    ),
    Column("user_login", Text, ForeignKey("crm_user.login"), nullable=False),
    Column("role_code", Text, ForeignKey("crm_coverage_role.code"), nullable=False),
    UniqueConstraint("group_id", "user_login"),
)

opportunity_template = Table(
    "opportunity_template",
    metadata,
    _id(),
    _key(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("category", Text, nullable=False),
    Column("entity_type", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    # Indexed (since v4), as every column that references a row opconf deletes: the database
    # checks the reference on each delete, and without the index that is a scan of the table.
    Column("default_coverage_group_id", Integer, ForeignKey("coverage_group.id"), index=True),
    UniqueConstraint("key"),
    CheckConstraint(_in("category", "product", "parent"), name="category"),
    CheckConstraint(_in("entity_type", "contact", "company", "household"), name="entity_type"),
    sqlite_autoincrement=True,
)

template_product = Table(
    "template_product",
    metadata,
    Column(
        "template_id",
        Integer,
        ForeignKey("opportunity_template.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("product_id", Integer, ForeignKey("product.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("template_id", "product_id"),
    UniqueConstraint("template_id", "position"),
)

template_stage = Table(
    "template_stage",
    metadata,
    _id(),
    Column(
        "template_id",
        Integer,
        ForeignKey("opportunity_template.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _key(),
    Column("name", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("probability", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("guidance", Text),
    UniqueConstraint("template_id", "key"),
    UniqueConstraint("template_id", "position"),
    # Target of stage_step's composite key: a step's stage belongs to the step's template.
    UniqueConstraint("id", "template_id"),
    CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
    CheckConstraint(_in("outcome", "open", "won", "lost"), name="outcome"),
    sqlite_autoincrement=True,
)

stage_step = Table(
    "stage_step",
    metadata,
    _id(),
    Column(
        "template_id",
        Integer,
        ForeignKey("opportunity_template.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("stage_id", Integer, nullable=False),
    _key(),
    Column("name", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", Text, nullable=False),
    Column("required", Boolean, nullable=False),
    Column("due_days", Integer),
    Column("assignee_kind", Text, nullable=False),
    Column("assignee_value", Text),
    ForeignKeyConstraint(
        ["stage_id", "template_id"],
        ["template_stage.id", "template_stage.template_id"],
        ondelete="CASCADE",
    ),
    UniqueConstraint("template_id", "key"),
    UniqueConstraint("stage_id", "position"),
    CheckConstraint(_in("type", "task", "document", "call", "meeting"), name="type"),
    CheckConstraint("due_days IS NULL OR due_days >= 0", name="due_days"),
    CheckConstraint(_in("assignee_kind", "owner", "role", "user"), name="assignee_kind"),
    CheckConstraint("(assignee_kind = 'owner') = (assignee_value IS NULL)", name="assignee_value"),
)

# --- CRM-owned, referencing configuration ---------------------------------------------------

opportunity = Table(
    "opportunity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text),
    # Indexed where opconf creates this CRM table (a CRM's own indexes are its business).
    Column(
        "template_id", Integer, ForeignKey("opportunity_template.id"), nullable=False, index=True
    ),
    # A closed opportunity on a stage that is removed keeps its status and loses the stage.
    Column("stage_id", Integer, ForeignKey("template_stage.id", ondelete="SET NULL"), index=True),
    Column("product_id", Integer, ForeignKey("product.id"), index=True),
    Column("status", Text),
    Column("amount", ExactDecimal),
    CheckConstraint(_in("status", "open", "won", "lost"), name="status"),
)

CRM_TABLES = ("crm_user", "crm_coverage_role", "crm_product_type", "opportunity")
