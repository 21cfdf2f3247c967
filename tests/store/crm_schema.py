"""A CRM schema that is not opconf's own, made by DDL as a vendor would: renamed tables (in a
``crm`` schema on PostgreSQL) and columns, flags stored as 'Y'/'N', stage outcomes as codes,
NOT NULL audit columns every insert and update must fill (``COV_GROUP``), and columns opconf
does not know (``NOTES``, ``CRM_SCORE``) that must stay untouched. Ids: UUIDs opconf makes
(groups as 16 bytes; stages as text; templates as text, PostgreSQL's own ``uuid`` there), a
sequence for steps on PostgreSQL, the database's for products. Deleted products are marked
``IS_DELETED = 'Y'``, deleted templates get a ``DELETED_AT``. A trigger of the CRM's own writes
an ``AUDIT_LOG`` row for every insert and update of a product, and bumps its ``VERSION_NO``."""

from __future__ import annotations

import json
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
            "softDelete": {"column": "IS_DELETED", "deleted": "Y", "live": "N"},
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
            "id": {"column": "GROUP_ID", "generate": "uuid-binary"},
            "columns": {"key": "GROUP_KEY", "name": "GROUP_NAME", "visibility": "VIS"},
            "onInsert": {"CREATED_BY": "actor", "CREATED_AT": "now", "TENANT_ID": 1},
            "onUpdate": {"UPDATED_BY": "actor", "UPDATED_AT": "now"},
        },
        "opportunity_template": {
            "table": "{S}OPP_TEMPLATE",
            "id": {"column": "TEMPLATE_ID", "generate": "uuid"},
            "softDelete": {"column": "DELETED_AT", "deleted": "now"},
            "columns": {
                "key": "TPL_KEY",
                "name": "TPL_NAME",
                "active": {"column": "ACTIVE_FLAG", "values": YN},
                "default_coverage_group_id": "DEFAULT_GROUP_ID",
            },
        },
        "template_stage": {
            "table": "{S}OPP_STAGE",
            "id": {"column": "STAGE_ID", "generate": "uuid"},
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
            "id": {"column": "id", "generate": "{STEP_IDS}"},
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
    " \"NOTES\" TEXT DEFAULT 'kept', \"IS_DELETED\" CHAR(1) NOT NULL DEFAULT 'N',"
    ' "VERSION_NO" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE {S}"COV_GROUP" ("GROUP_ID" {BIN} PRIMARY KEY, "GROUP_KEY" TEXT NOT NULL UNIQUE,'
    ' "GROUP_NAME" TEXT NOT NULL, description TEXT, "VIS" TEXT NOT NULL,'
    ' "CREATED_BY" TEXT NOT NULL, "CREATED_AT" TIMESTAMP NOT NULL, "TENANT_ID" INTEGER NOT NULL,'
    ' "UPDATED_BY" TEXT, "UPDATED_AT" TIMESTAMP)',
    "CREATE TABLE coverage_member (id {ID},"
    ' group_id {BIN} NOT NULL REFERENCES {S}"COV_GROUP" ("GROUP_ID") ON DELETE CASCADE,'
    " user_login TEXT NOT NULL REFERENCES crm_user (login),"
    " role_code TEXT NOT NULL REFERENCES crm_coverage_role (code), UNIQUE (group_id, user_login))",
    'CREATE TABLE {S}"OPP_TEMPLATE" ("TEMPLATE_ID" {UUID} PRIMARY KEY,'
    ' "TPL_KEY" TEXT NOT NULL UNIQUE,'
    ' "TPL_NAME" TEXT NOT NULL, description TEXT, category TEXT NOT NULL,'
    ' entity_type TEXT NOT NULL, "ACTIVE_FLAG" CHAR(1) NOT NULL,'
    ' "DEFAULT_GROUP_ID" {BIN} REFERENCES {S}"COV_GROUP" ("GROUP_ID"), "CRM_SCORE" INTEGER,'
    ' "DELETED_AT" TIMESTAMP)',
    "CREATE TABLE template_product ("
    ' template_id {UUID} NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID") ON DELETE CASCADE,'
    ' product_id INTEGER NOT NULL REFERENCES {S}"PRODUCT" ("PRODUCT_ID"),'
    " position INTEGER NOT NULL, PRIMARY KEY (template_id, product_id),"
    " UNIQUE (template_id, position))",
    'CREATE TABLE {S}"OPP_STAGE" ("STAGE_ID" VARCHAR(36) PRIMARY KEY,'
    ' "TEMPLATE_ID" {UUID} NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID")'
    ' ON DELETE CASCADE, "STAGE_KEY" TEXT NOT NULL, "STAGE_NAME" TEXT NOT NULL,'
    ' "SEQ" INTEGER NOT NULL, probability INTEGER NOT NULL, "OUTCOME_CD" CHAR(1) NOT NULL,'
    ' guidance TEXT, UNIQUE ("TEMPLATE_ID", "STAGE_KEY"), UNIQUE ("TEMPLATE_ID", "SEQ"))',
    "CREATE TABLE stage_step (id {STEP_ID},"
    ' template_id {UUID} NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID") ON DELETE CASCADE,'
    ' stage_id VARCHAR(36) NOT NULL REFERENCES {S}"OPP_STAGE" ("STAGE_ID") ON DELETE CASCADE,'
    " key TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,"
    " required CHAR(1) NOT NULL, due_days INTEGER, assignee_kind TEXT NOT NULL,"
    " assignee_value TEXT, UNIQUE (template_id, key), UNIQUE (stage_id, position))",
    "CREATE TABLE opportunity (id {ID}, name TEXT,"
    ' template_id {UUID} NOT NULL REFERENCES {S}"OPP_TEMPLATE" ("TEMPLATE_ID"),'
    ' stage_id VARCHAR(36) REFERENCES {S}"OPP_STAGE" ("STAGE_ID") ON DELETE SET NULL,'
    ' product_id INTEGER REFERENCES {S}"PRODUCT" ("PRODUCT_ID"), status TEXT, amount {DEC})',
]
_AUDIT = 'CREATE TABLE {S}"AUDIT_LOG" ("TABLE_NAME" TEXT, "ROW_KEY" TEXT, "ACTION" TEXT)'
# The CRM's own trigger: an audit row for every insert and update of a product, and on update
# the row's VERSION_NO bumped. opconf's writes must fire it (and not trip over it).
_SQLITE_TRIGGERS = [
    'CREATE TRIGGER product_ins AFTER INSERT ON "PRODUCT" BEGIN'
    " INSERT INTO \"AUDIT_LOG\" VALUES ('PRODUCT', NEW.\"PROD_KEY\", 'I'); END",
    'CREATE TRIGGER product_upd AFTER UPDATE ON "PRODUCT"'
    ' WHEN NEW."VERSION_NO" = OLD."VERSION_NO" BEGIN'
    " INSERT INTO \"AUDIT_LOG\" VALUES ('PRODUCT', NEW.\"PROD_KEY\", 'U');"
    ' UPDATE "PRODUCT" SET "VERSION_NO" = OLD."VERSION_NO" + 1'
    ' WHERE "PRODUCT_ID" = NEW."PRODUCT_ID"; END',
]
_PG_TRIGGERS = [
    "CREATE SEQUENCE crm.step_seq",
    "CREATE FUNCTION crm.product_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    ' INSERT INTO crm."AUDIT_LOG" VALUES (\'PRODUCT\', NEW."PROD_KEY",'
    " CASE TG_OP WHEN 'INSERT' THEN 'I' ELSE 'U' END);"
    ' IF TG_OP = \'UPDATE\' THEN NEW."VERSION_NO" := OLD."VERSION_NO" + 1; END IF;'
    " RETURN NEW; END $$",
    'CREATE TRIGGER product_audit BEFORE INSERT OR UPDATE ON crm."PRODUCT"'
    " FOR EACH ROW EXECUTE FUNCTION crm.product_audit()",
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
        "{STEP_ID}": "INTEGER PRIMARY KEY" if postgresql else "INTEGER PRIMARY KEY AUTOINCREMENT",
        "{BIN}": "BYTEA" if postgresql else "BLOB",
        "{UUID}": "UUID" if postgresql else "VARCHAR(36)",  # PostgreSQL: its own type
        "{DEC}": "NUMERIC" if postgresql else "TEXT",
    }
    if postgresql:
        sql(url, "CREATE SCHEMA crm")
    triggers = _PG_TRIGGERS if postgresql else _SQLITE_TRIGGERS
    for statement in [*_DDL, _AUDIT, *triggers, *REFERENCE]:
        for name, value in {**(changes or {}), **fill}.items():
            statement = statement.replace(name, value)
        sql(url, statement)
    return mapping_for(url)


def mapping_for(url: str) -> StoreMapping:
    postgresql = backend_of(url) == "postgresql"
    schema = "crm." if postgresql else ""
    step_ids = "sequence:crm.step_seq" if postgresql else "database"  # SQLite: no sequences
    text = json.dumps(MAPPING).replace("{S}", schema).replace("{STEP_IDS}", step_ids)
    return StoreMapping.model_validate(json.loads(text))


def layout_for(url: str) -> Any:
    return build(mapping_for(url), backend_of(url))
