"""opconf.apply through its Python entry points: what the CLI tests cannot see (the progress
callback is only used on a terminal; the git commit of a folder that is not a work tree).
Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from opconf import exitcodes
from opconf.apply import ApplyResult, apply_plan, batches
from opconf.errors import LockError, StoreError
from opconf.freeze import FreezeGuard, Override
from opconf.plan.model import Change
from opconf.store import Holder, Store
from opconf.store.url import driver_url
from opconf.tree import git_commit
from opconf.workflow import plan_config, validate_config

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def test_progress_counts_every_change_of_every_batch(env: h.Env) -> None:
    """One call per change, in plan order, across batches: (done, total, change)."""
    docs = [h.product("a"), h.product("b"), h.template("seller", products=["a", "b"])]
    store = Store(env.url)
    try:
        plan = plan_config(validate_config(env.write(docs)), store, prune=False)
        calls: list[tuple[int, int, str]] = []

        def progress(done: int, total: int, change: Change) -> None:
            calls.append((done, total, f"{change.kind} {change.key}"))

        apply_plan(store, plan, holder=Holder.local(), progress=progress)
    finally:
        store.close()
    assert calls == [
        (1, 3, "Product a"),
        (2, 3, "Product b"),
        (3, 3, "OpportunityTemplate seller"),
    ]


def test_no_commit_outside_a_git_work_tree(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None
    assert git_commit(tmp_path / "missing") is None
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert git_commit(tmp_path) is None  # no commit yet: git prints "HEAD" and fails


def test_without_a_config_folder_no_commit_is_recorded(env: h.Env) -> None:
    """Even when the working directory is a git work tree with a commit."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=env.root, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "c"], cwd=env.root, check=True)
    store = Store(env.url)
    try:
        plan = plan_config(validate_config(env.write([h.product("savings")])), store, False)
        apply_plan(store, plan, holder=Holder.local("t"))
    finally:
        store.close()
    assert h.sql(env.url, "SELECT git_commit FROM opconf_history") == [(None,)]


def _apply_through_a_window_edge(env: h.Env, opens: bool) -> str | None:
    """Apply with --override-freeze while a deny window opens (or closes) between the check
    when the apply starts and the one before it commits; the override history records."""
    store = Store(env.url)
    try:
        plan = plan_config(validate_config(env.write([h.product("savings")])), store, False)
        window = h.year_end_close()
        inside, outside = datetime(2026, 12, 28, tzinfo=UTC), datetime(2026, 12, 27, tzinfo=UTC)
        instants = iter([outside, inside] if opens else [inside, outside])
        guard = FreezeGuard((window,), clock=lambda: next(instants), override_reason="INC-7")
        result = apply_plan(store, plan, holder=Holder.local("t"), freeze=guard)
    finally:
        store.close()
    assert result.override == Override(("close",), "INC-7")
    [(windows, reason)] = h.sql(
        env.url, "SELECT override_windows, override_reason FROM opconf_history"
    )
    return f"{windows}: {reason}"


def test_an_override_needed_only_at_commit_is_recorded(env: h.Env) -> None:
    assert _apply_through_a_window_edge(env, opens=True) == "close: INC-7"


def test_an_override_needed_only_at_the_start_is_recorded(env: h.Env) -> None:
    assert _apply_through_a_window_edge(env, opens=False) == "close: INC-7"


# --- refusals at their edges (tests/test_apply.py has 1 error, 5 deletes, 7 moved rows) --------


def test_a_refusal_counts_the_plan_errors_after_the_first(env: h.Env) -> None:
    env.write([h.product("wallet", type="crypto"), h.product("vault", type="gold")])
    assert env.run("plan", "--out", "plan.json").code == exitcodes.PROBLEMS
    refused = env.run("apply", "plan.json")
    assert (refused.code, refused.err) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: unknown product type 'gold' (and 1 more)\n"
        "hint: fix them and plan again\n",
    )


@pytest.mark.parametrize(("deleted", "more"), [(3, ""), (4, " and 1 more")], ids=["three", "four"])
def test_a_refusal_counts_the_deletes_after_three(env: h.Env, deleted: int, more: str) -> None:
    keys = [f"d{i}" for i in range(1, deleted + 1)]
    env.write([h.product(k) for k in [*keys, "kept"]])
    env.ok("apply", "--auto-approve")
    env.write([h.product("kept")])
    refused = env.run("apply", "--auto-approve")
    assert refused.err.startswith(
        f"error: the plan deletes data (Product d{deleted}, Product d{deleted - 1}, "
        f"Product d{deleted - 2}{more})\n"
    )


def test_the_result_of_an_apply_and_of_a_plan_without_changes(env: h.Env) -> None:
    """The revision made (or the one the store stays at), the summary, whether it changed."""
    store = Store(env.url)
    try:
        for revision, changed in ((1, True), (1, False)):
            plan = plan_config(validate_config(env.write(h.small_config())), store, False)
            result = apply_plan(store, plan, holder=Holder.local("t"))
            assert result == ApplyResult(revision, plan.summary(), changed=changed)
    finally:
        store.close()
    assert h.revision(env.url) == 1


def test_a_git_that_hangs_gives_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git_commit gives up after 5 s (a git waiting on a lock, a slow network file system)."""
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(
        f"#!{sys.executable}\nimport time\ntime.sleep(8)\nprint('0' * 40)\n", encoding="utf-8"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert git_commit(tmp_path) is None


def test_batches_group_consecutive_changes_of_one_kind_and_one_way_of_writing() -> None:
    """Create, delete, and the rest (update, rename, adopt, release: one UPDATE each)."""
    obj = {"key": "k"}
    changes = [
        Change("create", "Product", "a", None, obj),
        Change("create", "Product", "b", None, obj),
        Change("update", "Product", "c", obj, obj),
        Change("rename", "Product", "d", obj, obj, old_key="e"),
        Change("adopt", "Product", "f", obj, obj),
        Change("release", "Product", "g", obj, obj),
        Change("update", "CoverageGroup", "h", obj, obj),
        Change("delete", "CoverageGroup", "i", obj, None),
        Change("delete", "CoverageGroup", "j", obj, None),
        Change("delete", "Product", "l", obj, None),
        Change("create", "Product", "m", None, obj),
    ]
    assert [[c.key for c in batch] for batch in batches(tuple(changes))] == [
        ["a", "b"],
        ["c", "d", "f", "g"],
        ["h"],
        ["i", "j"],
        ["l"],
        ["m"],
    ]


def test_apply_plan_waits_for_the_lock_only_when_asked(env: h.Env) -> None:
    """Another apply holds the lock for 0.3 s: by default apply_plan fails at once; with a
    lock timeout it waits for the lock and applies."""
    store = Store(env.url)
    try:
        plan = plan_config(validate_config(env.write([h.product("savings")])), store, False)
        with (
            h.lock_held(env.url, Holder("alice", "host-a", 4242), seconds=0.3),
            pytest.raises(LockError, match=r"^store is locked by an apply: actor alice"),
        ):
            apply_plan(store, plan, holder=Holder.local("t"))
        with h.lock_held(env.url, Holder("alice", "host-a", 4242), seconds=0.3):
            result = apply_plan(store, plan, holder=Holder.local("t"), lock_timeout=30)
    finally:
        store.close()
    assert result.revision == 1


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_apply_plan_bounds_its_statements_by_the_statement_timeout(env: h.Env) -> None:
    """A row the CRM holds locked: the apply gives up after the caller's statement timeout."""
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    store = Store(env.url)
    engine = create_engine(driver_url(env.url))
    try:
        plan = plan_config(
            validate_config(env.write([h.product("savings", name="Savings v2")])), store, False
        )
        with engine.connect() as crm, crm.begin():
            crm.execute(text("SELECT * FROM product WHERE key = 'savings' FOR UPDATE"))
            with pytest.raises(
                StoreError, match=r"is locked by another session \(gave up after 0.3 s\)$"
            ):
                apply_plan(store, plan, holder=Holder.local("t"), statement_timeout=0.3)
    finally:
        engine.dispose()
        store.close()
