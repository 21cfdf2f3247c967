"""Golden cases for ``opconf plan`` and ``opconf apply``: one folder per case, both backends.

A case folder under ``tests/cases/plan/`` holds:

- ``case.yaml``: ``description`` (what the case shows), optionally ``seed: demo`` (the store
  starts as ``opconf store init --demo`` leaves it; default: only the demo's CRM reference
  data — users, coverage roles, product types) and ``args`` (extra arguments for plan and
  apply, e.g. ``[--prune]``);
- ``seed.yaml`` (optional): more rows in the demo format (opconf/store/demo.py), seeded as
  *unmanaged* objects, as if made in the CRM's UI, with their opportunities;
- ``before/`` (optional): a configuration applied first
  (``opconf apply --auto-approve --allow-destructive``);
- ``opportunities.yaml`` (optional): opportunities inserted after ``before/`` is applied
  (``[{name, template, stage, product?, status?, amount?}]``, by key);
- ``config/``: the desired configuration; an ``opconf.yaml`` may sit beside it;
- the reviewed results: ``expected.txt`` (``opconf plan`` text output, the store URL shown as
  ``<store>``), ``expected-summary.json`` (the exit code of ``plan --detailed-exitcode``, the
  JSON plan's ``summary`` and its error codes) and ``expected-apply.txt`` (a transcript of
  ``opconf apply --auto-approve``: refused as destructive, it is repeated with
  ``--allow-destructive``; applied, ``plan`` must then show no changes; any opportunities are
  listed at the end).

Adding a case is adding a folder; ``OPCONF_REGEN=1 pytest tests/plan/test_cases.py`` (re)writes
the results, which must then be read and reviewed before committing. Every case runs on SQLite
and PostgreSQL against the same expected files.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from opconf import exitcodes

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

REGEN = os.environ.get("OPCONF_REGEN") == "1"
PLAN_SCHEMA = json.loads((h.ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))


def _cases() -> list[Path]:
    return sorted(p for p in h.CASES.iterdir() if (p / "config").is_dir())


def _spec(case: Path) -> dict[str, Any]:
    file = case / "case.yaml"
    spec = yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None
    assert isinstance(spec, dict) and spec.get("description"), f"{file}: needs a description"
    assert set(spec) <= {"description", "seed", "args"}, f"{file}: unknown fields"
    return spec


def _prepare(env: h.Env, spec: dict[str, Any], tmp_path: Path) -> None:
    """The store as the case starts: seeded, ``before/`` applied, opportunities added."""
    if spec.get("seed") == "demo":
        env.ok("store", "init", "--demo", "--force")
    else:
        files = [h.reference_seed(tmp_path)]
        if (env.root / "seed.yaml").is_file():
            files.append(env.root / "seed.yaml")
        h.seed(env.url, *files)
    if (env.root / "before").is_dir():
        project = h.project_file(env.root, "before.opconf.yaml", "before")
        env.ok("apply", "--auto-approve", "--allow-destructive", project=project)
    opportunities = env.root / "opportunities.yaml"
    if opportunities.is_file():
        h.add_opportunities(env.url, yaml.safe_load(opportunities.read_text(encoding="utf-8")))


def _transcript(env: h.Env, args: list[str], plan_errors: bool) -> str:
    """Apply as a deploy job would, recording each command's exit code and last words."""
    lines: list[str] = []

    def record(*argv: str) -> h.Run:
        before = env.dump()
        result = env.run(*argv, *args)
        lines.append(f"$ opconf {' '.join([*argv, *args])}")
        lines.append(f"exit {result.code}")
        lines.extend(h.normalise(result.err, env.url).splitlines())
        if result.code == exitcodes.OK:
            lines.append(result.out.rstrip("\n").splitlines()[-1])
        else:
            assert env.dump() == before, "a refused apply wrote to the store"
        assert "Traceback" not in result.err
        return result

    result = record("apply", "--auto-approve")
    if result.code == exitcodes.PROBLEMS and not plan_errors:
        assert "--allow-destructive" in result.err
        result = record("apply", "--auto-approve", "--allow-destructive")
    if result.code == exitcodes.OK:
        again = record("plan", "--detailed-exitcode")
        assert again.code == exitcodes.OK, "apply then plan must be empty"
    opportunities = h.opportunity_lines(env.url)
    if opportunities:
        lines += ["opportunities:", *(f"  {line}" for line in opportunities)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(
    case: Path,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = _spec(case)
    work = tmp_path / "case"
    shutil.copytree(case, work)
    env = h.make_env(store_url, work, monkeypatch, capsys)
    _prepare(env, spec, tmp_path)
    args = [str(a) for a in spec.get("args", ())]

    text = env.run("plan", "--detailed-exitcode", *args)
    assert text.err == ""
    as_json = env.run("plan", "--format", "json", *args)
    plan = json.loads(as_json.out)
    jsonschema.validate(plan, PLAN_SCHEMA)
    errors = [e["code"] for e in plan["errors"]]
    summary = {"exit_code": text.code, "summary": plan["summary"], "errors": errors}
    assert as_json.code == (exitcodes.PROBLEMS if errors else exitcodes.OK)
    apply_log = _transcript(env, args, plan_errors=bool(errors))

    results = {
        "expected.txt": h.normalise(text.out, store_url),
        "expected-summary.json": json.dumps(summary, indent=2) + "\n",
        "expected-apply.txt": apply_log,
    }
    for name, actual in results.items():
        expected = case / name
        if REGEN:
            expected.write_text(actual, encoding="utf-8")
            continue
        assert expected.is_file(), f"no {name}: run OPCONF_REGEN=1 pytest {__file__}, review"
        assert actual == expected.read_text(encoding="utf-8"), f"{case.name}/{name}"


def test_every_safety_rule_has_a_case() -> None:
    """Each plan error code of SPEC §5 (and a live reference check) appears in some case."""
    seen = {
        code
        for case in _cases()
        if (case / "expected-summary.json").is_file()
        for code in json.loads((case / "expected-summary.json").read_text())["errors"]
    }
    assert {"OPC301", "OPC302", "OPC303", "OPC304", "OPC250", "OPC251"} <= seen


def test_every_action_has_a_case() -> None:
    """Every action a configuration can cause; `release` comes only from a rollback
    (tests/test_apply.py::test_rollback_past_an_adopt_keeps_the_crm_object)."""
    totals = dict.fromkeys(("create", "update", "rename", "delete", "adopt"), 0)
    for case in _cases():
        summary = json.loads((case / "expected-summary.json").read_text())["summary"]
        assert summary.pop("release") == 0
        for action, n in summary.items():
            totals[action] += n
    assert all(totals.values()), totals
