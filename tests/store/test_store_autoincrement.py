"""Schema v4 on a SQLite store opconf made before AUTOINCREMENT (opconf/store/rebuild.py):
the tables whose rows rollback identifies by id are rebuilt, every row, index, trigger, view
and foreign key kept, and no id a snapshot recorded is handed out again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from opconf.errors import StoreError
from opconf.store import Holder, Store, bookkeeping
from opconf.store import tables as t
from opconf.store.rebuild import TABLES, autoincrement_sql, no_new_violations
from opconf.store.tables import SCHEMA_VERSION

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

CRM_EXTRAS = [  # what a CRM may have added beside opconf's tables
    "CREATE INDEX crm_product_name ON product (name)",
    "CREATE TABLE crm_audit (what TEXT)",
    "CREATE TRIGGER crm_product_audit AFTER UPDATE ON product"
    " BEGIN INSERT INTO crm_audit VALUES ('product ' || new.key); END",
    "CREATE VIEW crm_products AS SELECT key, name FROM product",
]


def _before_autoincrement(path: Path) -> str:
    """An empty store laid out as opconf wrote it before AUTOINCREMENT. Its meta row says v4
    until the test has written through the Store (which only writes a store of its own
    version); :func:`_back_to_v3` then says what such a store says."""
    url = f"sqlite:///{path}"
    old = MetaData(naming_convention=t.metadata.naming_convention)
    for table in t.metadata.sorted_tables:
        copy = table.to_metadata(old)
        copy.dialect_options["sqlite"]["autoincrement"] = False
        copy.indexes.clear()  # v3 had none
    engine = h.engine_of(url)
    with engine.begin() as conn:
        old.create_all(conn)
        conn.execute(
            bookkeeping.opconf_meta.insert().values(id=1, schema_version=SCHEMA_VERSION, revision=0)
        )
    engine.dispose()
    return url


def _back_to_v3(url: str) -> None:
    h.sql(url, "UPDATE opconf_meta SET schema_version = 3")


def _table_sql(url: str) -> dict[str, str]:
    rows = h.sql(url, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    return {name: text for name, text in rows if name in TABLES}


@pytest.fixture
def old_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> h.Env:
    url = _before_autoincrement(tmp_path / "old.db")
    h.seed(url, h.reference_seed(tmp_path))
    return h.make_env(url, tmp_path / "repo", monkeypatch, capsys)


def test_the_upgrade_keeps_every_row_and_then_never_reuses_a_deleted_id(old_env: h.Env) -> None:
    """b (the highest id) deleted before the upgrade, c created after it: c's row is not b's,
    so a rollback deletes c and creates b again. Without the upgrade SQLite gives c b's id."""
    env = old_env
    stages = ("qualify", "propose")
    env.write([h.product("a"), h.product("b"), h.template("t", stages=stages, products=["a"])])
    env.ok("apply", "--auto-approve")
    env.write([h.product("a"), h.template("t", stages=stages, products=["a"])])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    [(b_id,)] = h.sql(env.url, "SELECT max(id) FROM product")
    assert b_id == 1  # b (id 2) is gone: max + 1 would give its id again
    stage = "SELECT id FROM template_stage WHERE key = 'qualify'"
    h.sql(
        env.url,
        f"INSERT INTO opportunity (template_id, stage_id, status) VALUES (1, ({stage}), 'open')",
    )
    for statement in CRM_EXTRAS:
        h.sql(env.url, statement)
    _back_to_v3(env.url)
    before = env.dump()

    assert Store(env.url).init() == f"Upgraded store schema v3 to v{SCHEMA_VERSION}"

    after = env.dump()
    assert after.pop("opconf_meta") == [
        (("id", 1), ("revision", 2), ("schema_version", SCHEMA_VERSION))
    ]
    assert after == {table: rows for table, rows in before.items() if table != "opconf_meta"}
    assert all("AUTOINCREMENT" in text for text in _table_sql(env.url).values())
    names = {name for (name,) in h.sql(env.url, "SELECT name FROM sqlite_master")}
    assert {"crm_product_name", "crm_product_audit", "crm_products"} <= names
    assert {
        "ix_template_product_product_id",
        "ix_opportunity_template_default_coverage_group_id",
    } <= names
    assert not {"ix_opportunity_product_id", "ix_opportunity_stage_id"} & names  # the CRM's
    env.write([h.product("a"), h.product("c"), h.template("t", stages=stages, products=["a"])])
    env.ok("apply", "--auto-approve")
    assert h.sql(env.url, "SELECT id FROM product WHERE key = 'c'") == [(3,)]
    assert h.sql(env.url, "SELECT what FROM crm_audit") == []  # the trigger is there, unfired
    h.sql(env.url, "UPDATE product SET description = 'x' WHERE key = 'a'")
    assert h.sql(env.url, "SELECT what FROM crm_audit") == [("product a",)]
    plan = json.loads(env.run("rollback", "1", "--format", "json").out)
    changes = sorted((c["action"], c["key"]) for c in plan["changes"])
    assert changes == [("create", "b"), ("delete", "c"), ("update", "a")]


def test_deleting_a_template_after_the_upgrade_still_deletes_its_stages(old_env: h.Env) -> None:
    """The rebuilt tables keep their foreign keys, ON DELETE CASCADE included."""
    env = old_env
    env.write([h.template("t", stages=("qualify",))])
    env.ok("apply", "--auto-approve")
    _back_to_v3(env.url)
    Store(env.url).init()
    env.write([h.product("p")])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    assert h.sql(env.url, "SELECT count(*) FROM template_stage") == [(0,)]


def test_the_upgrade_starts_ids_above_those_the_history_recorded(old_env: h.Env) -> None:
    """Rows deleted by the CRM after the last apply have no row left to count from: their ids
    are in the snapshots (managed objects, the CRM's own objects, stages), and a rollback
    would look for them."""
    env = old_env
    stages = ("qualify", "propose")
    env.write([h.product("a"), h.product("b"), h.template("t", stages=stages)])
    env.ok("apply", "--auto-approve")  # products a 1, b 2; stages qualify 1, propose 2, …
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active)"
        " VALUES ('crm_own', 'CRM', 'deposit', 1)",  # id 3, the CRM's
    )
    env.write([h.product("a", name="A2"), h.product("b"), h.template("t", stages=stages)])
    env.ok("apply", "--auto-approve")  # revision 2 records crm_own among the CRM's objects
    [(top_stage,)] = h.sql(env.url, "SELECT max(id) FROM template_stage")
    h.sql(env.url, "DELETE FROM product WHERE key IN ('b', 'crm_own')")  # by the CRM
    h.sql(env.url, f"DELETE FROM template_stage WHERE id = {top_stage}")
    _back_to_v3(env.url)
    Store(env.url).init()
    sequence = dict(h.sql(env.url, "SELECT name, seq FROM sqlite_sequence"))
    assert (sequence["product"], sequence["template_stage"]) == (3, top_stage)


def test_an_empty_store_numbers_its_first_rows_from_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _before_autoincrement(tmp_path / "old.db")
    h.seed(url, h.reference_seed(tmp_path))
    _back_to_v3(url)
    Store(url).init()
    env = h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
    env.write([h.product("a")])
    env.ok("apply", "--auto-approve")
    assert h.sql(url, "SELECT id FROM product") == [(1,)]


def test_tables_the_crm_made_its_own_way_are_left_as_they_were(tmp_path: Path) -> None:
    """``id INT PRIMARY KEY`` is not SQLite's row id: rewriting it would change the table; a
    WITHOUT ROWID table cannot have AUTOINCREMENT; a table that has it already is kept. The
    other tables are rebuilt all the same."""
    url = _before_autoincrement(tmp_path / "old.db")
    for table in ("coverage_member", "coverage_group", "template_product", "product"):
        h.sql(url, f"DROP TABLE {table}")
    crm_tables = [
        "CREATE TABLE product (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE NOT NULL,"
        " name TEXT NOT NULL)",
        "CREATE TABLE coverage_group (id INT PRIMARY KEY, key TEXT UNIQUE NOT NULL,"
        " name TEXT NOT NULL)",
    ]
    for statement in crm_tables:
        h.sql(url, statement)
    h.sql(url, "DROP TABLE opportunity_template")
    h.sql(
        url,
        "CREATE TABLE opportunity_template (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL,"
        " default_coverage_group_id INTEGER) WITHOUT ROWID",
    )
    _back_to_v3(url)
    summary = Store(url).init()
    assert summary == (
        f"Upgraded store schema v3 to v{SCHEMA_VERSION}; left coverage_group,"
        " opportunity_template without AUTOINCREMENT: not created by opconf, SQLite may reuse"
        " the id of a deleted row (docs/store.md)"
    )
    tables = _table_sql(url)
    assert tables["product"] == crm_tables[0]
    assert tables["coverage_group"] == crm_tables[1]
    assert tables["opportunity_template"].endswith("WITHOUT ROWID")
    assert "AUTOINCREMENT" in tables["template_stage"]
    assert Store(url).init() == (  # the tables dropped above: made now, indexed
        f"Store schema v{SCHEMA_VERSION} is up to date; created the missing tables"
        " coverage_member, template_product"
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE TABLE product (\n\tid INTEGER NOT NULL, \n\tname TEXT, \n\t"
            "CONSTRAINT pk_product PRIMARY KEY (id), \n\tCONSTRAINT uq UNIQUE (name)\n)",
            'CREATE TABLE "x" (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n\tname TEXT'
            ", \n\tCONSTRAINT uq UNIQUE (name)\n)",
        ),
        (
            'CREATE TABLE "product" ("id" integer primary key, name TEXT)',
            'CREATE TABLE "x" ("id" integer primary key AUTOINCREMENT, name TEXT)',
        ),
        ("CREATE TABLE product (id INT PRIMARY KEY, name TEXT)", None),
        ("CREATE TABLE product (id INTEGER, name TEXT, PRIMARY KEY (id) ON CONFLICT FAIL)", None),
        (
            'CREATE TABLE product (id INTEGER,\nname TEXT,\nCONSTRAINT "pk" PRIMARY KEY ( "id" ))',
            'CREATE TABLE "x" (id INTEGER PRIMARY KEY AUTOINCREMENT,\nname TEXT)',
        ),
        ("CREATE TABLE product (name TEXT, id INTEGER PRIMARY KEY)", None),
        ("CREATE TABLE product (id INTEGER, name TEXT, PRIMARY KEY (id, name))", None),
    ],
)
def test_only_an_id_declared_as_opconf_or_sqlite_writes_it_is_rewritten(
    sql: str, expected: str | None
) -> None:
    assert autoincrement_sql(sql, "x") == expected


def test_a_change_that_breaks_a_foreign_key_is_not_committed(tmp_path: Path) -> None:
    """Foreign keys are off while SQLite tables are rebuilt: they are checked before commit."""
    store = Store(f"sqlite:///{tmp_path}/store.db")
    store.init()
    with (
        pytest.raises(StoreError) as caught,
        store._db.locked(Holder.local(), 0, 0, foreign_keys=False) as conn,
        no_new_violations(conn),
    ):
        conn.exec_driver_sql(
            "INSERT INTO coverage_member (group_id, user_login, role_code) VALUES (99, 'x', 'y')"
        )
    assert str(caught.value) == (
        "upgrading the store would break 3 foreign key(s), first coverage_member row 1 →"
        " coverage_group"
    )
    assert h.sql(store.display_url, "SELECT count(*) FROM coverage_member") == [(0,)]
