"""``opconf drift`` through the real entry point: exit codes, messages, locks, ignore, JSON."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

import jsonschema
import pytest

from opconf import exitcodes
from opconf.store import Holder

try:
    from plan import helpers as h

    from drift.test_cases import CASES, apply_base, drift
except ImportError:  # tests/ is a package
    from tests.drift.test_cases import CASES, apply_base, drift  # type: ignore[no-redef]
    from tests.plan import helpers as h  # type: ignore[no-redef]

SINCE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
DRIFT_SCHEMA = json.loads((h.ROOT / "schemas" / "drift.schema.json").read_text(encoding="utf-8"))


def apply_in_progress(url: str) -> AbstractContextManager[threading.Event]:
    """Another connection holds the write lock, with half an apply written, until released."""
    half = {**h.managed_objects(url)[("Product", "savings")], "key": "half"}
    return h.lock_held(url, Holder("deploy-bot", "ci-runner", 4242), writing=half)


def test_no_drift_exits_0_even_with_detailed_exitcode(applied: h.Env) -> None:
    run = drift(applied, "--detailed-exitcode")
    assert (run.code, run.err) == (exitcodes.OK, "")
    assert run.out.endswith("\n\nNo drift. The store matches the last apply.\n")
    assert re.fullmatch(
        r"Compared with revision 1, applied [-0-9: ]+ UTC by tester\.", run.out.splitlines()[0]
    )


def test_drift_exits_0_without_detailed_exitcode(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE product SET name = 'Savings+' WHERE key = 'savings'")
    run = drift(applied)
    assert (run.code, run.err) == (exitcodes.OK, "")
    assert run.out.splitlines()[-1] == "Drift: 1 drifted field."


def test_pending_alone_is_not_drift(applied: h.Env) -> None:
    path = applied.root / "config" / "products" / "savings.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Savings", "Savings Plus"), encoding="utf-8"
    )
    run = drift(applied, "--detailed-exitcode")
    assert run.code == exitcodes.OK
    last = "No drift. The store matches the last apply; 1 pending change in the configuration."
    assert run.out.splitlines()[-1] == last


def test_json_output_follows_its_schema(applied: h.Env) -> None:
    h.sql(applied.url, "DELETE FROM coverage_member WHERE user_login = 'bpatel'")
    run = drift(applied, "--format", "json")
    data = json.loads(run.out)
    jsonschema.validate(data, DRIFT_SCHEMA)
    assert data["summary"] == {"drift": 1, "conflict": 0, "new": 0, "pending": 0, "ignored": 0}
    assert data["differences"] == [
        {
            "category": "drift",
            "kind": "CoverageGroup",
            "key": "branch_team",
            "op": "remove",
            "path": "members[bpatel]",
            "config": "advisor",
            "applied": "advisor",
            "live": None,
        }
    ]
    assert data["since"]["revision"] == 1 and data["since"]["actor"] == "tester"


def test_markdown_escapes_names_from_the_crm(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE product SET name = 'a|b <img>' WHERE key = 'savings'")
    run = drift(applied, "--format", "markdown")
    row = '| drift | `Product savings` | `name` | `"Savings"` | `"Savings"` | `"a\\|b <img>"` |'
    assert row in run.out.splitlines()


def test_an_apply_in_progress_is_waited_for_then_reported(applied: h.Env) -> None:
    with apply_in_progress(applied.url):
        started = time.monotonic()
        run = drift(applied, "--lock-timeout", "0.5")
        waited = time.monotonic() - started
    assert run.code == exitcodes.STORE and run.out == ""
    error, hint = run.err.splitlines()
    shown = h.redact(applied.url)
    assert re.fullmatch(
        rf"error: an apply is in progress on {re.escape(shown)}: the store is locked by an apply:"
        rf" actor deploy-bot, host ci-runner, pid 4242, since {SINCE}",
        error,
    ), error
    assert hint == "hint: nothing was read; retry when it has finished, or pass --lock-timeout 60"
    assert waited >= 0.5


def test_drift_reads_after_the_apply_it_waited_for(applied: h.Env) -> None:
    with apply_in_progress(applied.url) as release:
        threading.Timer(0.3, release.set).start()
        run = drift(applied, "--lock-timeout", "20", "--format", "json")
    assert run.code == exitcodes.OK, run
    new = [d["key"] for d in json.loads(run.out)["differences"]]
    assert new == ["half"]  # the apply's product, whole: never half an apply


def test_a_crashed_sqlite_apply_leaves_no_lock_for_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The holder file of a process of this host that is gone: no apply to wait for."""
    env = h.make_env(f"sqlite:///{tmp_path}/store.db", tmp_path / "repo", monkeypatch, capsys)
    apply_base(env, tmp_path)
    shutil.copytree(CASES / "_applied", env.root / "config")
    gone = {"action": "apply", "actor": "x", "host": socket.gethostname(), "pid": 2**22 + 7}
    Path(f"{tmp_path}/store.db.lock.json").write_text(json.dumps(gone), encoding="utf-8")
    assert drift(env).code == exitcodes.OK
    gone["pid"] = os.getpid()  # a live process: an apply in progress
    Path(f"{tmp_path}/store.db.lock.json").write_text(json.dumps(gone), encoding="utf-8")
    assert drift(env).code == exitcodes.STORE


def test_ignore_hides_drift_and_warns_when_expired(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE template_stage SET probability = 15 WHERE key = 'qualify'")
    h.sql(applied.url, "UPDATE product SET name = 'Savings+' WHERE key = 'savings'")
    (applied.root / "opconf.yaml").write_text(
        "drift:\n"
        "  ignore:\n"
        "    - match: OpportunityTemplate/account_*\n"
        "      fields: ['stages[*].probability']\n"
        "      reason: sales tunes probabilities in the CRM\n"
        "    - match: Product/*\n"
        "      reason: the product team owns names this quarter\n"
        "      until: 2020-01-31\n",
        encoding="utf-8",
    )
    run = drift(applied, "--detailed-exitcode")
    assert run.code == exitcodes.CHANGES
    lines = run.out.splitlines()
    assert '    drift     name: config "Savings", applied "Savings", live "Savings+"' in lines
    assert not any("probability" in line for line in lines)
    assert (
        "warning: drift.ignore entry 'Product/*' expired on 2020-01-31: its differences are"
        " reported again (reason was: the product team owns names this quarter)"
    ) in lines
    assert lines[-1] == "Drift: 1 drifted field (1 ignored by drift.ignore)."


def test_an_impossible_until_is_a_located_error(applied: h.Env) -> None:
    (applied.root / "opconf.yaml").write_text(
        "drift:\n  ignore:\n    - {match: Product/*, reason: r, until: 2026-02-30}\n",
        encoding="utf-8",
    )
    run = drift(applied)
    assert run.code == exitcodes.USAGE
    assert (
        "opconf.yaml:3:44: error OPC285 drift.ignore until '2026-02-30' is not a date of the"
        " calendar (YYYY-MM-DD) (drift.ignore[0].until)"
    ) in run.err


def test_accept_only_the_objects_named(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE product SET name = 'Savings+' WHERE key = 'savings'")
    h.sql(applied.url, "UPDATE product SET name = 'Checking+' WHERE key = 'checking'")
    run = drift(applied, "--accept", "Product/sav*")
    assert run.out.splitlines()[:2] == [
        "Accepted 1 change from the CRM into 1 file:",
        "  config/products/savings.yaml",
    ]
    text = (applied.root / "config" / "products" / "savings.yaml").read_text(encoding="utf-8")
    assert "name: Savings+ # the everyday account\n" in text
    left = json.loads(drift(applied, "--format", "json").out)["differences"]
    assert [(d["key"], d["path"]) for d in left] == [("checking", "name")]


def test_accept_of_a_key_change_alone_updates_the_references(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE coverage_group SET key = 'branch_east' WHERE key = 'branch_team'")
    run = drift(applied, "--accept", "CoverageGroup/*")
    assert run.out.splitlines()[:3] == [
        "Accepted 1 change from the CRM into 2 files:",
        "  config/groups/branch_east.yaml (was branch_team.yaml)",
        "  config/templates/account_opening.yaml",
    ]
    config = applied.root / "config"
    assert not (config / "groups" / "branch_team.yaml").exists()
    group = (config / "groups" / "branch_east.yaml").read_text(encoding="utf-8")
    assert "key: branch_east\nname: Branch Team\npreviousKeys: [branch_team]\n" in group
    assert "  # the second advisor covers the afternoons\n" in group
    template = (config / "templates" / "account_opening.yaml").read_text(encoding="utf-8")
    assert "defaultCoverageGroup: branch_east\n" in template
    assert "probability: 10 # agreed with sales\n" in template
    assert drift(applied, "--detailed-exitcode").code == exitcodes.OK
    assert applied.run("plan", "--detailed-exitcode").code == exitcodes.OK


def test_a_key_taken_again_in_the_crm_is_not_a_previous_key(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE product SET key = 'savings_old' WHERE key = 'savings'")
    h.sql(
        applied.url,
        "INSERT INTO product (key, name, type, active)"
        " VALUES ('savings', 'Savings 2', 'deposit', true)",
    )
    run = drift(applied, "--accept")
    assert run.out.splitlines()[:4] == [
        "Accepted 2 changes from the CRM into 3 files:",
        "  config/products/savings_old.yaml (was savings.yaml)",
        "  config/templates/account_opening.yaml",
        "  config/products/savings.yaml",
    ]
    config = applied.root / "config" / "products"
    renamed = (config / "savings_old.yaml").read_text(encoding="utf-8")
    assert "key: savings_old\nname: Savings # the everyday account\ntype" in renamed
    assert "key: savings\nname: Savings 2\n" in (config / "savings.yaml").read_text("utf-8")
    assert drift(applied, "--detailed-exitcode").code == exitcodes.OK


def test_an_object_removed_here_and_changed_in_the_crm_is_a_conflict(applied: h.Env) -> None:
    config = applied.root / "config"
    (config / "products" / "savings.yaml").unlink()
    template = config / "templates" / "account_opening.yaml"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("[checking, savings]", "[checking]"), encoding="utf-8")
    h.sql(applied.url, "UPDATE product SET name = 'Savings+' WHERE key = 'savings'")
    run = drift(applied, "--accept", "--detailed-exitcode")
    assert (run.code, run.out.splitlines()) == (
        exitcodes.CHANGES,
        [
            "Nothing accepted.",
            "Left 1 conflict as the configuration has it (changed here and in the CRM):",
            "  Product savings (removed from the configuration, changed in the CRM)",
            "To take the CRM's values: opconf drift --accept --take crm [KIND/KEY...]",
        ],
    )
    assert not (config / "products" / "savings.yaml").exists()
    run = drift(applied, "--accept", "--take", "crm", "Product/savings")
    assert run.out.splitlines()[:2] == [
        "Accepted 1 change from the CRM into 1 file:",
        "  config/products/savings.yaml",
    ]
    text = (config / "products" / "savings.yaml").read_text(encoding="utf-8")
    assert "key: savings\nname: Savings+\ntype: deposit\n" in text
    assert drift(applied, "--detailed-exitcode").code == exitcodes.OK  # the template: pending


def test_a_key_change_accepted_then_deleted_in_the_crm(applied: h.Env) -> None:
    h.sql(applied.url, "UPDATE product SET key = 'savings_plus' WHERE key = 'savings'")
    assert drift(applied, "--accept").code == exitcodes.OK
    h.sql(applied.url, "DELETE FROM template_product WHERE position = 1")
    h.sql(applied.url, "DELETE FROM product WHERE key = 'savings_plus'")
    found = json.loads(drift(applied, "--format", "json").out)["differences"]
    # Nothing tells the key accepted from the CRM from a rename made in the configuration
    # and not applied yet: deleted there and changed here is a conflict, taken explicitly.
    assert [(d["category"], d["key"], d["path"]) for d in found] == [
        ("conflict", "savings", ""),
        ("drift", "account_opening", "products[savings]"),  # the row, by its applied key
    ]
    run = drift(applied, "--accept")
    assert "Product savings_plus (deleted in the CRM, changed in the configuration)" in run.out, (
        run.out
    )
    assert (applied.root / "config" / "products" / "savings_plus.yaml").exists()
    run = drift(applied, "--accept", "--take", "crm", "Product/savings*")
    assert "  config/products/savings_plus.yaml (removed)" in run.out.splitlines()
    assert drift(applied, "--detailed-exitcode").code == exitcodes.OK
    assert applied.run("plan", "--detailed-exitcode").code == exitcodes.OK


def test_accept_with_nothing_to_accept(applied: h.Env) -> None:
    run = drift(applied, "--accept")
    assert run == (
        exitcodes.OK,
        "Nothing to accept: the configuration has the store's values.\n",
        "",
    )


def test_an_invalid_configuration_is_refused(applied: h.Env) -> None:
    (applied.root / "config" / "products" / "bad.yaml").write_text(
        "kind: Product\n", encoding="utf-8"
    )
    run = drift(applied)
    assert run.code == exitcodes.PROBLEMS and run.out == ""
    assert run.err.splitlines()[-1] == "error: the configuration is invalid; drift was not checked"


def test_an_uninitialised_store_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = h.make_env(f"sqlite:///{tmp_path}/none.db", tmp_path / "repo", monkeypatch, capsys)
    shutil.copytree(CASES / "_applied", env.root / "config")
    run = drift(env)
    assert run.code == exitcodes.STORE
    assert run.err.startswith(
        f"error: no store at sqlite:///{tmp_path}/none.db: no such file\nhint: "
    )


def test_before_the_first_apply_everything_is_pending_and_nothing_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = h.make_env(f"sqlite:///{tmp_path}/demo.db", tmp_path / "repo", monkeypatch, capsys)
    env.ok("store", "init", "--demo")  # the CRM's own objects, never applied
    shutil.copytree(CASES / "_applied", env.root / "config")
    run = drift(env, "--detailed-exitcode", "--format", "json")
    data = json.loads(run.out)
    assert run.code == exitcodes.OK and data["since"] is None
    assert {d["category"] for d in data["differences"]} == {"pending"}
