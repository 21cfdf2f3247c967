"""Golden cases for ``opconf drift``: one folder per case, both backends.

A case folder under ``tests/cases/drift/`` holds ``case.yaml`` (its ``description``, and
``accept``: more arguments of ``drift --accept``, such as ``[--take, crm, Product/x]``),
``edit.sql`` (statements run after the configuration ``_applied/`` — or the case's own
``applied/`` — was applied, as an admin clicking in the CRM: one per line) and optionally
``config/`` (the configuration when drift runs; default: the applied one, unchanged).
``expected.txt`` is the transcript: ``drift --detailed-exitcode`` (exit code and output),
``drift --accept`` and the diff it made to the configuration. After the accept, drift
reports nothing out of band but the conflicts accept left, ``fmt --check`` passes (when it
passed before: a case may hold documents out of fmt's key order), and the
plan changes nothing the CRM made (it adopts an object created there).

Adding a case is adding a folder; ``OPCONF_REGEN=1 pytest tests/drift/test_cases.py``
rewrites the transcripts, which must then be read before committing.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from opconf import exitcodes

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

REGEN = os.environ.get("OPCONF_REGEN") == "1"
CASES = h.ROOT / "tests" / "cases" / "drift"
# What the plan still does after the accept: the configuration's own change, an adopt.
PLANNED_AFTER = {
    "conflict": {("update", "Product", "checking")},  # the configuration's side, left
    "issue18-01-member-by-user": {("update", "CoverageGroup", "wealth_east")},
    "issue18-02-pending-survives": {
        ("create", "Product", "zeta"),
        ("update", "OpportunityTemplate", "onboarding"),
    },
    "issue18-06-pending-conflict": {("update", "OpportunityTemplate", "onboarding")},
    "issue18-07-rename-onto-pending": {  # the conflict left: the configuration's side
        ("create", "Product", "alpha"),
        ("update", "Product", "gamma"),
        ("update", "OpportunityTemplate", "onboarding"),
    },
    "edited-elsewhere": {("update", "OpportunityTemplate", "account_opening")},
    "product-created": {("adopt", "Product", "heloc")},
    "issue18-15-created-both-sides-kept": {  # the conflicts left: the configuration's side
        ("adopt", "Product", "zeta"),
        ("adopt", "CoverageGroup", "wealth_west"),
    },
    "issue18-15-created-both-sides-take-crm": {  # the CRM's objects, now configured
        ("adopt", "Product", "zeta"),
        ("adopt", "CoverageGroup", "wealth_west"),
        ("adopt", "OpportunityTemplate", "express"),
    },
}
_WHEN = re.compile(r"applied \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "edit.sql").is_file())


def normalise(output: str, url: str) -> str:
    return _WHEN.sub("applied <time>", h.normalise(output, url))


def drift(env: h.Env, *args: str) -> h.Run:
    return env.run("drift", *args, "--store", env.url)


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.yaml"))
    }


def _diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The unified diff; a file gone and one come with mostly the same lines: a rename."""
    gone, come = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    renamed = {}
    for old in gone:
        similar = [n for n in come if _similar(before[old], after[n]) and n not in renamed.values()]
        if similar:
            renamed[old] = similar[0]
    lines: list[str] = []
    for name in sorted((set(before) | set(after)) - set(renamed.values())):
        new = renamed.get(name, name)
        lines += difflib.unified_diff(
            before.get(name, "").splitlines(),
            after.get(new, "").splitlines(),
            f"a/{name}",
            f"b/{new}",
            lineterm="",
            n=1,
        )
    return lines


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a.splitlines(), b.splitlines()).ratio() > 0.5


def apply_base(env: h.Env, tmp_path: Path, base: Path = CASES / "_applied") -> None:
    """The demo's reference data, then ``base`` (default ``_applied/``) applied (revision 1)."""
    h.seed(env.url, h.reference_seed(tmp_path))
    shutil.copytree(base, env.root / "applied")
    project = h.project_file(env.root, "applied.opconf.yaml", "applied")
    env.ok("apply", "--auto-approve", project=project)


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(
    case: Path,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    assert set(spec) <= {"description", "accept"}, f"{case}: case.yaml: description, accept"
    options = spec.get("accept", [])  # more arguments of drift --accept
    env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
    base = case / "applied" if (case / "applied").is_dir() else CASES / "_applied"
    apply_base(env, tmp_path, base)
    config = case / "config" if (case / "config").is_dir() else base
    shutil.copytree(config, env.root / "config")
    for statement in (case / "edit.sql").read_text(encoding="utf-8").splitlines():
        if statement.strip():
            h.sql(env.url, statement)

    canonical = env.run("fmt", "--check").code == exitcodes.OK
    found = drift(env, "--detailed-exitcode")
    assert found.err == ""
    before = _files(env.root / "config")
    accepted = drift(env, "--accept", *options)
    assert (accepted.code, accepted.err) == (exitcodes.OK, "")
    lines = [f"# {spec['description']}", "$ opconf drift --detailed-exitcode"]
    lines += [f"exit {found.code}", *normalise(found.out, env.url).splitlines()]
    lines += [" ".join(["$ opconf drift --accept", *options]), *accepted.out.splitlines()]
    lines += _diff(before, _files(env.root / "config"))
    transcript = "\n".join(lines) + "\n"

    after = json.loads(drift(env, "--format", "json").out)["differences"]
    left = [d for d in after if d["category"] != "pending"]  # only the conflicts accept left
    _, _, conflicts = accepted.out.partition("as the configuration has")
    assert all(f"{d['key']}" in conflicts for d in left), (left, accepted.out)
    assert bool(left) == bool(conflicts), (after, accepted.out)
    if canonical:  # accept writes as fmt does (and keeps a document's own key order)
        assert env.run("fmt", "--check").code == exitcodes.OK
    plan = json.loads(env.run("plan", "--format", "json").out)
    actions = {(c["action"], c["kind"], c["key"]) for c in plan["changes"]}
    assert actions <= PLANNED_AFTER.get(case.name, set())
    expected = case / "expected.txt"
    if REGEN:
        expected.write_text(transcript, encoding="utf-8")
    assert transcript == expected.read_text(encoding="utf-8")
