"""The life cycle on a mapped CRM through the real commands, the target naming its mapping
(``targets: {prod: {store: URL, mapping: crm/mapping.yaml}}``): export → validate → plan
(adopt only) → store init → apply → a change → apply → drift; the CRM's rows and columns
opconf does not know are the same before and after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crm_schema import create_crm
from store_helpers import mapped_repo, ok, run_cli, sql

from opconf.store.connect import ensure_parent

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


_run, _ok = run_cli, ok


@pytest.fixture
def repo(crm_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ensure_parent(crm_url)
    mapping = create_crm(crm_url)
    data = json.loads(mapping.model_dump_json(by_alias=True, exclude_none=True))
    root = mapped_repo(tmp_path / "repo", crm_url, data)
    monkeypatch.chdir(root)
    monkeypatch.setenv("OPCONF_ACTOR", "tester")
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    return root


def _table(url: str, name: str) -> str:
    return f'crm."{name}"' if url.startswith("postgresql") else f'"{name}"'


def test_the_life_cycle_on_a_mapped_crm(
    repo: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    product = _table(crm_url, "PRODUCT")
    sql(
        crm_url,
        f'INSERT INTO {product} ("PROD_KEY", "PROD_NAME", "PROD_TYPE_CD", "ACTIVE_FLAG")'
        " VALUES ('savings', 'Savings', 'deposit', 'Y'), ('legacy', 'Legacy', 'deposit', 'N')",
    )
    crm_own = f'SELECT "PROD_KEY", "NOTES" FROM {product} ORDER BY "PROD_KEY"'
    before = sql(crm_url, crm_own)
    _ok(capsys, "export", "--out", "config")
    _ok(capsys, "validate")
    adopt = _ok(capsys, "plan")
    assert "0 to create, 0 to update, 0 to rename, 0 to delete, 2 to adopt." in adopt
    assert "Initialised store schema v5" in _ok(capsys, "store", "init")
    _ok(capsys, "apply", "--auto-approve")
    assert _ok(capsys, "plan").endswith(h.NO_CHANGES + "\n")
    h.write_config(repo / "config" / "new", [h.product("bonds", active=False)])
    applied = _ok(capsys, "apply", "--auto-approve")
    assert "Apply complete: 1 created" in applied
    rows = sql(crm_url, f'SELECT "PROD_KEY", "ACTIVE_FLAG", "NOTES" FROM {product}')
    assert sorted(rows) == [
        ("bonds", "N", "kept"),
        ("legacy", "N", "kept"),
        ("savings", "Y", "kept"),
    ]
    assert [r for r in sql(crm_url, crm_own) if r[0] != "bonds"] == before
    assert "No drift" in _ok(capsys, "drift")
    sql(crm_url, f"UPDATE {product} SET \"PROD_NAME\" = 'Bonds (CRM)' WHERE \"PROD_KEY\" = 'bonds'")
    assert "Bonds (CRM)" in _ok(capsys, "drift")
    assert "Accepted 1 change from the CRM" in _ok(capsys, "drift", "--accept")
    assert _ok(capsys, "plan").endswith(h.NO_CHANGES + "\n")
    audit = f'SELECT "ROW_KEY", "ACTION" FROM {_table(crm_url, "AUDIT_LOG")}'
    # the CRM's trigger fired for opconf's writes (the adoption, the create) as for its own
    fired = [("savings", "I"), ("legacy", "I"), ("savings", "U"), ("legacy", "U")]
    assert sorted(sql(crm_url, audit)) == sorted([*fired, ("bonds", "I"), ("bonds", "U")])
    assert len(_ok(capsys, "history").splitlines()) >= 2
    h.write_config(repo / "config" / "new", [h.product("bonds", name="Bonds 2")])
    assert "Product bonds" in _ok(capsys, "apply", "--dry-run", "--auto-approve")
    _ok(capsys, "plan", "--out", "plan.json")
    catalogue = _ok(capsys, "catalogue", "--out", "catalogue", "--plan", "plan.json")
    assert catalogue.endswith("3 products; 1 pending change marked.\n")
    assert "Bonds 2" in (repo / "catalogue" / "index.html").read_text(encoding="utf-8")
    back = _ok(capsys, "rollback", "1", "--auto-approve", "--allow-destructive")
    assert "Apply complete" in back
    marks = f'SELECT "PROD_KEY", "IS_DELETED" FROM {product} ORDER BY "PROD_KEY"'
    assert sql(crm_url, marks) == [("bonds", "Y"), ("legacy", "N"), ("savings", "N")]


def test_an_invalid_mapping_is_reported_located(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "crm" / "mapping.yaml"
    text = path.read_text(encoding="utf-8").replace("PROD_KEY", "{}", 1)
    path.write_text(text.replace("  product:\n", "  prodcut:\n", 1), encoding="utf-8")
    code, out, err = _run(capsys, "plan")
    assert code != 0
    assert "crm/mapping.yaml:" in out + err
    assert "prodcut" in out + err


def test_a_one_off_url_takes_a_mapping(
    repo: Path, crm_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "opconf.yaml").write_text("{}\n", encoding="utf-8")  # no target names the CRM
    (repo / "config").mkdir()
    product = _table(crm_url, "PRODUCT")
    sql(
        crm_url,
        f'INSERT INTO {product} ("PROD_KEY", "PROD_NAME", "PROD_TYPE_CD", "ACTIVE_FLAG")'
        " VALUES ('savings', 'Savings', 'deposit', 'Y')",
    )
    adopt = "left alone (--prune would delete them): Product savings"
    assert adopt in _ok(capsys, "plan", "--store", crm_url, "--mapping", "crm/mapping.yaml")
    code, _, err = _run(capsys, "plan", "--store", crm_url)  # opconf's own layout
    assert code != 0
    assert "lacks the tables" in err
    monkeypatch.setenv("OPCONF_STORE", crm_url)
    monkeypatch.setenv("OPCONF_MAPPING", "crm/mapping.yaml")
    assert adopt in _ok(capsys, "plan")
    monkeypatch.setenv("OPCONF_MAPPING", " ")
    assert _run(capsys, "plan")[2] == (
        "error: environment variable OPCONF_MAPPING is empty\n"
        "hint: set it to a mapping file, or unset it to use opconf's own layout\n"
    )
    code, _, err = _run(capsys, "plan", "--mapping", "crm/nothing.yaml")
    assert code != 0
    assert "crm/nothing.yaml" in err


def test_a_mapping_on_the_embedded_store_says_what_it_lacks(
    repo: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "opconf.yaml").write_text("{}\n", encoding="utf-8")
    h.write_config(repo / "config", [h.product("bonds")])
    code, out, err = _run(capsys, "apply", "--auto-approve", "--mapping", "crm/mapping.yaml")
    assert code != 0
    if crm_url.startswith("postgresql"):  # its mapping numbers steps by a sequence
        assert "error OPC104 sequence:crm.step_seq: SQLite has no sequences" in out + err
    else:
        assert "does not fit opconf" in err and "missing table" in err, err


def test_uuid_ids_through_a_rename_a_stage_move_and_a_rollback(
    repo: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Templates and stages have UUIDs as text, groups as 16 bytes (tests/store/crm_schema.py):
    the history records them, and a rollback renames the template back and returns the
    opportunity a ``replaces`` moved to the stage it brings back."""
    east = h.group("east", members=[{"user": "alice", "role": "advisor"}])
    onboarding = h.template("onboarding", ("qualify", "review"), defaultCoverageGroup="east")
    h.write_config(repo / "config", [east, onboarding])
    _ok(capsys, "store", "init")
    _ok(capsys, "apply", "--auto-approve")
    stages = f'SELECT "STAGE_KEY", "STAGE_ID", "TEMPLATE_ID" FROM {_table(crm_url, "OPP_STAGE")}'
    ids = {key: (stage, tpl) for key, stage, tpl in sql(crm_url, stages)}
    qualify, template_id = ids["qualify"]
    sql(
        crm_url,
        "INSERT INTO opportunity (name, template_id, stage_id, status)"
        " VALUES ('d', :t, :s, 'open')",
        t=template_id,
        s=qualify,
    )
    moved = h.template("onboarding2", ("review",), defaultCoverageGroup="east")
    moved["previousKeys"] = ["onboarding"]
    moved["stages"][0]["replaces"] = ["qualify"]
    h.write_config(repo / "config", [east, moved])
    _ok(capsys, "apply", "--auto-approve", "--allow-destructive")
    assert sql(crm_url, "SELECT stage_id FROM opportunity") == [(ids["review"][0],)]
    history = _ok(capsys, "history", "show", "2")
    assert "onboarding2" in history and "\\x" not in history
    _ok(capsys, "rollback", "1", "--auto-approve", "--allow-destructive")
    after = {key: (stage, tpl) for key, stage, tpl in sql(crm_url, stages)}
    assert after["review"] == ids["review"]  # kept its row
    assert after["qualify"][1] == template_id and after["qualify"][0] != qualify  # made again
    assert sql(crm_url, "SELECT stage_id FROM opportunity") == [(after["qualify"][0],)]
    tpl = f'SELECT "TPL_KEY", "TEMPLATE_ID" FROM {_table(crm_url, "OPP_TEMPLATE")}'
    assert sql(crm_url, tpl) == [("onboarding", template_id)]
    assert "1 to rename" in _ok(capsys, "plan")  # the configuration still asks for it
