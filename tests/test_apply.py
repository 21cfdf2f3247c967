"""``opconf apply``, ``history`` and ``rollback`` through the real entry point (SPEC §6).

Whatever is refused must write nothing: those tests compare a dump of every table before and
after.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from opconf import __version__, exitcodes
from opconf.canonical import canonical
from opconf.jsontext import digest

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

NO_CHANGES = h.NO_CHANGES


def expected_state(docs: list[h.Obj]) -> dict[tuple[str, str], h.Obj]:
    return {(d["kind"], d["key"]): canonical(d["kind"], d) for d in docs}


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


# --- applying ---------------------------------------------------------------------------------


def test_apply_then_apply_again_changes_nothing(env: h.Env) -> None:
    env.write(h.small_config())
    first = env.ok("apply", "--auto-approve")
    assert last_line(first) == "Apply complete: 3 created (revision 1)."
    assert env.state() == expected_state(h.small_config())
    before = env.dump()
    second = env.ok("apply", "--auto-approve")
    assert last_line(second) == NO_CHANGES
    assert "Apply complete" not in second
    assert env.dump() == before
    assert h.revision(env.url) == 1


def test_apply_without_a_terminal_refuses_and_writes_nothing(env: h.Env) -> None:
    env.write(h.small_config())
    before = env.dump()
    result = env.run("apply")  # pytest's stdin is not a terminal
    assert result.code == exitcodes.PROBLEMS
    assert result.err == (
        "error: no terminal to confirm on\nhint: pass --auto-approve, or apply a saved plan\n"
    )
    assert last_line(result.out) == "Plan: 3 to create, 0 to update, 0 to rename, 0 to delete."
    assert env.dump() == before


def test_apply_in_a_pipeline_refuses(env: h.Env) -> None:
    """A real process with stdin from /dev/null and stdout to a pipe (a CI job)."""
    env.write(h.small_config())
    before = env.dump()
    process = h.opconf_process(env.root, "apply", "--store", env.url)
    _, err = process.communicate(timeout=60)
    assert process.returncode == exitcodes.PROBLEMS
    assert (
        err
        == "error: no terminal to confirm on\nhint: pass --auto-approve, or apply a saved plan\n"
    )
    assert env.dump() == before


PROMPT = re.compile(rb"Apply these changes(\? \[y/N\]|.*\? Type \S+ to confirm:) $")


def _converse(cwd: Path, answer: str, *args: str) -> tuple[int, str]:
    """Run ``opconf apply ARGS`` on a pseudo-terminal, answering the prompt; code, output."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "opconf", "apply", *args],
        cwd=cwd,
        env=h.subprocess_env(),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    output, answered, deadline = b"", False, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if not answered and PROMPT.search(output):
                os.write(controller, answer.encode() + b"\n")
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    return code, output.decode().replace("\r\n", "\n")


@pytest.mark.parametrize(("answer", "applied"), [("n", False), ("", False), ("y", True)])
def test_apply_asks_on_a_terminal(sqlite_env: h.Env, answer: str, applied: bool) -> None:
    env = sqlite_env
    env.write(h.small_config())
    before = env.dump()
    code, output = _converse(env.root, answer, "--store", env.url)
    assert "Plan: 3 to create, 0 to update, 0 to rename, 0 to delete.\n" in output
    assert "\nApply these changes? [y/N] " in output
    if applied:
        assert code == exitcodes.OK
        assert last_line(output) == "Apply complete: 3 created (revision 1)."
        assert env.state() == expected_state(h.small_config())
    else:
        assert code == exitcodes.PROBLEMS
        assert last_line(output) == "Apply cancelled; nothing was changed."
        assert env.dump() == before


@pytest.mark.parametrize(("answer", "applied"), [("y", False), ("Prod", False), ("prod", True)])
def test_a_target_asks_for_its_name(env: h.Env, answer: str, applied: bool) -> None:
    """Any store but SQLite asks to type the target's name (a target can say `confirm`)."""
    env.write(h.small_config())
    confirm = "" if not env.url.startswith("sqlite") else ", confirm: type-name"
    (env.root / "opconf.yaml").write_text(
        f"targets:\n  prod: {{store: '{env.url}'{confirm}}}\n", encoding="utf-8"
    )
    code, output = _converse(env.root, answer, "--target", "prod")
    assert f"\nApply these changes to {h.redact(env.url)}? Type prod to confirm: " in output
    if applied:
        assert (code, last_line(output)) == (
            exitcodes.OK,
            "Apply complete: 3 created (revision 1).",
        )
    else:
        assert (code, last_line(output)) == (
            exitcodes.PROBLEMS,
            "Apply cancelled; nothing was changed.",
        )


def test_a_store_named_by_url_asks_for_yes_unless_sqlite(env: h.Env) -> None:
    env.write(h.small_config())
    code, output = _converse(env.root, "yes", "--store", env.url)
    if env.url.startswith("sqlite"):
        assert "\nApply these changes? [y/N] " in output
    else:
        assert f"\nApply these changes to {h.redact(env.url)}? Type yes to confirm: " in output
    assert code == exitcodes.OK


def test_destructive_apply_needs_the_flag(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("old_fee")])
    env.ok("apply", "--auto-approve")
    env.write(h.small_config())
    before = env.dump()
    refused = env.run("apply", "--auto-approve")
    assert refused.code == exitcodes.PROBLEMS
    assert refused.err == (
        "error: the plan deletes data (Product old_fee)\n"
        "hint: review it, then apply with --allow-destructive\n"
    )
    assert env.dump() == before
    done = env.ok("apply", "--auto-approve", "--allow-destructive")
    assert last_line(done) == "Apply complete: 1 deleted (revision 2)."
    assert ("Product", "old_fee") not in env.state()


# --- saved plans ------------------------------------------------------------------------------


def test_apply_a_saved_plan_applies_exactly_it(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    env.write([*h.small_config(" v2"), h.product("savings")])  # the config moves on
    applied = env.ok("apply", "plan.json")  # a reviewed plan needs no confirmation
    assert applied.startswith(f"Store: {h.redact(env.url)} (revision 0)\n")
    assert last_line(applied) == "Apply complete: 3 created (revision 1)."
    assert env.state() == expected_state(h.small_config())
    # What the saved plan did not hold is still to do.
    later = env.run("plan", "--detailed-exitcode")
    assert later.code == exitcodes.CHANGES
    assert '  + Product savings  "Savings"\n' in later.out
    assert last_line(later.out) == "Plan: 1 to create, 3 to update, 0 to rename, 0 to delete."


def test_a_saved_plan_applies_once(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    env.ok("apply", "plan.json")
    before = env.dump()
    again = env.run("apply", "plan.json")
    assert again.code == exitcodes.STORE
    assert again.err.startswith(
        "error: the plan is stale: the store moved since it was made (revision 0 → 1, "
    )
    assert env.dump() == before


def test_a_saved_plan_from_another_opconf_version_is_refused(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    saved = json.loads((env.root / "plan.json").read_text())
    saved["base"]["tool_version"] = "0.0.9"  # as that version would have written it:
    saved["digest"] = digest({k: v for k, v in saved.items() if k != "digest"})
    (env.root / "plan.json").write_text(json.dumps(saved))
    before = env.dump()
    refused = env.run("apply", "plan.json")
    assert refused.code == exitcodes.STORE
    assert refused.err == (
        f"error: the plan was made by opconf 0.0.9; this is {__version__}\n"
        "hint: plan again with this version\n"
    )
    assert env.dump() == before


def test_a_saved_destructive_plan_still_needs_the_flag(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("old_fee")])
    env.ok("apply", "--auto-approve")
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    before = env.dump()
    refused = env.run("apply", "plan.json")
    assert refused.code == exitcodes.PROBLEMS
    assert "error: the plan deletes data (Product old_fee)\n" in refused.err
    assert env.dump() == before
    assert env.ok("apply", "plan.json", "--allow-destructive").endswith("(revision 2).\n")


def test_a_saved_plan_with_errors_is_refused(env: h.Env) -> None:
    env.write([h.product("crypto_wallet", type="crypto")])
    assert env.run("plan", "--out", "plan.json").code == exitcodes.PROBLEMS
    before = env.dump()
    refused = env.run("apply", "plan.json")
    assert refused.code == exitcodes.PROBLEMS
    assert refused.err == (
        "error: the plan has errors: unknown product type 'crypto'\nhint: fix them and plan again\n"
    )
    assert env.dump() == before


STALE_HINT = "hint: run `opconf plan` again; nothing was written\n"


def _saved_update(env: h.Env) -> None:
    """Apply the small config; save a plan that updates its three objects, creates one."""
    env.write([*h.small_config(), h.product("untouched")])
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("untouched"), h.product("savings")])
    env.ok("plan", "--out", "plan.json")


def test_stale_plan_after_another_apply(env: h.Env) -> None:
    _saved_update(env)
    env.write([*h.small_config(" v3"), h.product("untouched")])
    env.ok("apply", "--auto-approve")
    before = env.dump()
    stale = env.run("apply", "plan.json")
    assert stale.code == exitcodes.STORE
    assert stale.err == (
        "error: the plan is stale: the store moved since it was made (revision 1 → 2, "
        "CoverageGroup branch_team changed, OpportunityTemplate account_opening changed, "
        "Product checking changed)\n" + STALE_HINT
    )
    assert env.dump() == before


def test_stale_plan_after_a_row_changed_in_the_crm(env: h.Env) -> None:
    """No revision moved: only the row the plan touches did (edited in the CRM's UI)."""
    _saved_update(env)
    h.sql(env.url, "UPDATE coverage_group SET name = 'Edited in the UI' WHERE key = 'branch_team'")
    before = env.dump()
    stale = env.run("apply", "plan.json")
    assert stale.code == exitcodes.STORE
    assert stale.err == (
        "error: the plan is stale: the store moved since it was made "
        "(CoverageGroup branch_team changed)\n" + STALE_HINT
    )
    assert env.dump() == before


def test_stale_plan_when_a_row_it_creates_appeared(env: h.Env) -> None:
    _saved_update(env)
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('savings', 'Savings', 'deposit', true)",
    )
    before = env.dump()
    stale = env.run("apply", "plan.json")
    assert stale.code == exitcodes.STORE
    assert "(Product savings changed)\n" in stale.err
    assert env.dump() == before


def test_stale_plan_when_a_child_row_changed(env: h.Env) -> None:
    """A member removed in the CRM changes the group the plan touches."""
    _saved_update(env)
    h.sql(env.url, "DELETE FROM coverage_member WHERE user_login = 'ajones'")
    before = env.dump()
    stale = env.run("apply", "plan.json")
    assert stale.code == exitcodes.STORE
    assert "(CoverageGroup branch_team changed)\n" in stale.err
    assert env.dump() == before


def test_a_change_to_an_untouched_row_keeps_the_plan_fresh(env: h.Env) -> None:
    _saved_update(env)
    h.sql(env.url, "UPDATE product SET description = 'edited' WHERE key = 'untouched'")
    applied = env.ok("apply", "plan.json")
    assert last_line(applied) == "Apply complete: 1 created, 3 updated (revision 2)."
    assert env.state()[("Product", "untouched")]["description"] == "edited"


def test_a_saved_plan_is_for_its_own_store(env: h.Env, tmp_path: Path) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    other = f"sqlite:///{tmp_path}/other/store.db"
    h.seed(other, h.reference_seed(tmp_path))
    before = h.dump(other)
    refused = env.run("apply", "plan.json", "--store", other)
    assert refused.code == exitcodes.STORE
    assert refused.err == (
        f"error: the plan was made for {h.redact(env.url)}, not {h.redact(other)}\n"
        "hint: select the same store with --store or --target\n"
    )
    assert h.dump(other) == before


def test_a_saved_plan_whose_stage_gained_an_open_opportunity(env: h.Env) -> None:
    """Usage is not part of a plan's base: apply judges the saved plan against the live
    store, and refuses to strand opportunities."""
    env.write([h.template("deal", stages=("qualify", "review"))])
    env.ok("apply", "--auto-approve")
    env.write([h.template("deal", stages=("qualify",))])
    env.ok("plan", "--out", "plan.json")
    h.add_opportunities(env.url, [{"name": "Late deal", "template": "deal", "stage": "review"}])
    before = env.dump()
    refused = env.run("apply", "plan.json", "--allow-destructive")
    assert (refused.code, refused.err) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: stage 'review' of template 'deal' holds 1 open "
        "opportunity; add `replaces: [review]` to the stage that should take them\n"
        "hint: fix them and plan again\n",
    )
    assert "  ~ OpportunityTemplate deal  (1 open opportunity; destructive)\n" in refused.out
    assert env.dump() == before


# --- history and rollback ---------------------------------------------------------------------


def test_history_lists_revisions_newest_first(env: h.Env) -> None:
    assert env.ok("history") == "No revisions yet: nothing has been applied to this store.\n"
    start = datetime.now(UTC).replace(microsecond=0)
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("apply", "--auto-approve", "--actor", "deploy-bot")
    lines = env.ok("history").splitlines()
    assert lines[0] == "  REV  APPLIED (UTC)         ACTOR           COMMIT    CHANGES"
    assert [line[:5] for line in lines[1:]] == ["    2", "    1"]
    assert lines[1].endswith("  deploy-bot      -         1 created, 3 updated")
    assert lines[2].endswith("  tester          -         3 created")

    entries = json.loads(env.ok("history", "--format", "json"))
    assert [(e["revision"], e["actor"], e["summary"]) for e in entries] == [
        (
            2,
            "deploy-bot",
            {"create": 1, "update": 3, "rename": 0, "delete": 0, "adopt": 0, "release": 0},
        ),
        (
            1,
            "tester",
            {"create": 3, "update": 0, "rename": 0, "delete": 0, "adopt": 0, "release": 0},
        ),
    ]
    for entry in entries:
        assert entry["git_commit"] is None  # the temp folder is not a git work tree
        assert entry["plan_digest"].startswith("sha256:")
        applied = datetime.fromisoformat(entry["applied_at"])
        assert start <= applied <= datetime.now(UTC)


@pytest.mark.parametrize("saved", [False, True], ids=["unattended", "saved-plan"])
def test_history_records_the_git_commit(env: h.Env, saved: bool) -> None:
    """Whether the apply plans under the lock or applies a plan saved before."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=env.root, check=True)
    env.write(h.small_config())
    subprocess.run([*git, "add", "."], cwd=env.root, check=True)
    subprocess.run([*git, "commit", "-qm", "config"], cwd=env.root, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=env.root, capture_output=True, text=True, check=True
    ).stdout.strip()
    if saved:
        env.ok("plan", "--out", str(env.root.parent / "plan.json"))
        env.ok("apply", str(env.root.parent / "plan.json"))
    else:
        env.ok("apply", "--auto-approve")
    [entry] = json.loads(env.ok("history", "--format", "json"))
    assert entry["git_commit"] == head


def test_rollback_returns_to_a_revision_snapshot(env: h.Env) -> None:
    a = [*h.small_config(), h.product("old_fee", listPrice=12.5)]
    env.write(a)
    env.ok("apply", "--auto-approve")
    b = [
        *h.small_config(" v2"),
        h.product("savings"),
        h.template("deal", stages=("qualify", "review"), products=["savings"]),
    ]
    env.write(b)
    env.ok("apply", "--auto-approve", "--allow-destructive")
    assert env.state() == expected_state(b)

    rolled = env.ok("rollback", "1", "--auto-approve", "--allow-destructive")
    assert last_line(rolled) == "Apply complete: 1 created, 3 updated, 2 deleted (revision 3)."
    assert env.state() == expected_state(a)
    env.write(a)
    again = env.run("plan", "--detailed-exitcode")
    assert (again.code, last_line(again.out)) == (exitcodes.OK, NO_CHANGES)
    assert [e["revision"] for e in json.loads(env.ok("history", "--format", "json"))] == [3, 2, 1]
    # Back to the newest state: rolling back is applying like any plan.
    env.ok("rollback", "2", "--auto-approve", "--allow-destructive")
    assert env.state() == expected_state(b)


def test_rollback_refusals(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("apply", "--auto-approve")
    before = env.dump()
    missing = env.run("rollback", "7", "--auto-approve")
    assert (missing.code, missing.err) == (
        exitcodes.USAGE,
        "error: revision 7 is not in the history\nhint: see `opconf history`\n",
    )
    destructive = env.run("rollback", "1", "--auto-approve")
    assert destructive.code == exitcodes.PROBLEMS
    assert destructive.err.startswith("error: the plan deletes data (Product savings)\n")
    unattended = env.run("rollback", "1", "--allow-destructive")
    assert unattended.code == exitcodes.PROBLEMS
    assert unattended.err.startswith("error: no terminal to confirm on\n")
    assert env.dump() == before
    current = env.ok("rollback", "2", "--auto-approve")
    assert last_line(current) == "No changes. The store matches revision 2 already."
    assert env.dump() == before


def test_rollback_undoes_a_rename_in_use(env: h.Env) -> None:
    """Snapshots carry row ids: the rollback renames the product back, keeping its row."""
    a = [h.product("cd_12m"), h.template("cd", stages=("quote",), products=["cd_12m"])]
    env.write(a)
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url, [{"name": "Alvarez CD", "template": "cd", "stage": "quote", "product": "cd_12m"}]
    )
    b = [
        h.product("certificate_12m", previousKeys=["cd_12m"], name="Cd 12M"),
        h.template("cd", stages=("quote",), products=["certificate_12m"]),
    ]
    env.write(b)
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert "→ Product cd_12m  (renamed from certificate_12m" in rolled.out
    assert env.state() == expected_state(a)
    assert h.opportunity_lines(env.url) == ["Alvarez CD: cd/quote (open)"]


def test_rollback_undoes_a_stage_rename_in_use(env: h.Env) -> None:
    """Snapshots carry stage ids too: the stage is renamed back with its opportunities."""
    a = [h.product("cd_12m"), h.template("cd", stages=("quote",), products=["cd_12m"])]
    env.write(a)
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url, [{"name": "Alvarez CD", "template": "cd", "stage": "quote", "product": "cd_12m"}]
    )
    b = [h.product("cd_12m"), h.template("cd", stages=("quote",), products=["cd_12m"])]
    b[1]["stages"][0].update(key="offer", previousKeys=["quote"])
    env.write(b)
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")  # not destructive: a rename
    assert rolled.code == exitcodes.OK, rolled.err
    assert "→ stages[offer] renamed to quote  [1 open]" in rolled.out
    assert env.state() == expected_state(a)
    assert h.opportunity_lines(env.url) == ["Alvarez CD: cd/quote (open)"]


# --- apply-order bugs -------------------------------------------------------------------------


def test_swapping_product_codes(env: h.Env) -> None:
    env.write([h.product("p1", code="C1"), h.product("p2", code="C2")])
    env.ok("apply", "--auto-approve")
    swapped = [h.product("p1", code="C2"), h.product("p2", code="C1")]
    env.write(swapped)
    result = env.run("apply", "--auto-approve")
    assert result.code == exitcodes.OK, result.err
    assert env.state() == expected_state(swapped)


def test_a_new_product_reuses_the_code_of_a_deleted_one(env: h.Env) -> None:
    env.write([h.product("p1", code="C1")])
    env.ok("apply", "--auto-approve")
    replaced = [h.product("p3", code="C1")]
    env.write(replaced)
    result = env.run("apply", "--auto-approve", "--allow-destructive")
    assert result.code == exitcodes.OK, result.err
    assert env.state() == expected_state(replaced)


def test_a_failed_apply_writes_nothing(env: h.Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database error on the last change rolls back the changes made before it."""
    env.write([*h.small_config(), h.template("pilot")])
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    # An opportunity opened on the template the plan deletes (last): its foreign key fails.
    # Apply judges a saved plan against the store it reads under the lock, which refuses this;
    # the judgement is skipped to reach the database's own refusal (a CRM write that the
    # lock does not hold back, as PostgreSQL's advisory lock does not).
    h.add_opportunities(env.url, [{"name": "Pilot deal", "template": "pilot", "stage": "won"}])
    monkeypatch.setattr("opconf.plan.saved.with_store", lambda plan, state, last: plan)
    before = env.dump()
    result = env.run("apply", "plan.json", "--allow-destructive")
    assert result.code == exitcodes.STORE
    assert result.err.startswith(f"error: writing the store failed on {h.redact(env.url)}: ")
    assert result.err.endswith("hint: nothing was written: the transaction was rolled back\n")
    assert len(result.err.splitlines()) == 2
    assert env.dump() == before


@pytest.mark.parametrize(
    "price",
    [
        "12345678901234567.25",  # 19 significant digits: more than a float keeps
        "123456789012345678901234567890",  # 30 digits: more than the 28 of a decimal context
        "1234567890123456789012345678.99",
        "0.000000000000000000000000000001",  # a tiny scale
        "1.5e-25",
        "123456789012345678901234567890.000000000000000000000000000001",
    ],
)
def test_prices_are_exact_end_to_end_at_any_precision(env: h.Env, price: str) -> None:
    """Reader → plan JSON → store → read back → plan empty, with no digit lost anywhere."""
    (env.root / "config").mkdir()
    (env.root / "config" / "p.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: jumbo\nname: Jumbo\ntype: deposit\n"
        f"listPrice: {price}\n",
        encoding="utf-8",
    )
    exact = format(Decimal(price), "f")
    exact = exact.rstrip("0").rstrip(".") if "." in exact else exact
    plan = json.loads(env.ok("plan", "--format", "json"))
    assert plan["changes"][0]["after"]["listPrice"] == exact  # a string: JSON numbers are floats
    env.ok("apply", "--auto-approve")
    [(stored,)] = h.sql(env.url, "SELECT list_price FROM product WHERE key = 'jumbo'")
    assert Decimal(str(stored)) == Decimal(price)
    assert env.ok("plan").strip().endswith(NO_CHANGES)


def test_a_code_taken_in_the_crm_after_the_plan_fails_the_apply_cleanly(env: h.Env) -> None:
    """The row that takes the code is not one the plan touches: apply's live checks refuse."""
    env.write([h.product("savings", code="SAV-1")])
    env.ok("plan", "--out", "plan.json")
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active, code) "
        "VALUES ('ui_savings', 'UI Savings', 'deposit', true, 'SAV-1')",
    )
    before = env.dump()
    result = env.run("apply", "plan.json")
    assert (result.code, result.err) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: code 'SAV-1' of Product 'savings' is already the code of "
        "Product 'ui_savings' (unmanaged); choose another code: product codes are unique "
        "across the store\n"
        "hint: fix them and plan again\n",
    )
    assert env.dump() == before


def test_sqlite_constraint_errors_keep_their_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not cut at "failed: " (libpq's wording) down to a bare "product.code"."""
    # The judgement of the saved plan under the lock is skipped: the database's refusal.
    monkeypatch.setattr("opconf.plan.saved.with_store", lambda plan, state, last: plan)
    url = f"sqlite:///{tmp_path}/store.db"
    h.seed(url, h.reference_seed(tmp_path))
    env = h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
    env.write([h.product("savings", code="SAV-1")])
    env.ok("plan", "--out", "plan.json")
    h.sql(
        url,
        "INSERT INTO product (key, name, type, active, code) "
        "VALUES ('ui_savings', 'UI Savings', 'deposit', true, 'SAV-1')",
    )
    result = env.run("apply", "plan.json")
    assert result.code == exitcodes.STORE
    assert "UNIQUE constraint failed: product.code" in result.err


def test_rollback_past_an_adopt_keeps_the_crm_object(env: h.Env) -> None:
    """Snapshots record the CRM's own objects: a rollback releases what was adopted since."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('ui_made', 'UI made', 'deposit', true)",
    )
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(), h.product("ui_made", name="Adopted")])
    assert last_line(env.ok("apply", "--auto-approve")) == "Apply complete: 1 adopted (revision 2)."
    rolled = env.run("rollback", "1", "--auto-approve")  # not destructive: nothing is deleted
    assert rolled.code == exitcodes.OK, rolled.err
    assert "~ Product ui_made  (release: no longer managed, back as it was)" in rolled.out
    assert last_line(rolled.out) == "Apply complete: 1 released (revision 3)."
    rows = h.sql(
        env.url,
        f"SELECT name, {h.owned('product', 'Product')} FROM product WHERE key = 'ui_made'",
    )
    assert rows == [("UI made", False)]
    assert last_line(env.ok("rollback", "2", "--auto-approve")).startswith(
        "Apply complete: 1 adopted"
    )


# --- refusals name what they refuse -----------------------------------------------------------


def test_a_refusal_names_three_deletes_and_counts_the_rest(env: h.Env) -> None:
    keys = ["d1", "d2", "d3", "d4", "d5", "kept"]
    env.write([h.product(k) for k in keys])
    env.ok("apply", "--auto-approve")
    env.write([h.product("kept")])
    refused = env.run("apply", "--auto-approve")
    assert (refused.code, refused.err) == (
        exitcodes.PROBLEMS,
        "error: the plan deletes data (Product d5, Product d4, Product d3 and 2 more)\n"
        "hint: review it, then apply with --allow-destructive\n",
    )


@pytest.mark.parametrize(
    ("moved", "more"), [(5, ""), (6, " and 1 more"), (7, " and 2 more")], ids=["5", "6", "7"]
)
def test_a_stale_plan_names_five_moved_rows_and_counts_the_rest(
    env: h.Env, moved: int, more: str
) -> None:
    keys = [f"p{i}" for i in range(1, moved + 1)]
    env.write([h.product(k) for k in keys])
    env.ok("apply", "--auto-approve")
    env.write([h.product(k, name=f"Renamed {k}") for k in keys])
    env.ok("plan", "--out", "plan.json")
    h.sql(env.url, "UPDATE product SET description = 'edited in the UI'")
    stale = env.run("apply", "plan.json")
    assert (stale.code, stale.err) == (
        exitcodes.STORE,
        "error: the plan is stale: the store moved since it was made (Product p1 changed, "
        "Product p2 changed, Product p3 changed, Product p4 changed, Product p5 changed"
        f"{more})\n" + STALE_HINT,
    )


def test_apply_plan_refuses_a_destructive_plan_by_default(env: h.Env) -> None:
    """The core's default is the safe one: only the caller's explicit flag deletes."""
    from opconf.apply import apply_plan
    from opconf.errors import PlanRefused
    from opconf.store import Holder, Store
    from opconf.workflow import plan_config, validate_config

    env.write([h.product("gone"), h.product("kept")])
    env.ok("apply", "--auto-approve")
    store = Store(env.url)
    try:
        result = validate_config(env.write([h.product("kept")]))
        plan = plan_config(result, store, prune=False)
        before = env.dump()
        with pytest.raises(PlanRefused, match=r"^the plan deletes data \(Product gone\)$"):
            apply_plan(store, plan, holder=Holder.local())
        assert env.dump() == before
    finally:
        store.close()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "DELETE FROM product WHERE key = 'checking'",
            "template id 1 sells product id 1, which does not exist (table template_product)",
        ),
        (
            "INSERT INTO template_stage (template_id, key, name, position, probability, outcome)"
            " VALUES (99, 'x', 'X', 1, 10, 'open')",
            "a stage row names template id 99, which does not exist (table template_stage)",
        ),
        (
            "INSERT INTO stage_step (stage_id, template_id, key, name, position, type, required,"
            " assignee_kind) VALUES (88, 1, 's', 'S', 9, 'task', 0, 'owner')",
            "a step row names stage id 88, which does not exist (table stage_step)",
        ),
        (
            "INSERT INTO coverage_member (group_id, user_login, role_code)"
            " SELECT 77, user_login, role_code FROM coverage_member LIMIT 1",
            "a member row names coverage group id 77, which does not exist (table coverage_member)",
        ),
        (
            "UPDATE opportunity_template SET default_coverage_group_id = 66",
            "the default coverage group of template id 1 is coverage group id 66, which does not"
            " exist (table opportunity_template)",
        ),
    ],
)
def test_a_dangling_row_written_by_the_crm_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    message: str,
) -> None:
    """A CRM that writes SQLite with foreign keys off can leave rows pointing at rows that no
    longer exist: plan says so in one line instead of failing with a traceback (a stage row
    did) or reading past it. (SQLite only: PostgreSQL enforces the foreign keys.)"""
    import sqlite3

    url = f"sqlite:///{tmp_path}/store.db"
    h.seed(url, h.reference_seed(tmp_path))
    env = h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute(statement)
    result = env.run("plan")
    assert result.code == exitcodes.STORE
    assert result.err == (
        f"error: the store is inconsistent: {message}\n"
        "hint: repair the row in the CRM's database; opconf writes nothing until then\n"
    )
