"""``apply --dry-run``, freeze windows in apply/plan/history and ``freeze status``, through
the real entry point on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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


def test_dry_run_reports_a_code_taken_after_the_plan_and_writes_nothing(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CRM row that takes the code is not one the plan touches: the plan is not stale,
    the database refuses; the dry run says which object and why, and changes nothing."""
    env.write([h.product("savings", code="SAV-1"), h.product("loans", code="LN-1")])
    env.ok("plan", "--out", "plan.json")
    h.sql(env.url, TAKE_CODE)
    # ...after apply judged the saved plan against the live store, before its writes:
    monkeypatch.setattr("opconf.plan.saved.with_store", lambda plan, state, last: plan)
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
    assert result.err == (  # what blocks it is the freeze, not the data
        "error: the apply would fail; nothing was written\n"
        "hint: wait for the freeze to end, or pass --override-freeze --reason TEXT\n"
    )
    out = env.ok("apply", "--dry-run", "plan.json", "--override-freeze", "--reason", "fix")
    assert out.endswith(
        "\nFreeze 'Q4 close' would be overridden: fix.\n\n"
        "Dry run: the apply would succeed (1 to create); nothing was written.\n"
    )
    assert h.sql(env.url, "SELECT count(*) FROM opconf_history") == [(0,)]


def test_dry_run_names_a_delete_that_opportunities_still_use(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An opportunity opened after the plan on the template it deletes: the foreign key of
    opportunity.template_id, in words, on both backends; the other changes are fine."""
    env.write([*h.small_config(), h.template("pilot")])
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    env.ok("plan", "--out", "plan.json")
    h.add_opportunities(env.url, [{"name": "Pilot deal", "template": "pilot", "stage": "won"}])
    # ...after apply judged the saved plan against the live store, before its writes:
    monkeypatch.setattr("opconf.plan.saved.with_store", lambda plan, state, last: plan)
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


def test_a_scope_of_no_known_kind_is_a_located_error(env: h.Env) -> None:
    """``product/*`` used to validate, show OPEN and block nothing."""
    freeze_project(env, scope="product/*")
    env.write([h.product("savings")])
    before = env.dump()
    for command in (["plan"], ["apply", "--auto-approve"], ["freeze", "status"]):
        result = env.run(*command)
        assert (result.code, result.out) == (exitcodes.USAGE, "")
        assert result.err.splitlines()[0] == (
            "opconf.yaml:8:13: error OPC289 scope 'product/*' is not Kind/key-glob of a known "
            "kind (did you mean 'Product'?) (freeze[0].scope[0])"
        )
    assert env.dump() == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            "start: 2026-01-01\n    end: 9999-12-31\n    timezone: America/Toronto\n",
            "opconf.yaml:5:10: error OPC283 end '9999-12-31' is out of range "
            "(from 0002-01-01 to 9998-12-31 UTC) (freeze[0].end)",
        ),
        (
            "start: 0001-01-01\n    end: 2027-01-01\n    timezone: Asia/Tokyo\n",
            "opconf.yaml:4:12: error OPC283 start '0001-01-01' is out of range "
            "(from 0002-01-01 to 9998-12-31 UTC) (freeze[0].start)",
        ),
        (
            "schedule: '0 9 * * *'\n    duration: 36500d\n    timezone: UTC\n",
            "opconf.yaml:5:15: error OPC284 duration '36500d' is longer than 366d (a longer "
            "freeze is a one-off window: start and end) (freeze[0].duration)",
        ),
    ],
)
def test_out_of_range_windows_are_located_errors(env: h.Env, fields: str, error: str) -> None:
    """They used to crash (exit 70) plan, apply and freeze status."""
    text = "freeze:\n  - name: w\n    kind: deny\n    " + fields
    (env.root / "opconf.yaml").write_text(text, encoding="utf-8")
    env.write([h.product("savings")])
    for command in (["plan"], ["freeze", "status"]):
        result = env.run(*command)
        assert (result.code, result.err.splitlines()[0]) == (exitcodes.USAGE, error)


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00+09:00"])
def test_freeze_status_at_an_out_of_range_instant_is_one_line(env: h.Env, at: str) -> None:
    freeze_project(env)
    result = env.run("freeze", "status", "--at", at)
    assert (result.code, result.out, result.err) == (
        exitcodes.USAGE,
        "",
        f"error: --at '{at}' is out of range\nhint: an instant from 0002-01-01 to 9998-12-31 UTC\n",
    )


def test_a_window_that_never_closes_says_so_quickly(env: h.Env) -> None:
    (env.root / "opconf.yaml").write_text(
        "freeze:\n  - {name: w, kind: deny, schedule: '* * * * *', duration: 2m, timezone: UTC}\n",
        encoding="utf-8",
    )
    out = env.ok("freeze", "status", "--at", "2026-06-01T10:00:30")
    assert out == (
        "At 2026-06-01 10:00 UTC:\n"
        "  deny 'w' (everything): OPEN since 2026-06-01 10:00 UTC; stays open past "
        "2026-06-02 19:23 UTC (its openings overlap)\n"
    )


# --- the windows in force are the store's too -------------------------------------------------


def _frozen_store(env: h.Env) -> None:
    """The project's window (templates, always open) recorded by an apply of a product."""
    freeze_project(env, scope="OpportunityTemplate/*")
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    [(summary,)] = h.sql(env.url, "SELECT summary FROM opconf_history")
    assert json.loads(summary)["freeze"] == [
        {
            "name": "Q4 close",
            "kind": "deny",
            "timezone": "America/Toronto",
            "start": "2000-01-01T05:00:00+00:00",
            "end": "2100-01-01T05:00:00+00:00",
            "scope": ["OpportunityTemplate/*"],
            "reason": "quarter-end close",
        }
    ]


def test_an_apply_from_another_folder_honours_the_store_s_windows(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to read opconf.yaml only: ``apply --store URL`` elsewhere went through."""
    _frozen_store(env)
    elsewhere = env.root.parent / "elsewhere"
    h.write_config(elsewhere / "config", [h.product("savings"), h.template("deal")])
    monkeypatch.chdir(elsewhere)
    before = env.dump()
    note = env.run("plan")
    assert note.out.endswith(
        "\nNote: apply blocked by freeze 'Q4 close' until 2100-01-01 00:00 EST"
        " (2100-01-01 05:00 UTC): quarter-end close.\n"
    )
    result = env.run("apply", "--auto-approve")
    assert (result.code, result.err) == (exitcodes.PROBLEMS, BLOCKED)
    assert env.dump() == before
    # Overridden, the apply records the windows again: they stay in force.
    env.ok("apply", "--auto-approve", "--override-freeze", "--reason", "INC-7")
    h.write_config(elsewhere / "config", [h.product("savings"), h.template("deal", name="X")])
    assert env.run("apply", "--auto-approve").code == exitcodes.PROBLEMS


def test_a_project_that_ends_its_windows_is_checked_against_them_first(env: h.Env) -> None:
    """``freeze: []`` states that no window is in force; the apply that records it is still
    checked against the windows in force (here: it touches a template, so it is blocked)."""
    _frozen_store(env)
    (env.root / "opconf.yaml").write_text("freeze: []\n", encoding="utf-8")
    env.write([h.product("savings"), h.template("deal")])
    assert env.run("apply", "--auto-approve").code == exitcodes.PROBLEMS
    env.ok("apply", "--auto-approve", "--override-freeze", "--reason", "the close is over")
    env.write([h.product("savings"), h.template("deal", name="Renamed")])
    env.ok("apply", "--auto-approve")  # nothing in force any more


def test_freeze_status_of_a_store_shows_the_windows_it_recorded(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen_store(env)
    elsewhere = env.root.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert env.ok("freeze", "status", "--at", "2099-12-31T12:00") == (
        "At 2099-12-31 12:00 UTC:\n"
        "No freeze windows (freeze: in opconf.yaml; a store's own: --store or --target): "
        "apply is never blocked.\n"
    )
    out = env.ok("freeze", "status", "--at", "2099-12-31T12:00", "--store", env.url)
    assert out == (
        "At 2099-12-31 12:00 UTC:\n"
        "  deny 'Q4 close' (OpportunityTemplate/*): OPEN since 2000-01-01 00:00 EST"
        " (2000-01-01 05:00 UTC); closes 2100-01-01 00:00 EST (2100-01-01 05:00 UTC)"
        " — quarter-end close\n"
    )
