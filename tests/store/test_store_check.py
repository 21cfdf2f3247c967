"""``opconf store check``: each difference between the CRM's database and what opconf needs,
one line with its fix; ``store init`` refuses an incompatible CRM; a role that may only read
runs the read-only commands, and apply names the privilege it lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from crm_schema import create_crm, layout_for
from store_helpers import sql

from opconf import exitcodes
from opconf.cli import main
from opconf.store import Store
from opconf.store.connect import ensure_parent

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

# A CRM without the UOM column and without a unique key on the group's key.
DIFFERENT = {', "UOM" TEXT': "", '"GROUP_KEY" TEXT NOT NULL UNIQUE': '"GROUP_KEY" TEXT NOT NULL'}


def _repo(root: Path, url: str, changes: dict[str, str] | None = None) -> Path:
    ensure_parent(url)
    mapping = create_crm(url, changes)
    (root / "crm").mkdir(parents=True)
    data = json.loads(mapping.model_dump_json(by_alias=True, exclude_none=True))
    (root / "crm" / "mapping.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return root


def _project(root: Path, url: str) -> None:
    project = {"targets": {"prod": {"store": url, "mapping": "crm/mapping.yaml"}}}
    (root / "opconf.yaml").write_text(yaml.safe_dump({**project, "defaultTarget": "prod"}))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def chdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("OPCONF_ACTOR", "tester")
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    return root


def test_a_compatible_crm(chdir: Path, crm_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _project(_repo(chdir, crm_url), crm_url)
    code, out, _ = _run(capsys, "store", "check")
    assert (code, out.splitlines()[1:]) == (
        exitcodes.OK,
        ["Compatible: opconf can read and write this store."],
    )


def test_each_difference_is_one_line_with_its_fix(
    chdir: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(_repo(chdir, crm_url, DIFFERENT), crm_url)
    before = h.dump(crm_url)
    code, out, _ = _run(capsys, "store", "check")
    s, q = ("crm.", 'crm."') if crm_url.startswith("postgresql") else ("", '"')
    assert (code, out.splitlines()[1:]) == (
        exitcodes.PROBLEMS,
        [
            f"{s}PRODUCT.UOM (product.unit_of_measure): missing column;"
            f' fix: ALTER TABLE {q}PRODUCT" ADD COLUMN "UOM" TEXT;',
            f"{s}COV_GROUP: no unique key on (GROUP_KEY);"
            f' fix: CREATE UNIQUE INDEX uq_cov_group_group_key ON {q}COV_GROUP" ("GROUP_KEY");',
            "Not compatible: 2 problems.",
        ],
    )
    code, out, err = _run(capsys, "store", "init")
    assert (code, out) == (exitcodes.STORE, "")
    assert err.startswith(
        "error: store at " + crm_url + " does not fit opconf: "
        f"{s}PRODUCT.UOM (product.unit_of_measure): missing column (and 1 more);"
        " nothing was created\nhint: `opconf store check` lists every problem"
    )
    assert h.dump(crm_url) == before


def test_store_init_demo_refuses_postgresql_and_a_crm_with_rows(
    chdir: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_parent(store_url)
    if store_url.startswith("sqlite"):
        sql(store_url, "CREATE TABLE crm_user (login TEXT PRIMARY KEY, active BOOLEAN)")
        sql(store_url, "INSERT INTO crm_user VALUES ('alice', TRUE)")
        why = "already holds CRM rows"
    else:
        why = "is PostgreSQL, a real CRM's"
    code, out, err = _run(capsys, "store", "init", "--demo", "--store", store_url)
    assert (code, out) == (exitcodes.USAGE, "")
    assert err == (
        f"error: --demo seeds sample data; {store_url} {why}\n"
        "hint: pass --force to seed it all the same\n"
    )


@pytest.mark.postgres
def test_a_role_that_may_only_read(
    chdir: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not crm_url.startswith("postgresql"):
        pytest.skip("privileges are PostgreSQL's")
    _repo(chdir, crm_url)
    sql(
        crm_url,
        'INSERT INTO crm."PRODUCT" ("PROD_KEY", "PROD_NAME", "PROD_TYPE_CD",'
        " \"ACTIVE_FLAG\") VALUES ('savings', 'Savings', 'deposit', 'Y')",
    )
    for statement in (
        "CREATE ROLE reader LOGIN",
        "GRANT USAGE ON SCHEMA crm, public TO reader",
        "GRANT SELECT ON ALL TABLES IN SCHEMA crm, public TO reader",
    ):
        sql(crm_url, statement)
    reader = crm_url.replace("postgres@", "reader@", 1)
    _project(chdir, reader)
    code, out, _ = _run(capsys, "store", "check")
    assert code == exitcodes.PROBLEMS
    assert (
        "crm.PRODUCT: reader lacks INSERT, UPDATE, DELETE;"
        ' fix: GRANT INSERT, UPDATE, DELETE ON crm."PRODUCT" TO reader;' in out
    )
    assert "schema opconf: missing, and reader cannot create it" in out
    assert _run(capsys, "export", "--out", "config")[0] == exitcodes.OK
    assert "1 to adopt" in _run(capsys, "plan")[1]
    _project(chdir, crm_url)  # the owner makes opconf's bookkeeping, and lets reader read it
    assert _run(capsys, "store", "init")[0] == exitcodes.OK
    sql(crm_url, "GRANT USAGE ON SCHEMA opconf TO reader")
    sql(crm_url, "GRANT SELECT ON ALL TABLES IN SCHEMA opconf TO reader")
    _project(chdir, reader)
    before = h.dump(crm_url)
    code, out, err = _run(capsys, "apply", "--auto-approve")
    assert code == exitcodes.STORE
    assert err.splitlines()[0] == (
        f"error: store at {reader}: crm.PRODUCT: reader lacks INSERT, UPDATE, DELETE"
    )
    assert h.dump(crm_url) == before


def test_opconfs_own_layout_is_compatible(
    chdir: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Store(store_url).init()
    code, out, _ = _run(capsys, "store", "check", "--store", store_url)
    assert (code, out) == (
        exitcodes.OK,
        f"Store: {store_url}\nCompatible: opconf can read and write this store.\n",
    )


def test_a_cascade_into_the_crms_own_rows_is_one_line_with_its_fix(crm_url: str) -> None:
    ensure_parent(crm_url)
    create_crm(crm_url)
    s = "crm." if crm_url.startswith("postgresql") else ""
    sql(
        crm_url,
        f'CREATE TABLE {s}"GROUP_NOTE" ("NOTE" TEXT, "GROUP_ID" {"BYTEA" if s else "BLOB"}'
        f' CONSTRAINT "FK_NOTE_GROUP" REFERENCES {s}"COV_GROUP" ("GROUP_ID") ON DELETE CASCADE)',
    )
    store = Store(crm_url, layout_for(crm_url))
    message = (
        f"{s}GROUP_NOTE (GROUP_ID) → COV_GROUP: ON DELETE CASCADE would delete the CRM's rows"
        " when opconf deletes a coverage_group row"
    )
    key = f'FOREIGN KEY ("GROUP_ID") REFERENCES {s}"COV_GROUP" ("GROUP_ID") ON DELETE RESTRICT'
    fix = (
        f'ALTER TABLE crm."GROUP_NOTE" DROP CONSTRAINT "FK_NOTE_GROUP", ADD CONSTRAINT'
        f' "FK_NOTE_GROUP" {key}; (or map softDelete for coverage_group)'
        if s
        else f"rebuild GROUP_NOTE with {key} (or map softDelete for coverage_group)"
    )
    assert store.check() == [(message, fix)]
    store.close()
