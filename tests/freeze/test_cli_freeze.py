"""``apply --dry-run``, freeze windows in apply/plan/history and ``freeze status``, through
the real entry point on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.apply import apply_plan
from opconf.errors import FrozenError
from opconf.freeze import FreezeGuard
from opconf.store import Holder, Store
from opconf.workflow import plan_config, validate_config

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

TAKE_CODE = (
    "INSERT INTO product (key, name, type, active, code) "
    "VALUES ('ui_savings', 'UI Savings', 'deposit', true, 'SAV-1')"
)
ALWAYS = "start: 2000-01-01\n    end: 2100-01-01\n"
BLOCKED = (
    "error: apply blocked by freeze 'Q4 close' until 2100-01-01 00:00 EST"
    " (2100-01-01 05:00 UTC): quarter-end close\n"
    "hint: wait, or apply with --override-freeze --reason TEXT (recorded in history)\n"
)


def freeze_project(env: h.Env, scope: str = "Product/*") -> None:
    (env.root / "opconf.yaml").write_text(
        "freeze:\n  - name: Q4 close\n    kind: deny\n    "
        + ALWAYS
        + f"    timezone: America/Toronto\n    reason: quarter-end close\n    scope: ['{scope}']\n",
        encoding="utf-8",
    )


# --- dry run ------------------------------------------------------------------------------


def test_dry_run_reports_a_code_taken_after_the_plan_and_writes_nothing(env: h.Env) -> None:
    """The CRM row that takes the code is not one the plan touches: the plan is not stale,
    the database refuses; the dry run says which object and why, and changes nothing."""
    env.write([h.product("savings", code="SAV-1"), h.product("loans", code="LN-1")])
    env.ok("plan", "--out", "plan.json")
    h.sql(env.url, TAKE_CODE)
    before = env.dump()
    result = env.run("apply", "--dry-run", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert result.out.endswith(
        "\nDry run: the apply would fail (1 problem):\n"
        "  Product savings: code 'SAV-1' is already used by another product\n"
    )
    assert result.err == (
        "error: the apply would fail; nothing was written\n"
        "hint: fix the configuration or the CRM's data, then plan again\n"
    )
    assert env.dump() == before


def test_clean_dry_run_then_the_apply_succeeds(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    before = env.dump()
    out = env.ok("apply", "--dry-run", "plan.json")
    assert out.endswith("\nDry run: the apply would succeed (3 to create); nothing was written.\n")
    assert env.dump() == before  # no revision, no row
    assert h.sql(env.url, "SELECT count(*) FROM opconf_history") == [(0,)]
    out = env.ok("apply", "plan.json")
    assert out.endswith("Apply complete: 3 created (revision 1).\n")


def test_dry_run_names_a_product_type_missing_from_the_crm(env: h.Env) -> None:
    """A foreign key: PostgreSQL names it; SQLite is asked with PRAGMA foreign_key_check."""
    env.write([h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    h.sql(env.url, "UPDATE crm_product_type SET code = 'gone' WHERE code = 'deposit'")
    result = env.run("apply", "--dry-run", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert "  Product savings: product type 'deposit' is not in the CRM\n" in result.out


# --- freeze -------------------------------------------------------------------------------


def test_a_freeze_blocks_apply_and_the_override_is_recorded(env: h.Env) -> None:
    freeze_project(env)
    env.write([h.product("savings")])
    plan = env.run("plan")
    assert plan.out.endswith(
        "\nNote: apply blocked by freeze 'Q4 close' until 2100-01-01 00:00 EST"
        " (2100-01-01 05:00 UTC): quarter-end close.\n"
    )
    before = env.dump()
    result = env.run("apply", "--auto-approve")
    assert (result.code, result.err) == (exitcodes.PROBLEMS, BLOCKED)
    assert env.dump() == before
    # A usage error comes first, alone: no plan printed before it (rollback alike).
    for command in (["apply", "--auto-approve"], ["rollback", "1", "--auto-approve"]):
        result = env.run(*command, "--override-freeze")
        assert (result.code, result.out) == (exitcodes.USAGE, "")
        assert result.err.startswith("error: --override-freeze needs --reason TEXT\n")
        result = env.run(*command, "--reason", "why")
        assert (result.code, result.out, result.err) == (
            exitcodes.USAGE,
            "",
            "error: --reason is only for --override-freeze\n",
        )
    out = env.ok("apply", "--auto-approve", "--override-freeze", "--reason", "hotfix INC-42")
    assert "Freeze 'Q4 close' overridden by tester: hotfix INC-42 (recorded in history)." in out
    rows = h.sql(env.url, "SELECT actor, override_windows, override_reason FROM opconf_history")
    assert rows == [("tester", "Q4 close", "hotfix INC-42")]
    assert "freeze overridden (Q4 close): hotfix INC-42" in env.ok("history")


def test_a_plan_outside_the_scope_is_not_blocked(env: h.Env) -> None:
    freeze_project(env, scope="OpportunityTemplate/*")
    env.write([h.product("savings")])
    assert "blocked" not in env.ok("plan")
    env.ok("apply", "--auto-approve")
    assert h.sql(env.url, "SELECT override_reason FROM opconf_history") == [(None,)]


def test_the_freeze_is_checked_again_just_before_commit(env: h.Env) -> None:
    """A window that opens while the apply runs: nothing is committed (fixed clock)."""
    env.write([h.product("savings")])
    store = Store(env.url)
    plan = plan_config(validate_config(env.root / "config"), store, False)
    window = h.year_end_close()
    instants = iter(
        [datetime(2026, 12, 27, 23, 59, 59, tzinfo=UTC), datetime(2026, 12, 28, tzinfo=UTC)]
    )
    before = env.dump()
    guard = FreezeGuard((window,), clock=lambda: next(instants))
    with pytest.raises(FrozenError, match="apply blocked by freeze 'close' until 2027-01-04"):
        apply_plan(store, plan, holder=Holder.local("t"), freeze=guard)
    store.close()
    assert env.dump() == before


def test_freeze_status_at_a_fixed_time(env: h.Env) -> None:
    freeze_project(env)
    out = env.ok("freeze", "status", "--at", "2099-12-31T12:00")
    assert out == (
        "At 2099-12-31 12:00 UTC:\n"
        "  deny 'Q4 close' (Product/*): OPEN since 2000-01-01 00:00 EST (2000-01-01 05:00 UTC);"
        " closes 2100-01-01 00:00 EST (2100-01-01 05:00 UTC) — quarter-end close\n"
    )
    result = env.run("freeze", "status", "--at", "tomorrow")
    assert (result.code, result.err) == (
        exitcodes.USAGE,
        "error: --at 'tomorrow' is not an ISO 8601 date-time\nhint: e.g. --at 2026-12-24T17:00Z\n",
    )


def test_freeze_errors_are_located(env: h.Env) -> None:
    (env.root / "opconf.yaml").write_text(
        "freeze:\n"
        "  - {name: n, kind: deny, schedule: '0 25 * * *', duration: 1h, timezone: Mars/Base}\n",
        encoding="utf-8",
    )
    result = env.run("plan")
    assert result.code == exitcodes.USAGE
    assert result.err.splitlines()[:2] == [
        "opconf.yaml:2:37: error OPC281 schedule '0 25 * * *' is not valid cron: bad hour field"
        " (freeze[0].schedule)",
        "opconf.yaml:2:75: error OPC282 unknown time zone 'Mars/Base' (an IANA name, e.g."
        " America/Toronto or UTC) (freeze[0].timezone)",
    ]


@pytest.fixture
def pg_env(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> h.Env:
    """``env`` on PostgreSQL only (SQLite tables cannot gain a deferred constraint)."""
    cluster = request.getfixturevalue("pg_cluster")
    request.getfixturevalue("pg_url")
    url = cluster.url("opconf_test", schema=cluster.create_schema("opconf_test"))
    h.seed(url, h.reference_seed(tmp_path))
    return h.make_env(url, tmp_path / "repo", monkeypatch, capsys)


@pytest.fixture
def sqlite_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> h.Env:
    """``env`` on SQLite only (PostgreSQL never holds rows that break a foreign key)."""
    url = f"sqlite:///{tmp_path}/store.db"
    h.seed(url, h.reference_seed(tmp_path))
    return h.make_env(url, tmp_path / "repo", monkeypatch, capsys)


@pytest.mark.postgres
def test_dry_run_checks_deferred_constraints_before_rolling_back(pg_env: h.Env) -> None:
    """PostgreSQL: a constraint the CRM declared DEFERRABLE INITIALLY DEFERRED fails only at
    commit; the dry run checks it (SET CONSTRAINTS ALL IMMEDIATE) and the apply then fails."""
    env = pg_env
    h.sql(
        env.url,
        "ALTER TABLE product ADD CONSTRAINT crm_unique_name UNIQUE (name)"
        " DEFERRABLE INITIALLY DEFERRED",
    )
    h.sql(env.url, TAKE_CODE.replace("'UI Savings'", "'Savings'").replace("'SAV-1'", "NULL"))
    env.write([h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    before = env.dump()
    result = env.run("apply", "--dry-run", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert "  the commit would be refused: crm_unique_name (" in result.out
    assert env.dump() == before
    assert env.run("apply", "plan.json").code == exitcodes.STORE  # the dry run was right


def test_dry_run_ignores_foreign_key_violations_the_crm_data_already_has(
    sqlite_env: h.Env,
) -> None:
    """SQLite: PRAGMA foreign_key_check finds what the CRM wrote with its keys off; only what
    the apply adds counts."""
    env = sqlite_env
    h.sql(env.url, "INSERT INTO opportunity (name, template_id, status) VALUES ('x', 999, 'open')")
    env.write([h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    assert env.ok("apply", "--dry-run", "plan.json").endswith(
        "Dry run: the apply would succeed (1 to create); nothing was written.\n"
    )


def test_dry_run_names_a_crm_foreign_key_that_fails_only_at_commit(sqlite_env: h.Env) -> None:
    """SQLite: a CRM table whose foreign key on opconf's rows is DEFERRABLE INITIALLY DEFERRED
    lets the delete pass and fails at commit; the dry run finds it (PRAGMA foreign_key_check)
    and names it, and the apply then fails."""
    env = sqlite_env
    env.write([h.product("savings"), h.product("loans")])
    env.ok("apply", "--auto-approve")
    h.sql(
        env.url,
        "CREATE TABLE crm_quote (id INTEGER PRIMARY KEY,"
        " product_id INTEGER REFERENCES product (id) DEFERRABLE INITIALLY DEFERRED)",
    )
    h.sql(env.url, "INSERT INTO crm_quote (product_id) SELECT id FROM product WHERE key = 'loans'")
    env.write([h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    before = env.dump()
    result = env.run("apply", "--dry-run", "--allow-destructive", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert result.out.endswith(
        "\nDry run: the apply would fail (1 problem):\n  the commit would be refused:"
        " fk_crm_quote_product_id (FOREIGN KEY constraint failed (crm_quote))\n"
    )
    assert env.dump() == before
    assert env.run("apply", "--allow-destructive", "plan.json").code == exitcodes.STORE


def test_dry_run_says_a_freeze_blocks_and_that_an_override_would_pass(env: h.Env) -> None:
    freeze_project(env)
    env.write([h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    result = env.run("apply", "--dry-run", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert result.out.endswith(
        "\nDry run: the apply would fail (1 problem):\n  " + BLOCKED.splitlines()[0][7:] + "\n"
    )
    out = env.ok("apply", "--dry-run", "plan.json", "--override-freeze", "--reason", "fix")
    assert out.endswith(
        "\nFreeze 'Q4 close' would be overridden: fix.\n\n"
        "Dry run: the apply would succeed (1 to create); nothing was written.\n"
    )
    assert h.sql(env.url, "SELECT count(*) FROM opconf_history") == [(0,)]


def test_dry_run_names_a_delete_that_opportunities_still_use(env: h.Env) -> None:
    """An opportunity opened after the plan on the template it deletes: the foreign key of
    opportunity.template_id, in words, on both backends; the other changes are fine."""
    env.write([*h.small_config(), h.template("pilot")])
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    h.add_opportunities(env.url, [{"name": "Pilot deal", "template": "pilot", "stage": "won"}])
    before = env.dump()
    result = env.run("apply", "--dry-run", "plan.json", "--allow-destructive")
    assert result.code == exitcodes.PROBLEMS
    assert result.out.endswith(
        "\nDry run: the apply would fail (1 problem):\n"
        "  OpportunityTemplate pilot: opportunities still use it\n"
    )
    assert env.dump() == before


def test_a_rename_is_blocked_by_a_window_on_its_old_key(env: h.Env) -> None:
    freeze_project(env, scope="Product/old_*")
    env.write([h.product("old_savings")])
    env.ok("apply", "--auto-approve", "--override-freeze", "--reason", "setup")
    env.write([h.product("savings", previousKeys=["old_savings"])])
    result = env.run("plan", "--format", "markdown")
    assert result.code == exitcodes.OK
    assert result.out.splitlines()[2:4] == [
        "> [!CAUTION]",
        "> **Apply blocked by freeze 'Q4 close' until 2100-01-01 00:00 EST"
        " (2100-01-01 05:00 UTC): quarter-end close.**",
    ]
    assert env.run("apply", "--auto-approve").err == BLOCKED
