"""``opconf plan`` and ``opconf show`` through the real entry point: exit codes, saved plans,
the JSON and Markdown formats, and the errors a deploy job meets (SPEC §5, §8)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.plan.render_markdown import BUDGET

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]
try:
    from tests import pg
except ImportError:
    import pg  # type: ignore[no-redef]

PLAN_SCHEMA = json.loads((h.ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
NO_CHANGES = h.NO_CHANGES


@pytest.fixture
def bare(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> h.Env:
    """A config repo and an empty, uninitialised store."""
    return h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)


# --- exit codes -------------------------------------------------------------------------------


def test_detailed_exitcode_is_0_1_or_2(env: h.Env) -> None:
    env.write(h.small_config())
    assert env.run("plan").code == exitcodes.OK  # changes, but no detail asked for
    changes = env.run("plan", "--detailed-exitcode")
    assert (changes.code, changes.err) == (exitcodes.CHANGES, "")
    assert changes.out.endswith("Plan: 3 to create, 0 to update, 0 to rename, 0 to delete.\n")

    env.ok("apply", "--auto-approve")
    same = env.run("plan", "--detailed-exitcode")
    assert (same.code, same.err) == (exitcodes.OK, "")
    assert same.out.splitlines()[-1] == NO_CHANGES

    env.write([*h.small_config(), h.product("crypto_wallet", type="crypto")])
    error = env.run("plan", "--detailed-exitcode")
    assert (error.code, error.err) == (exitcodes.PROBLEMS, "")
    assert "OPC253 unknown product type 'crypto'" in error.out


def test_detailed_exitcode_never_0_or_2_for_store_and_usage_errors(bare: h.Env) -> None:
    bare.write(h.small_config())
    store = bare.run("plan", "--detailed-exitcode")
    assert store.code == exitcodes.STORE
    usage = bare.run("plan", "--detailed-exitcode", "--format", "yaml")
    assert usage.code == exitcodes.USAGE
    assert "invalid choice: 'yaml'" in usage.err


# --- saved plans and show ---------------------------------------------------------------------


def test_saved_plan_is_shown_as_planned(env: h.Env) -> None:
    env.write(h.small_config())
    planned = env.run("plan", "--out", "plan.json")
    assert (planned.code, planned.err) == (0, "")
    saved_note = "\nSaved the plan to plan.json; apply exactly it with `opconf apply plan.json`.\n"
    assert planned.out.endswith(saved_note)

    shown = env.ok("show", "plan.json")
    assert planned.out == shown + saved_note
    as_json = env.ok("show", "plan.json", "--format", "json")
    assert as_json == (env.root / "plan.json").read_text(encoding="utf-8")
    markdown = env.ok("show", "plan.json", "--format", "markdown")
    assert markdown.startswith("### opconf plan — Plan: 3 to create, 0 to")


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_show_renders_a_saved_plan_like_plan_did(env: h.Env, fmt: str) -> None:
    env.write(h.small_config())
    planned = env.ok("plan", "--format", fmt, "--out", "plan.json")
    assert env.ok("show", "plan.json", "--format", fmt) == planned
    if fmt == "json":
        assert planned == (env.root / "plan.json").read_text(encoding="utf-8")


def test_show_refuses_what_is_not_a_plan(env: h.Env) -> None:
    missing = env.run("show", "nowhere.json")
    assert (missing.code, missing.err) == (
        exitcodes.USAGE,
        "error: plan file nowhere.json does not exist\n"
        "hint: save a plan with `opconf plan --out FILE`\n",
    )
    (env.root / "other.json").write_text('{"format_version": "0.1"}', encoding="utf-8")
    other = env.run("show", "other.json")
    assert (other.code, other.err) == (
        exitcodes.PROBLEMS,
        'error: other.json: plan format_version "0.1" is not supported (this opconf reads 1.1)\n'
        "hint: plan again with this version of opconf\n",
    )


# --- JSON -------------------------------------------------------------------------------------


def test_json_plan_validates_against_its_schema(env: h.Env) -> None:
    """Every action, details, errors and unmanaged objects, as printed and as saved."""
    env.write(
        [
            *h.small_config(),
            h.product("old_fee"),
            h.product("to_rename"),
            h.group("visible", visibility="public"),
        ]
    )
    env.ok("apply", "--auto-approve")
    h.sql(
        env.url,
        "DELETE FROM opconf_owned WHERE kind = 'Product'"
        " AND row_id = (SELECT id FROM product WHERE key = 'old_fee')",
    )
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('ui_made', 'UI made', 'deposit', true)",
    )
    env.write(
        [
            *h.small_config(" v2"),
            h.product("old_fee", name="Old Fee Adopted"),
            h.product("renamed", previousKeys=["to_rename"]),
            h.product("brand_new", listPrice=12.5),
            h.group("visible", visibility="private"),  # OPC303
        ]
    )
    printed = env.run("plan", "--format", "json", "--out", "plan.json")
    assert printed.code == exitcodes.PROBLEMS
    plan = json.loads(printed.out)
    assert plan == json.loads((env.root / "plan.json").read_text(encoding="utf-8"))
    jsonschema.validate(plan, PLAN_SCHEMA)
    assert plan["format_version"] == "1.1"
    assert plan["summary"] == {
        "create": 1,
        "update": 4,
        "rename": 1,
        "delete": 0,
        "adopt": 1,
        "release": 0,
    }
    assert [e["code"] for e in plan["errors"]] == ["OPC303"]
    assert plan["unmanaged"] == [{"kind": "Product", "key": "ui_made"}]
    assert plan["base"]["revision"] == 1
    assert plan["base"]["store"] == h.redact(env.url)
    assert set(plan["base"]["rows"]) >= {"Product/renamed", "Product/to_rename"}

    broken = {**plan, "summary": {**plan["summary"], "create": -1}}
    with pytest.raises(jsonschema.ValidationError):  # the schema does constrain the format
        jsonschema.validate(broken, PLAN_SCHEMA)


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_summary_banner_and_folded_details(env: h.Env) -> None:
    env.write([*h.small_config(), h.product("old_fee")])
    env.ok("apply", "--auto-approve")
    env.write([*h.small_config(" v2"), h.product("savings")])
    markdown = env.ok("plan", "--format", "markdown", "--out", "plan.json")
    store = h.redact(env.url)
    digest = json.loads((env.root / "plan.json").read_text(encoding="utf-8"))["digest"]
    assert markdown == (
        "### opconf plan — Plan: 1 to create, 3 to update, 0 to rename, 1 to delete.\n"
        "\n"
        "| Action | Count |\n"
        "|---|---:|\n"
        "| create | 1 |\n"
        "| update | 3 |\n"
        "| delete | 1 |\n"
        "\n"
        "> [!WARNING]\n"
        "> **Destructive:** `Product old_fee`. Applying needs `--allow-destructive`.\n"
        "\n"
        f"Store `{store}` at revision 1.\n"
        f"Plan digest: `{digest}`\n"
        + "".join(
            f"\n<details><summary><code>{summary}</code></summary>\n\n```diff\n{body}```\n\n"
            "</details>"
            for summary, body in [
                (
                    "~ Product checking",
                    '! Product checking\n!     name: "Checking" → "Checking v2"\n',
                ),
                (
                    "+ Product savings  &quot;Savings&quot;",
                    '+ Product savings  "Savings"\n+     type: deposit\n',
                ),
                (
                    "~ CoverageGroup branch_team",
                    '! CoverageGroup branch_team\n!     name: "Branch Team" → "Branch Team v2"\n',
                ),
                (
                    "~ OpportunityTemplate account_opening",
                    '! OpportunityTemplate account_opening\n!     name: "Opening" → "Opening v2"\n',
                ),
                ("- Product old_fee  (destructive)", "- Product old_fee  (destructive)\n"),
            ]
        )
        + "\n"
    )


def test_markdown_without_changes_is_one_line_and_the_store(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    markdown = env.ok("plan", "--format", "markdown", "--out", "plan.json")
    digest = json.loads((env.root / "plan.json").read_text(encoding="utf-8"))["digest"]
    assert markdown == (
        f"### opconf plan — {NO_CHANGES}\n\n"
        f"Store `{h.redact(env.url)}` at revision 1.\n"
        f"Plan digest: `{digest}`\n"
    )
    assert "<details>" not in markdown and "[!WARNING]" not in markdown


def _bulk_products(n: int, **fields: object) -> list[h.Obj]:
    return [
        h.product(f"p_{i:05d}", name=f"Product number {i}", description="x" * 40, **fields)
        for i in range(n)
    ]


def test_markdown_of_a_huge_plan_stays_under_the_comment_limit(env: h.Env) -> None:
    h.write_bundle(env.root / "config" / "all.yaml", _bulk_products(3000))
    markdown = env.ok("plan", "--format", "markdown")
    assert len(markdown) < BUDGET == 65_536
    assert "| create | 3000 |" in markdown  # the summary counts everything
    shown = len(re.findall(r"^\+ Product p_\d{5}  ", markdown, flags=re.MULTILINE))
    hidden = re.search(r"^([\d,]+) more changes not shown \(comment size limit\): ", markdown, re.M)
    assert hidden is not None and shown > 100
    assert shown + int(hidden.group(1).replace(",", "")) == 3000
    assert markdown.endswith(
        ": the job summary has the whole plan; `opconf show PLANFILE` renders a saved plan whole.\n"
    )


def test_markdown_of_a_plan_with_thousands_of_errors_stays_under_the_limit(env: h.Env) -> None:
    h.write_bundle(env.root / "config" / "all.yaml", _bulk_products(3000, type="crypto"))
    result = env.run("plan", "--format", "markdown")
    assert result.code == exitcodes.PROBLEMS
    assert len(result.out) < BUDGET


# --- store errors -----------------------------------------------------------------------------


def test_plan_on_an_uninitialised_store_is_one_line(bare: h.Env) -> None:
    bare.write(h.small_config())
    result = bare.run("plan")
    assert (result.code, result.out) == (exitcodes.STORE, "")
    assert result.err == h.not_ready(bare.url)


@pytest.mark.postgres
def test_apply_never_initialises_postgresql(
    pg_cluster: pg.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = pg_cluster.create_database()
    try:
        env = h.make_env(pg_cluster.url(name), tmp_path, monkeypatch, capsys)
        env.write(h.small_config())
        result = env.run("apply", "--auto-approve")
        assert result.code == exitcodes.STORE
        assert result.err == (
            f"error: store at {env.url} is not initialised\nhint: run `opconf store init`\n"
        )
        assert h.dump(env.url) == {}  # not a table was created
    finally:
        pg_cluster.drop_database(name)


def test_apply_initialises_the_embedded_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The embedded default initialises itself; reference checks then find no users."""
    env = h.make_env(f"sqlite:///{tmp_path}/.opconf/store.db", tmp_path, monkeypatch, capsys)
    env.write([h.product("checking")])
    code = main(["apply", "--auto-approve"])  # no --store: the built-in default
    assert code == exitcodes.PROBLEMS  # no product types in an empty CRM
    assert "OPC253 unknown product type 'deposit'" in capsys.readouterr().out
    assert h.revision(env.url) == 0


def test_apply_to_a_mistyped_sqlite_path_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the embedded default makes itself: any other missing file is a mistake to name."""
    env = h.make_env(f"sqlite:///{tmp_path}/.opconf/typo.db", tmp_path, monkeypatch, capsys)
    env.write([h.product("checking")])
    result = env.run("apply", "--auto-approve")
    assert (result.code, result.out, result.err) == (exitcodes.STORE, "", h.not_ready(env.url))
    assert not (tmp_path / ".opconf").exists()


def test_an_unsupported_store_url_is_a_usage_error(env: h.Env) -> None:
    result = env.run("plan", "--store", "mysql://app:hunter2@db/crm")
    assert (result.code, result.out) == (exitcodes.USAGE, "")
    assert result.err == (
        "error: unsupported store URL mysql://app:***@db/crm\n"
        "hint: use sqlite:///path/to/store.db or postgresql://user@host/database\n"
    )


@pytest.mark.postgres
def test_wrong_password_is_redacted(
    pg_cluster: pg.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "Wr0ng-Pa55word"
    url = pg_cluster.url("postgres", user=pg.PASSWORD_ROLE, password=secret)
    env = h.make_env(url, tmp_path, monkeypatch, capsys)
    env.write(h.small_config())
    for command in (("plan",), ("apply", "--auto-approve"), ("history",)):
        result = env.run(*command)
        assert result.code == exitcodes.STORE, command
        assert secret not in result.err + result.out
        assert result.err.startswith(
            f"error: cannot connect to postgresql://{pg.PASSWORD_ROLE}:***@127.0.0.1:"
        )
        assert "password authentication failed" in result.err
        assert "Traceback" not in result.err
        assert len(result.err.splitlines()) == 2  # the error and a hint
        assert result.err.splitlines()[1] == (
            "hint: check the user name and password of the store URL"
        )


@pytest.mark.postgres
def test_unreachable_server_is_one_line_and_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://app:Sup3r-Secret@127.0.0.1:{pg.free_port()}/crm"
    env = h.make_env(url, tmp_path, monkeypatch, capsys)
    env.write(h.small_config())
    result = env.run("plan")
    assert result.code == exitcodes.STORE
    assert "Sup3r-Secret" not in result.err
    assert result.err.startswith("error: cannot connect to postgresql://app:***@127.0.0.1:")
    assert "refused" in result.err.lower()
    assert result.err.splitlines()[1] == (
        "hint: check that the database server is running and the URL's host and port"
    )
    assert len(result.err.splitlines()) == 2


@pytest.mark.postgres
def test_plan_and_saved_plan_never_hold_the_password(
    pg_cluster: pg.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = pg_cluster.create_database()
    try:
        url = pg_cluster.url(name, user=pg.PASSWORD_ROLE, password=pg.PASSWORD)
        h.seed(url, h.reference_seed(tmp_path))
        env = h.make_env(url, tmp_path / "repo", monkeypatch, capsys)
        env.write(h.small_config())
        outputs = [
            env.ok("plan", "--out", "plan.json", "--format", fmt)
            for fmt in ("text", "json", "markdown")
        ]
        outputs.append((env.root / "plan.json").read_text(encoding="utf-8"))
        outputs.append(env.ok("apply", "plan.json"))
        outputs.append(env.ok("history", "--format", "json"))
        assert outputs[0].startswith(f"Store: postgresql://{pg.PASSWORD_ROLE}:***@127.0.0.1:")
        for output in outputs:
            assert pg.PASSWORD not in output
    finally:
        pg_cluster.drop_database(name)


# --- invalid configuration --------------------------------------------------------------------

INVALID = """\
apiVersion: opconf/v1
kind: Product
key: Bad Key
name: P1
type: deposit
---
apiVersion: opconf/v1
kind: OpportunityTemplate
key: t1
name: T1
category: product
entityType: contact
products: [p9]
stages:
  - {key: s1, name: S1, probability: 50}
  - {key: won, name: Won, probability: 90, outcome: won}
  - {key: lost, name: Lost, probability: 0, outcome: lost}
"""
DIAGNOSTICS = """\
config/a.yaml:3:6: error OPC105 "Bad Key" is not a valid key: letters, digits, _, - and ., \
starting with a letter or digit, not ending in ., at most 128 characters (key)
config/a.yaml:13:12: error OPC210 unknown product 'p9' (products[0])
config/a.yaml:16:40: error OPC226 a won stage has probability 100, not 90 (stages[1].probability)
3 errors, 0 warnings in 1 file (2 objects checked)
"""


def test_invalid_configuration_is_neither_planned_nor_applied(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([])
    (env.root / "config" / "a.yaml").write_text(INVALID, encoding="utf-8")
    before = env.dump()
    plan = env.run("plan", "--out", "plan.json")
    assert (plan.code, plan.out) == (exitcodes.PROBLEMS, "")
    assert plan.err == DIAGNOSTICS + "error: the configuration is invalid; nothing was planned\n"
    assert not (env.root / "plan.json").exists()
    apply = env.run("apply", "--auto-approve", "--allow-destructive")
    assert (apply.code, apply.out) == (exitcodes.PROBLEMS, "")
    assert apply.err == DIAGNOSTICS + "error: the configuration is invalid; nothing was applied\n"
    assert env.dump() == before


def test_invalid_configuration_does_not_create_a_sqlite_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = h.make_env(f"sqlite:///{tmp_path}/new/store.db", tmp_path, monkeypatch, capsys)
    (env.root / "config").mkdir()
    (env.root / "config" / "a.yaml").write_text(INVALID, encoding="utf-8")
    assert env.run("apply", "--auto-approve").code == exitcodes.PROBLEMS
    assert not (tmp_path / "new").exists()


# --- plan content that is not golden-case material --------------------------------------------


def test_prune_flag_and_project_setting_agree(env: h.Env) -> None:
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('ui_made', 'UI made', 'deposit', true)",
    )
    env.write(h.small_config())
    listed = env.ok("plan")
    assert "Unmanaged, left alone (--prune would delete them): Product ui_made\n" in listed
    pruned = env.ok("plan", "--prune")
    assert "  - Product ui_made  (destructive)\n" in pruned
    (env.root / "opconf.yaml").write_text("prune: true\n", encoding="utf-8")
    # The same plan, made a moment later (the digest covers the time it was made).
    assert h.normalise(env.ok("plan"), env.url) == h.normalise(pruned, env.url)


def test_plan_shows_validation_warnings(env: h.Env) -> None:
    env.write(
        [
            h.product("retired", active=False),
            h.template("sells_retired", products=["retired"]),
        ]
    )
    out = env.ok("plan")
    assert (
        "Warnings:\n  config/templates/sells_retired.yaml:20:3: "
        "OPC212 active template sells inactive product 'retired'\n"
    ) in out


def test_plan_of_an_empty_config_folder_lists_what_the_store_holds(env: h.Env) -> None:
    """Before the first document (adopting a CRM): not an error, the store's objects are
    listed as unmanaged; a missing folder is still a usage error."""
    from opconf.canonical import canonical
    from opconf.store import Holder, Store

    store = Store(env.url)
    with store.writer(Holder.local("crm")) as writer:
        writer.create("Product", canonical("Product", h.product("checking")), managed=False)
    store.close()
    (env.root / "config").mkdir()
    result = env.run("plan")
    assert (result.code, result.err) == (exitcodes.OK, ""), result
    assert result.out.endswith(
        f"\n\nUnmanaged, left alone (--prune would delete them): Product checking\n\n{NO_CHANGES}\n"
    )
    (env.root / "config").rmdir()
    result = env.run("plan")
    assert (result.code, result.err) == (
        exitcodes.USAGE,
        f"error: path {env.root / 'config'} does not exist (no opconf.yaml here or in any folder"
        " above)\nhint: start a project with `opconf init`, or run opconf in the project's"
        " folder\n",
    )
