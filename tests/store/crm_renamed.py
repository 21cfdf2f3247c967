"""A second CRM schema that is not opconf's own: only names differ. Lower-case tables and
columns of its own (``prod``, ``prod_nm``…), no value encodings, no fills, ids the database
generates; a column opconf does not know (``legacy_note``) and a table of the CRM's own
(``account``) that must stay untouched."""

from __future__ import annotations

from typing import Any

from store_helpers import sql

from opconf.store.url import backend_of

MAPPING: dict[str, Any] = {
    "apiVersion": "opconf/v1",
    "kind": "StoreMapping",
    "bookkeeping": {"schema": "opconf_books"},
    "tables": {
        "crm_user": {"table": "usr", "columns": {"display_name": "full_name"}},
        "crm_coverage_role": {"table": "cov_role", "columns": {"is_unique": "single"}},
        "crm_product_type": {"table": "prod_type"},
        "product": {
            "table": "prod",
            "id": {"column": "prod_id"},
            "columns": {"key": "prod_key", "name": "prod_nm", "list_price": "price"},
        },
        "coverage_group": {"table": "cov_grp", "id": {"column": "grp_id"}},
        "coverage_member": {"table": "cov_mbr", "columns": {"group_id": "grp_id"}},
        "opportunity_template": {
            "table": "opp_tpl",
            "id": {"column": "tpl_id"},
            "columns": {"key": "tpl_key", "default_coverage_group_id": "dflt_grp_id"},
        },
        "template_product": {"table": "tpl_prod", "columns": {"template_id": "tpl_id"}},
        "template_stage": {
            "table": "tpl_stg",
            "id": {"column": "stg_id"},
            "columns": {"template_id": "tpl_id", "position": "seq"},
        },
        "stage_step": {
            "table": "stg_step",
            "columns": {"template_id": "tpl_id", "stage_id": "stg_id"},
        },
        "opportunity": {
            "table": "opp",
            "columns": {"template_id": "tpl_id", "stage_id": "stg_id", "product_id": "prod_id"},
        },
    },
}

_DDL = [
    "CREATE TABLE usr (login TEXT PRIMARY KEY, full_name TEXT, email TEXT,"
    " active BOOLEAN NOT NULL)",
    "CREATE TABLE cov_role (code TEXT PRIMARY KEY, name TEXT, single BOOLEAN NOT NULL)",
    "CREATE TABLE prod_type (code TEXT PRIMARY KEY, name TEXT)",
    "CREATE TABLE prod (prod_id {ID}, prod_key TEXT NOT NULL UNIQUE, prod_nm TEXT NOT NULL,"
    " description TEXT, type TEXT NOT NULL REFERENCES prod_type (code), active BOOLEAN NOT NULL,"
    " price {DEC}, code TEXT UNIQUE, unit_of_measure TEXT, legacy_note TEXT)",
    "CREATE TABLE cov_grp (grp_id {ID}, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " description TEXT, visibility TEXT NOT NULL)",
    "CREATE TABLE cov_mbr (id {ID},"
    " grp_id INTEGER NOT NULL REFERENCES cov_grp (grp_id) ON DELETE CASCADE,"
    " user_login TEXT NOT NULL REFERENCES usr (login),"
    " role_code TEXT NOT NULL REFERENCES cov_role (code), UNIQUE (grp_id, user_login))",
    "CREATE TABLE opp_tpl (tpl_id {ID}, tpl_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " description TEXT, category TEXT NOT NULL, entity_type TEXT NOT NULL,"
    " active BOOLEAN NOT NULL, dflt_grp_id INTEGER REFERENCES cov_grp (grp_id),"
    " legacy_note TEXT)",
    "CREATE TABLE tpl_prod ("
    " tpl_id INTEGER NOT NULL REFERENCES opp_tpl (tpl_id) ON DELETE CASCADE,"
    " product_id INTEGER NOT NULL REFERENCES prod (prod_id), position INTEGER NOT NULL,"
    " PRIMARY KEY (tpl_id, product_id), UNIQUE (tpl_id, position))",
    "CREATE TABLE tpl_stg (stg_id {ID},"
    " tpl_id INTEGER NOT NULL REFERENCES opp_tpl (tpl_id) ON DELETE CASCADE,"
    " key TEXT NOT NULL, name TEXT NOT NULL, seq INTEGER NOT NULL,"
    " probability INTEGER NOT NULL, outcome TEXT NOT NULL, guidance TEXT,"
    " UNIQUE (tpl_id, key), UNIQUE (tpl_id, seq))",
    "CREATE TABLE stg_step (id {ID},"
    " tpl_id INTEGER NOT NULL REFERENCES opp_tpl (tpl_id) ON DELETE CASCADE,"
    " stg_id INTEGER NOT NULL REFERENCES tpl_stg (stg_id) ON DELETE CASCADE,"
    " key TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,"
    " required BOOLEAN NOT NULL, due_days INTEGER, assignee_kind TEXT NOT NULL,"
    " assignee_value TEXT, UNIQUE (tpl_id, key), UNIQUE (stg_id, position))",
    "CREATE TABLE opp (id {ID}, name TEXT, tpl_id INTEGER NOT NULL REFERENCES opp_tpl (tpl_id),"
    " stg_id INTEGER REFERENCES tpl_stg (stg_id) ON DELETE SET NULL,"
    " prod_id INTEGER REFERENCES prod (prod_id), status TEXT, amount {DEC})",
    "CREATE TABLE account (id {ID}, name TEXT NOT NULL)",
]
ROWS = [
    "INSERT INTO usr VALUES ('alice', 'Alice', 'a@x', TRUE), ('bob', 'Bob', 'b@x', TRUE)",
    "INSERT INTO cov_role VALUES ('advisor', 'Advisor', FALSE)",
    "INSERT INTO prod_type VALUES ('deposit', 'Deposit')",
    "INSERT INTO account (name) VALUES ('ACME'), ('Globex')",
    "INSERT INTO prod (prod_key, prod_nm, type, active, legacy_note)"
    " VALUES ('savings', 'Savings', 'deposit', TRUE, 'from 1998')",
    "INSERT INTO opp_tpl (tpl_key, name, category, entity_type, active, legacy_note)"
    " VALUES ('onboarding', 'Onboarding', 'product', 'contact', TRUE, 'v1')",
    "INSERT INTO tpl_stg (tpl_id, key, name, seq, probability, outcome)"
    " VALUES (1, 'qualify', 'Qualify', 0, 10, 'open'), (1, 'won', 'Won', 1, 100, 'won'),"
    " (1, 'lost', 'Lost', 2, 0, 'lost')",
    "INSERT INTO tpl_prod VALUES (1, 1, 0)",
    "INSERT INTO opp (name, tpl_id, stg_id, prod_id, status) VALUES ('deal', 1, 1, 1, 'open')",
]


def create_renamed(url: str) -> dict[str, Any]:
    """The CRM's tables and rows in the database at ``url``; its mapping (as data)."""
    postgresql = backend_of(url) == "postgresql"
    fill = {
        "{ID}": "SERIAL PRIMARY KEY" if postgresql else "INTEGER PRIMARY KEY AUTOINCREMENT",
        "{DEC}": "NUMERIC" if postgresql else "TEXT",
    }
    for statement in [*_DDL, *ROWS]:
        for name, value in fill.items():
            statement = statement.replace(name, value)
        sql(url, statement)
    return MAPPING
