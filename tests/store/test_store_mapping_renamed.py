"""The whole life cycle through the real commands on a CRM whose tables and columns only have
other names (tests/store/crm_renamed.py): store check → export → validate → plan (adopt only)
→ store init → apply → a change → apply → an edit in the CRM → drift → drift --accept →
rollback. The CRM's own rows and columns are the same before and after."""

from __future__ import annotations

from pathlib import Path

import pytest
from crm_renamed import create_renamed
from store_helpers import mapped_repo, ok, sql

from opconf.store.connect import ensure_parent

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

CRM_OWN = {
    "account": "SELECT id, name FROM account ORDER BY id",
    "notes": "SELECT prod_key, legacy_note FROM prod WHERE legacy_note IS NOT NULL",
    "template notes": "SELECT tpl_key, legacy_note FROM opp_tpl",
    "opportunities": "SELECT id, name, tpl_id, status FROM opp ORDER BY id",
    "users": "SELECT login, full_name FROM usr ORDER BY login",
}


_ok = ok


@pytest.fixture
def repo(crm_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ensure_parent(crm_url)
    root = mapped_repo(tmp_path / "repo", crm_url, create_renamed(crm_url))
    monkeypatch.chdir(root)
    monkeypatch.setenv("OPCONF_ACTOR", "tester")
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    return root


def _crm_own(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {name: sql(url, query) for name, query in CRM_OWN.items()}


def test_the_life_cycle_on_a_crm_with_other_names(
    repo: Path, crm_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _crm_own(crm_url)
    assert "Compatible" in _ok(capsys, "store", "check")
    _ok(capsys, "export", "--out", "config")
    _ok(capsys, "validate")
    adopt = "0 to create, 0 to update, 0 to rename, 0 to delete, 2 to adopt."
    assert adopt in _ok(capsys, "plan")
    assert "Initialised store schema v5" in _ok(capsys, "store", "init")
    _ok(capsys, "apply", "--auto-approve")
    # a pull request: a new product, sold by the template, and a stage renamed
    h.write_config(repo / "config" / "new", [h.product("bonds", listPrice=12.5)])
    tpl = next((repo / "config").rglob("onboarding.yaml"))
    text = tpl.read_text(encoding="utf-8").replace("- savings", "- savings\n- bonds")
    tpl.write_text(text.replace("name: Qualify", "name: Qualify the lead"), encoding="utf-8")
    assert "Apply complete: 1 created, 1 updated" in _ok(capsys, "apply", "--auto-approve")
    assert sql(crm_url, "SELECT prod_key, price FROM prod ORDER BY prod_id")[1][0] == "bonds"
    assert sql(crm_url, "SELECT name FROM tpl_stg WHERE key = 'qualify'") == [("Qualify the lead",)]
    # an edit in the CRM, seen as drift and accepted into the configuration
    sql(crm_url, "UPDATE prod SET prod_nm = 'Bonds (CRM)' WHERE prod_key = 'bonds'")
    assert "Bonds (CRM)" in _ok(capsys, "drift")
    assert "Accepted 1 change from the CRM" in _ok(capsys, "drift", "--accept")
    assert _ok(capsys, "plan").endswith(h.NO_CHANGES + "\n")
    back = _ok(capsys, "rollback", "1", "--auto-approve", "--allow-destructive")
    assert "Apply complete" in back
    assert sql(crm_url, "SELECT prod_key FROM prod ORDER BY prod_id") == [("savings",)]
    assert sql(crm_url, "SELECT name FROM tpl_stg WHERE key = 'qualify'") == [("Qualify",)]
    assert _crm_own(crm_url) == before
