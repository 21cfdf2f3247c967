"""``opconf rollback`` as a planning command (``--format``, ``--out``), its revision argument,
and the git commit a revision records (the config's repository, not the working directory)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.canonical import canonical

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def _two_revisions(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("apply", "--auto-approve")


def test_rollback_out_saves_the_plan_instead_of_applying_it(env: h.Env) -> None:
    _two_revisions(env)
    before = env.dump()
    saved = env.ok("rollback", "1", "--out", "back.json")
    note = "\nSaved the plan to back.json; apply exactly it with `opconf apply back.json`.\n"
    assert saved == env.ok("show", "back.json") + note
    assert saved.endswith("Plan: 0 to create, 3 to update, 0 to rename, 1 to delete.\n" + note)
    assert env.dump() == before  # nothing applied yet
    applied = env.ok("apply", "back.json", "--allow-destructive")
    assert applied.endswith("Apply complete: 3 updated, 1 deleted (revision 3).\n")
    assert env.state() == {(d["kind"], d["key"]): canonical(d["kind"], d) for d in h.small_config()}


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_rollback_renders_its_plan_in_any_format(env: h.Env, fmt: str) -> None:
    _two_revisions(env)
    before = env.dump()
    out = env.ok("rollback", "1", "--format", fmt, "--out", "back.json")
    assert out == env.ok("show", "back.json", "--format", fmt)
    if fmt == "json":
        assert json.loads(out)["summary"]["delete"] == 1
    else:
        assert out.startswith("### opconf plan — Plan: 0 to create, 3 to update")
    assert env.dump() == before


@pytest.mark.parametrize("revision", ["0", "-1", "99999999999999999999"])
def test_rollback_to_an_impossible_revision_is_one_line(env: h.Env, revision: str) -> None:
    _two_revisions(env)
    before = env.dump()
    result = env.run("rollback", revision, "--auto-approve")
    assert (result.code, result.err) == (
        exitcodes.USAGE,
        f"error: revision {revision} is not in the history\n"
        "hint: revisions are numbered from 1; see `opconf history`\n",
    )
    assert env.dump() == before


def _git(folder: Path, *args: str) -> str:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(git, cwd=folder, capture_output=True, text=True, check=True).stdout


def test_the_revision_records_the_commit_of_the_config_repository(env: h.Env) -> None:
    """The deploy job runs from elsewhere (here: a folder that is no git work tree)."""
    repo = env.root / "crm-config"
    repo.mkdir()
    _git(repo, "init", "-q")
    h.write_config(repo / "config", h.small_config())
    (repo / "opconf.yaml").write_text("config: config/\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "config")
    head = _git(repo, "rev-parse", "HEAD").strip()
    env.ok("apply", "--auto-approve", project="crm-config/opconf.yaml")
    entries = json.loads(env.ok("history", "--format", "json"))
    assert [e["git_commit"] for e in entries] == [head]


def test_a_saved_rollback_releases_a_crm_object_the_document_rules_never_governed(
    env: h.Env,
) -> None:
    """The CRM's UI allows a 130-character name; adopting it renamed it; rolling back past
    the adopt writes the long name back, through a saved plan like any other."""
    long_name = "N" * 130
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES ('legacy', :name, 'deposit', true)",
        name=long_name,
    )
    env.write([h.product("checking")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("checking"), h.product("legacy", name="Legacy")])
    env.ok("apply", "--auto-approve")
    env.ok("rollback", "1", "--out", "back.json")
    applied = env.ok("apply", "back.json")
    assert applied.endswith("Apply complete: 1 released (revision 3).\n")
    assert h.sql(
        env.url,
        f"SELECT name, {h.owned('product', 'Product')} FROM product WHERE key = 'legacy'",
    ) == [(long_name, False)]


def test_a_saved_rollback_may_rename_back_onto_a_key_it_frees(env: h.Env) -> None:
    """Rename p → q, then a new p: the rollback renames q back onto p and deletes the newer p.
    Saved, that plan is sound (found by the rollback property: it used to be refused as
    "renames onto a key that exists already")."""
    env.write([h.product("p")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("q", previousKeys=["p"])])
    env.ok("apply", "--auto-approve")
    env.write([h.product("q"), h.product("p", name="P again")])
    env.ok("apply", "--auto-approve")
    ids = {key: row_id for key, row_id in h.sql(env.url, "SELECT key, id FROM product")}
    env.ok("rollback", "1", "--out", "back.json")
    applied = env.ok("apply", "back.json", "--allow-destructive")
    assert applied.endswith("Apply complete: 1 renamed, 1 deleted (revision 4).\n")
    assert h.sql(env.url, "SELECT key, id FROM product") == [("p", ids["q"])]  # the first row


def _delete_b_then_rename_a_to_b(env: h.Env) -> None:
    """Revision 1: products a, b and z; 2: b deleted; 3: a renamed to b. Rolling back to 1
    renames the row back to a and creates b again on the key the rename frees. (z keeps the
    highest row id: SQLite would give b's id to the next new row.)"""
    env.write([h.product("a"), h.product("b", name="B"), h.product("z")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("a"), h.product("z")])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    env.write([h.product("b", previousKeys=["a"], name="A"), h.product("z")])
    env.ok("apply", "--auto-approve")


def test_a_saved_rollback_may_create_an_object_on_a_key_its_rename_frees(env: h.Env) -> None:
    _delete_b_then_rename_a_to_b(env)
    first = h.sql(env.url, "SELECT id FROM product WHERE key = 'b'")
    env.ok("rollback", "1", "--out", "back.json")
    applied = env.ok("apply", "back.json")
    assert applied.endswith("Apply complete: 1 created, 1 renamed (revision 4).\n")
    assert h.sql(env.url, "SELECT id FROM product WHERE key = 'a'") == first
    assert env.state() == {
        ("Product", p["key"]): canonical("Product", p)
        for p in (h.product("a"), h.product("b", name="B"), h.product("z"))
    }


def test_a_rollback_that_creates_on_a_freed_key_still_checks_its_rename(env: h.Env) -> None:
    """The CRM took the key a since: renaming the row back onto it is an OPC306 error, though
    the same plan creates b on the key the rename frees."""
    _delete_b_then_rename_a_to_b(env)
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('a', 'Made in the UI', 'deposit', true)",
    )
    plan = json.loads(env.run("rollback", "1", "--format", "json").out)
    assert [(c["action"], c["key"]) for c in plan["changes"]] == [("rename", "a"), ("create", "b")]
    assert [e["message"] for e in plan["errors"]] == [
        "cannot rename Product 'b' to 'a': Product 'a' (unmanaged) already has that key"
    ]


# --- what a revision records: the work tree, a rollback, and `history show` -------------------


def _repo(env: h.Env, project: str = "config: config/\n") -> Path:
    """The working directory as a git work tree holding small_config, committed."""
    _git(env.root, "init", "-q")
    env.write(h.small_config())
    (env.root / "opconf.yaml").write_text(project, encoding="utf-8")
    _git(env.root, "add", ".")
    _git(env.root, "commit", "-qm", "config")
    return env.root


def test_an_apply_from_a_dirty_tree_records_it_and_warns(env: h.Env) -> None:
    """Uncommitted: a changed document and a new one. HEAD is recorded with dirty: true and
    the changed paths' digest; applied to a store that is not the default, it warns."""
    repo = _repo(env)
    head = _git(repo, "rev-parse", "HEAD").strip()
    env.write([*h.small_config(" v2"), h.product("savings")])
    result = env.run("apply", "--auto-approve")
    assert result.code == exitcodes.OK
    assert result.err == (
        "warning: the configuration's work tree has 4 uncommitted changes "
        "(config/groups/branch_team.yaml, config/products/checking.yaml and 2 more); "
        f"the revision records {head[:12]} as dirty\n"
    )
    [entry] = json.loads(env.ok("history", "--format", "json"))
    assert entry["git_commit"] == head
    tree = entry["summary"]["tree"]
    assert (tree["dirty"], tree["paths"], tree["digest"][:7]) == (True, 4, "sha256:")
    assert env.ok("history").splitlines()[1].endswith(f"  {head[:8]}+  4 created")
    show = env.ok("history", "show", "1")
    assert f"Commit:   {head} + 4 uncommitted (dirty: true, {tree['digest']})\n" in show


def test_an_apply_from_a_clean_tree_records_no_tree_state(env: h.Env) -> None:
    _repo(env)
    assert env.run("apply", "--auto-approve").err == ""
    [entry] = json.loads(env.ok("history", "--format", "json"))
    assert "tree" not in entry["summary"]


def test_require_clean_tree_refuses_a_dirty_tree(env: h.Env) -> None:
    _repo(env, "config: config/\nrequireCleanTree: true\n")
    env.write([h.product("savings")])
    before = env.dump()
    result = env.run("apply", "--auto-approve")
    assert (result.code, result.out) == (exitcodes.PROBLEMS, "")
    assert result.err == (
        "error: opconf.yaml: requireCleanTree: the configuration's work tree has "
        "4 uncommitted changes (config/groups/branch_team.yaml, "
        "config/products/checking.yaml and 2 more)\n"
        "hint: commit them (or stash them), then apply; nothing was applied\n"
    )
    assert env.dump() == before


def test_a_dirty_tree_on_the_default_target_is_recorded_without_a_warning(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repo(
        env,
        f"config: config/\nrequireCleanTree: true\ntargets:\n  dev:\n    store: {env.url}\n"
        "defaultTarget: dev\n",
    )
    env.write([h.product("savings")])
    result = env.run("apply", "--auto-approve", "--store", env.url)
    assert result.code == exitcodes.PROBLEMS  # --store names another store than the default
    argv = ["apply", "--auto-approve"]
    from opconf.cli import main

    env.capsys.readouterr()
    assert main(argv) == exitcodes.OK
    assert env.capsys.readouterr().err == ""
    [entry] = json.loads(env.ok("history", "--format", "json"))
    assert entry["summary"]["tree"]["dirty"] is True


def test_a_rollback_is_recorded_as_a_rollback_and_history_show_prints_it(env: h.Env) -> None:
    _two_revisions(env)
    env.ok("rollback", "1", "--auto-approve", "--allow-destructive")
    listing = env.ok("history").splitlines()
    assert listing[1].endswith("  -         rollback to revision 1 (3 updated, 1 deleted)")
    show = h.normalise(env.ok("history", "show", "3"), env.url)
    lines = show.splitlines()
    assert lines[0] == "Revision 3: rollback to revision 1 (3 updated, 1 deleted)"
    assert lines[1].startswith("Applied:  20") and " UTC by tester on " in lines[1]
    assert lines[2:4] == [
        "Commit:   none (not applied from a git work tree)",
        f"Plan:     {json.loads(env.ok('history', '--format', 'json'))[0]['plan_digest']}",
    ]
    assert lines[4:6] == ["", "Changes:"]
    assert "  - Product savings  (destructive)" in lines
    assert (
        json.loads(env.ok("history", "show", "3", "--format", "json"))["summary"]["rollback"] == 1
    )


def test_a_saved_rollback_is_recorded_as_a_rollback(env: h.Env) -> None:
    _two_revisions(env)
    env.ok("rollback", "1", "--out", "back.json")
    assert json.loads((env.root / "back.json").read_text())["base"]["rollback"] == 1
    env.ok("apply", "back.json", "--allow-destructive")
    [entry, *_] = json.loads(env.ok("history", "--format", "json"))
    assert entry["summary"]["rollback"] == 1


def test_history_show_of_an_unknown_revision_is_one_line(env: h.Env) -> None:
    _two_revisions(env)
    result = env.run("history", "show", "9")
    assert (result.code, result.out, result.err) == (
        exitcodes.USAGE,
        "",
        "error: revision 9 is not in the history\nhint: see `opconf history`\n",
    )
