"""A store mapped onto a CRM schema that is not opconf's own (tests/store/crm_schema.py):
init makes opconf's bookkeeping only, every read and write goes through the CRM's names and
codes, and what opconf does not know is left as it was."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from crm_schema import create_crm, layout_for
from store_helpers import HOLDER, group, product, sql, stage, template

from opconf.errors import InvalidFileError, StoreError, UsageError
from opconf.store import Holder, Store
from opconf.store.connect import ensure_parent
from opconf.store.mapping import build, load, split_name
from opconf.store.mapping_model import StoreMapping
from opconf.store.url import backend_of
from opconf.store.write import Update

SEEDED = "SELECT count(*) FROM crm_user"


@pytest.fixture
def crm(crm_url: str) -> Iterator[Store]:
    ensure_parent(crm_url)
    create_crm(crm_url)
    store = Store(crm_url, layout_for(crm_url))
    yield store
    store.close()


def _t(url: str, name: str) -> str:
    return f'crm."{name}"' if url.startswith("postgresql") else f'"{name}"'


def test_init_creates_the_bookkeeping_only(crm: Store, crm_url: str) -> None:
    before = _crm_tables(crm_url)
    schema = "opconf." if crm_url.startswith("postgresql") else ""
    assert crm.init() == (
        f"Initialised store schema v5; created {schema}opconf_history, {schema}opconf_meta,"
        f" {schema}opconf_owned"
    )
    assert _crm_tables(crm_url) == before
    assert sql(crm_url, f"SELECT revision FROM {schema}opconf_meta") == [(0,)]


def _crm_tables(url: str) -> list[str]:
    if url.startswith("postgresql"):
        query = "SELECT table_schema || '.' || table_name FROM information_schema.tables"
        rows = sql(url, f"{query} WHERE table_schema IN ('crm', 'public')")
    else:
        rows = sql(url, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(name for (name,) in rows if "opconf" not in name and "sqlite" not in name)


def test_objects_round_trip_through_the_crm_names_and_codes(crm: Store, crm_url: str) -> None:
    crm.init()
    objects = [
        ("Product", product("savings", active=False, listPrice="1250.50", code="SAV")),
        ("CoverageGroup", group("east", members=[{"user": "alice", "role": "advisor"}])),
        (
            "OpportunityTemplate",
            template(
                "onboarding",
                products=["savings"],
                defaultCoverageGroup="east",
                stages=[
                    stage(
                        "qualify",
                        10,
                        steps=[{"key": "kyc", "name": "KYC", "type": "task", "required": True}],
                    ),
                    stage("won", 100, outcome="won"),
                    stage("lost", 0, outcome="lost"),
                ],
            ),
        ),
    ]
    with crm.writer(HOLDER) as w:
        for kind, obj in objects:
            w.create(kind, obj)
    state = crm.read_state()
    for kind, obj in objects:
        stored = state.objects[(kind, obj["key"])]
        assert (stored.data, stored.managed) == (obj, True)
    assert sql(crm_url, f'SELECT "ACTIVE_FLAG", "NOTES" FROM {_t(crm_url, "PRODUCT")}') == [
        ("N", "kept")
    ]
    outcomes = f'SELECT "OUTCOME_CD" FROM {_t(crm_url, "OPP_STAGE")} ORDER BY "SEQ"'
    assert sql(crm_url, outcomes) == [("O",), ("W",), ("L",)]
    assert sql(crm_url, "SELECT required FROM stage_step") == [("Y",)]


def test_updates_renames_and_deletes_keep_the_crm_columns(crm: Store, crm_url: str) -> None:
    crm.init()
    with crm.writer(HOLDER) as w:
        w.create("Product", product("savings"))
        w.create("OpportunityTemplate", template("t", products=["savings"]))
    sql(crm_url, f'UPDATE {_t(crm_url, "OPP_TEMPLATE")} SET "CRM_SCORE" = 7')
    with crm.writer(HOLDER) as w:
        row = w.state.objects[("OpportunityTemplate", "t")]
        w.update("OpportunityTemplate", row.id, template("t2", products=[], active=False))
        w.delete("Product", w.state.objects[("Product", "savings")].id)
    state = crm.read_state()
    assert [k for k in state.objects] == [("OpportunityTemplate", "t2")]
    query = f'SELECT "TPL_KEY", "ACTIVE_FLAG", "CRM_SCORE" FROM {_t(crm_url, "OPP_TEMPLATE")}'
    assert sql(crm_url, query) == [("t2", "N", 7)]


def test_inserts_and_updates_fill_the_crm_audit_columns(crm: Store, crm_url: str) -> None:
    crm.init()
    with crm.writer(HOLDER) as w:
        w.create_many("CoverageGroup", [group("east"), group("west")])
    audit = f'SELECT "CREATED_BY", "TENANT_ID", "UPDATED_BY" FROM {_t(crm_url, "COV_GROUP")}'
    assert sql(crm_url, audit) == [("tester", 1, None), ("tester", 1, None)]
    with crm.writer(Holder(actor="bob", host="h", pid=2)) as w:
        keys = ("east", "west")
        rows = [w.state.objects[("CoverageGroup", k)].id for k in keys]
        updates = [Update(i, group(k, name="New")) for i, k in zip(rows, keys, strict=True)]
        w.update_many("CoverageGroup", updates)
    assert sql(crm_url, audit) == [("tester", 1, "bob"), ("tester", 1, "bob")]
    stamped = f'SELECT count(*) FROM {_t(crm_url, "COV_GROUP")} WHERE "UPDATED_AT" IS NOT NULL'
    assert sql(crm_url, stamped) == [(2,)]


def test_the_crm_rows_are_read_unowned_and_a_code_it_does_not_name_is_one_error(
    crm: Store, crm_url: str
) -> None:
    insert = (
        f'INSERT INTO {_t(crm_url, "PRODUCT")} ("PROD_KEY", "PROD_NAME", "PROD_TYPE_CD",'
        " \"ACTIVE_FLAG\") VALUES (:key, :key, 'deposit', :flag)"
    )
    sql(crm_url, insert, key="crm_made", flag="Y")
    [stored] = crm.read_state().objects.values()  # before any init
    assert (stored.key, stored.data["active"], stored.managed) == ("crm_made", True, False)
    sql(crm_url, insert, key="odd", flag="?")
    with pytest.raises(StoreError, match=r"PRODUCT.ACTIVE_FLAG holds '\?', a code the mapping"):
        crm.read_state()


def test_split_name() -> None:
    assert split_name("crm.PRODUCT") == ("crm", "PRODUCT")
    assert split_name("PRODUCT") == (None, "PRODUCT")


EXAMPLE = Path(__file__).parents[2] / "examples" / "crm" / "vendor-mapping.yaml"


def test_the_example_mapping_is_valid_and_maps_the_vendor_schema() -> None:
    layout = load(EXAMPLE, "postgresql")
    assert (layout.product.schema, layout.product.name) == ("crm", "PRODUCT")
    assert layout.product.c.active.name == "ACTIVE_FLAG"
    assert layout.opconf_meta.schema == "opconf"
    assert load(EXAMPLE, "sqlite").opconf_meta.schema is None


def test_a_sequence_on_sqlite_is_refused_located(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    seq = "    id: {column: PRODUCT_ID, generate: 'sequence:crm.product_seq'}"
    path.write_text(text.replace("    id: {column: PRODUCT_ID}", seq, 1))
    assert load(path, "postgresql").product.c.id.default.name == "product_seq"
    with pytest.raises(InvalidFileError, match=r"m.yaml is invalid \(1 error\)") as caught:
        load(path, "sqlite")
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.line, problem.path) == (
        "OPC104",
        next(i for i, line in enumerate(text.splitlines(), 1) if "PRODUCT_ID" in line),
        ("tables", "product", "id", "generate"),
    )
    assert problem.message.startswith("sequence:crm.product_seq: SQLite has no sequences")


def test_soft_delete_of_a_templates_own_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    marked = "  stage_step:\n    softDelete: {column: GONE, deleted: 'Y'}\n"
    path.write_text(text.replace("  stage_step:\n", marked, 1))
    with pytest.raises(UsageError, match=r"tables.stage_step.softDelete is not supported"):
        load(path, "sqlite")


def test_an_invalid_mapping_lists_its_problems_located(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "apiVersion: opconf/v1\nkind: StoreMapping\ntables:\n  product:\n    colums: {}\n"
    )
    with pytest.raises(InvalidFileError, match=r"m.yaml is invalid \(1 error\)") as caught:
        load(path, "sqlite")
    [problem] = caught.value.diagnostics
    assert (problem.line, problem.path) == (5, ("tables", "product", "colums"))


# --- ids opconf generates, soft deletes, the CRM's own trigger --------------------------------


def _opportunity(url: str, template_id: str, stage_id: str) -> None:
    sql(
        url,
        "INSERT INTO opportunity (name, template_id, stage_id, status)"
        " VALUES ('deal', :t, :s, 'open')",
        t=template_id,
        s=stage_id,
    )


def test_uuid_ids_round_trip_through_renames_and_stage_moves(crm: Store, crm_url: str) -> None:
    crm.init()
    stages = [stage("qualify", 10), stage("review", 50), stage("won", 100, outcome="won")]
    with crm.writer(HOLDER) as w:
        w.create("CoverageGroup", group("east", members=[{"user": "alice", "role": "advisor"}]))
        w.create("OpportunityTemplate", template("t", stages=stages, defaultCoverageGroup="east"))
    before = crm.read_state().objects
    tpl, east = before[("OpportunityTemplate", "t")], before[("CoverageGroup", "east")]
    assert all(len(i) == 36 for i in [tpl.id, east.id, *tpl.stage_ids.values()])
    raw = sql(crm_url, f'SELECT "GROUP_ID" FROM {_t(crm_url, "COV_GROUP")}')[0][0]
    assert bytes(raw) == uuid.UUID(east.id).bytes  # 16 bytes in the CRM, its text in opconf
    _opportunity(crm_url, tpl.id, tpl.stage_ids["qualify"])
    renamed = template("t2", stages=stages[1:], defaultCoverageGroup="east")
    with crm.writer(HOLDER) as w:
        w.update("OpportunityTemplate", tpl.id, renamed, stage_moves={"qualify": "review"})
        assert list(w.moved) == [tpl.stage_ids["qualify"]]
    after = crm.read_state().objects[("OpportunityTemplate", "t2")]
    assert (after.id, after.stage_ids["review"]) == (tpl.id, tpl.stage_ids["review"])
    assert sql(crm_url, "SELECT stage_id FROM opportunity") == [(tpl.stage_ids["review"],)]
    assert crm.open_stages([1]) == {1: tpl.stage_ids["review"]}


def test_a_soft_deleted_row_is_invisible_and_a_create_revives_it(crm: Store, crm_url: str) -> None:
    crm.init()
    with crm.writer(HOLDER) as w:
        p = w.create("Product", product("savings"))
        t = w.create("OpportunityTemplate", template("t", products=["savings"]))
    with crm.writer(HOLDER) as w:
        w.delete("OpportunityTemplate", t)
        w.delete("Product", p)
    assert crm.read_state().objects == {}
    marks = f'SELECT "PROD_KEY", "IS_DELETED" FROM {_t(crm_url, "PRODUCT")}'
    assert sql(crm_url, marks) == [("savings", "Y")]
    deleted = f'SELECT count(*) FROM {_t(crm_url, "OPP_TEMPLATE")} WHERE "DELETED_AT" IS NOT NULL'
    assert sql(crm_url, deleted) == [(1,)]
    one_stage = [stage("won", 100, outcome="won")]
    with crm.writer(HOLDER) as w:
        assert w.create("Product", product("savings", name="Back")) == p
        assert w.create("OpportunityTemplate", template("t", stages=one_stage)) == t
    state = crm.read_state().objects
    assert (state[("Product", "savings")].id, state[("Product", "savings")].managed) == (p, True)
    assert state[("OpportunityTemplate", "t")].data == template("t", stages=one_stage)
    assert sql(crm_url, marks) == [("savings", "N")]
    assert sql(crm_url, deleted) == [(0,)]


def test_a_mapping_that_does_not_revive_refuses_the_create(crm_url: str) -> None:
    ensure_parent(crm_url)
    mapping = create_crm(crm_url)
    spec = mapping.model_dump(by_alias=True, exclude_none=True)
    spec["tables"]["product"]["softDelete"]["revive"] = False
    store = Store(crm_url, build(StoreMapping.model_validate(spec), backend_of(crm_url)))
    store.init()
    with store.writer(HOLDER) as w:
        p = w.create("Product", product("savings"))
    with store.writer(HOLDER) as w:
        w.delete("Product", p)
    refused = r"Product 'savings' is held by a deleted row \(id 1\)"
    with pytest.raises(StoreError, match=refused), store.writer(HOLDER) as w:
        w.create("Product", product("savings"))
    store.close()


def test_the_crms_own_trigger_fires_for_opconfs_writes(crm: Store, crm_url: str) -> None:
    crm.init()
    with crm.writer(HOLDER) as w:
        p = w.create("Product", product("savings"))
    with crm.writer(HOLDER) as w:
        w.update("Product", p, product("savings", name="Savings 2"))
    audit = f'SELECT "ROW_KEY", "ACTION" FROM {_t(crm_url, "AUDIT_LOG")}'
    assert sql(crm_url, audit) == [("savings", "I"), ("savings", "U")]
    version = f'SELECT "VERSION_NO" FROM {_t(crm_url, "PRODUCT")}'
    assert sql(crm_url, version) == [(1,)]
