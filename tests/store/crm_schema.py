"""A CRM schema that is not opconf's own, made by DDL as a vendor would: renamed tables (in a
``crm`` schema on PostgreSQL) and columns, flags stored as 'Y'/'N', stage outcomes as codes,
NOT NULL audit columns every insert and update must fill (``COV_GROUP``), and columns opconf
does not know (``NOTES``, ``CRM_SCORE``) that must stay untouched."""

from __future__ import annotations

from typing import Any

from store_helpers import sql

from opconf.store.mapping import build
from opconf.store.mapping_model import StoreMapping
from opconf.store.url import backend_of

YN = {"true": "Y", "false": "N"}
MAPPING: dict[str, Any] = {
    "apiVersion": "opconf/v1",
    "kind": "StoreMapping",
    "tables": {
        "product": {
            "table": "{S}PRODUCT",
            "id": {"column": "PRODUCT_ID"},
            "columns": {
                "key": "PROD_KEY",
                "name": "PROD_NAME",
                "description": "DESCR",
                "type": "PROD_TYPE_CD",
                "active": {"column": "ACTIVE_FLAG", "values": YN},
                "list_price": "LIST_PRICE",
                "code": "PROD_CODE",
                "unit_of_measure": "UOM",
            },
        },
        "coverage_group": {
            "table": "{S}COV_GROUP",
            "id": {"column": "GROUP_ID"},
            "columns": {"key": "GROUP_KEY", "name": "GROUP_NAME", "visibility": "VIS"},
            "onInsert": {"CREATED_BY": "actor", "CREATED_AT": "now", "TENANT_ID": 1},
            "onUpdate": {"UPDATED_BY": "actor", "UPDATED_AT": "now"},
        },
        "opportunity_template": {
            "table": "{S}OPP_TEMPLATE",
            "id": {"column": "TEMPLATE_ID"},
            "columns": {
                "key": "TPL_KEY",
                "name": "TPL_NAME",
                "active": {"column": "ACTIVE_FLAG", "values": YN},
                "default_coverage_group_id": "DEFAULT_GROUP_ID",
            },
        },
        "template_stage": {
            "table": "{S}OPP_STAGE",
            "id": {"column": "STAGE_ID"},
            "columns": {
                "template_id": "TEMPLATE_ID",
                "key": "STAGE_KEY",
                "name": "STAGE_NAME",
                "position": "SEQ",
                "outcome": {
                    "column": "OUTCOME_CD",
                    "values": {"open": "O", "won": "W", "lost": "L"},
                },
            },
        },
        "stage_step": {
            "columns": {"required": {"column": "required", "values": YN}},
        },
    },
}

_DDL = [
    "CREATE TABLE crm_user (login TEXT PRIMARY KEY, display_name TEXT, email TEXT,"
    " active BOOLEAN NOT NULL)",
    "CREATE TABLE crm_coverage_role (code TEXT PRIMARY KEY, name TEXT, is_unique BOOLEAN NOT NULL)",
    "CREATE TABLE crm_product_type (code TEXT PRIMARY KEY, name TEXT)",
    'CREATE TABLE {S}"PRODUCT" ("PRODUCT_ID" {ID}, "PROD_KEY" TEXT NOT NULL UNIQUE,'
    ' "PROD_NAME" TEXT NOT NULL, "DESCR" TEXT,'
    ' "PROD_TYPE_CD" TEXT NOT NULL REFERENCES crm_product_type (code),'
    ' "ACTIVE_FLAG" CHAR(1) NOT NULL, "LIST_PRICE" {DEC}, "PROD_CODE" TEXT UNIQUE, "UOM" TEXT,'
    " \"NOTES\" TEXT DEFAULT 'kept')",
    'CREATE TABLE {S}"COV_GROUP" ("GROUP_ID" {ID}, "GROUP_KEY" TEXT NOT NULL UNIQUE,'
    ' "GROUP_NAME" TEXT NOT NULL, description TEXT, "VIS" TEXT NOT NULL,'
    ' "CREATED_BY" TEXT NOT NULL, "CREATED_AT" TIMESTAMP NOT NULL, "TENANT_ID" INTEGER NOT NULL,'
    ' "UPDATED_BY" TEXT, "UPDATED_AT" TIMESTAMP)',
    "CREATE TABLE coverage_member (id {ID},"
    ' group_id INTEGER NOT NULL REFERENCES {S}"COV_GROUP" ("GROUP_ID") ON DELETE CASCADE,'
    " user_login TEXT NOT NULL REFERENCES crm_user (login),"
    " role_code TEXT NOT NULL REFERENCES crm_coverage_role (code), UNIQUE (group_id, user_login))",
    'CREATE TABLE {S}"OPP_TEMPLATE" ("TEMPLATE_ID" {ID}, "TPL_KEY" TEXT NOT NULL UNIQUE,'
    ' "TPL_NAME" TEXT NOT NULL, description TEXT, category TEXT NOT NULL,'
    ' entity_type TEXT NOT NULL, "ACTIVE_FLAG" CHAR(1) NOT NULL,'
    ' "DEFAULT_GROUP_ID" INTEGER REFERENCES {S}"COV_GROUP" ("GROUP_ID"), "CRM_SCORE" INTEGER)',
    "CREATE TABLE template_product ("
    ' template_id INTEGER NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID") ON DELETE CASCADE,'
    ' product_id INTEGER NOT NULL REFERENCES {S}"PRODUCT" ("PRODUCT_ID"),'
    " position INTEGER NOT NULL, PRIMARY KEY (template_id, product_id),"
    " UNIQUE (template_id, position))",
    'CREATE TABLE {S}"OPP_STAGE" ("STAGE_ID" {ID},'
    ' "TEMPLATE_ID" INTEGER NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID")'
    ' ON DELETE CASCADE, "STAGE_KEY" TEXT NOT NULL, "STAGE_NAME" TEXT NOT NULL,'
    ' "SEQ" INTEGER NOT NULL, probability INTEGER NOT NULL, "OUTCOME_CD" CHAR(1) NOT NULL,'
    ' guidance TEXT, UNIQUE ("TEMPLATE_ID", "STAGE_KEY"), UNIQUE ("TEMPLATE_ID", "SEQ"))',
    "CREATE TABLE stage_step (id {ID},"
    ' template_id INTEGER NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID") ON DELETE CASCADE,'
    ' stage_id INTEGER NOT NULL REFERENCES {S}"OPP_STAGE" ("STAGE_ID") ON DELETE CASCADE,'
    " key TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,"
    " required CHAR(1) NOT NULL, due_days INTEGER, assignee_kind TEXT NOT NULL,"
    " assignee_value TEXT, UNIQUE (template_id, key), UNIQUE (stage_id, position))",
    "CREATE TABLE opportunity (id {ID}, name TEXT,"
    ' template_id INTEGER NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID"),'
    ' stage_id INTEGER REFERENCES {S}"OPP_STAGE" ("STAGE_ID") ON DELETE SET NULL,'
    ' product_id INTEGER REFERENCES {S}"PRODUCT" ("PRODUCT_ID"), status TEXT, amount {DEC})',
]
REFERENCE = [
    "INSERT INTO crm_user VALUES ('alice', 'Alice', 'a@x', TRUE), ('bob', 'Bob', 'b@x', TRUE)",
    "INSERT INTO crm_coverage_role VALUES ('advisor', 'Advisor', FALSE)",
    "INSERT INTO crm_product_type VALUES ('deposit', 'Deposit')",
]


def create_crm(url: str, changes: dict[str, str] | None = None) -> StoreMapping:
    """The CRM's tables and reference rows in the database at ``url``; its mapping.
    ``changes``: text replaced in the DDL (a CRM that differs)."""
    postgresql = backend_of(url) == "postgresql"
    fill = {
        "{S}": "crm." if postgresql else "",
        "{ID}": "SERIAL PRIMARY KEY" if postgresql else "INTEGER PRIMARY KEY AUTOINCREMENT",
        "{DEC}": "NUMERIC" if postgresql else "TEXT",
    }
    if postgresql:
        sql(url, "CREATE SCHEMA crm")
    for statement in [*_DDL, *REFERENCE]:
        for name, value in {**(changes or {}), **fill}.items():
            statement = statement.replace(name, value)
        sql(url, statement)
    return mapping_for(url)


def mapping_for(url: str) -> StoreMapping:
    schema = "crm." if backend_of(url) == "postgresql" else ""
    tables = {
        name: {**spec, "table": spec["table"].replace("{S}", schema)} if "table" in spec else spec
        for name, spec in MAPPING["tables"].items()
    }
    return StoreMapping.model_validate({**MAPPING, "tables": tables})


def layout_for(url: str) -> Any:
    return build(mapping_for(url), backend_of(url))
