"""``.pre-commit-hooks.yaml`` with the real ``pre-commit``, used as a user uses it: a
``.pre-commit-config.yaml`` naming this repository at a commit, ``pre-commit run`` in a
throwaway git repository. pre-commit installs the hooks the way it does for a user (its own
virtualenv, pip from the configured index).

The checkout is copied once per session into a committed snapshot (the working tree as it is,
uncommitted changes included), and one pre-commit cache serves the session: the hook
environment is installed once (~30 s), every later run reuses it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
GIT = ("git", "-c", "user.name=opconf tests", "-c", "user.email=tests@opconf.invalid")
BAD_PRICE = "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: deposit\nlistPrice: -1\n"
UNFORMATTED = "name: Q\nkey: q\nkind: Product\napiVersion: opconf/v1\ntype:   deposit\n"
FORMATTED = "apiVersion: opconf/v1\nkind: Product\nkey: q\nname: Q\ntype: deposit\n"


class Hooks(NamedTuple):
    snapshot: Path
    rev: str  # the snapshot's commit
    env: dict[str, str]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture(scope="session")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hooks]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.fail("pre-commit is not installed: run scripts/setup (the dev extra)")
    base = tmp_path_factory.mktemp("pre-commit")
    snapshot = base / "opconf"
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    rev = _git(snapshot, "rev-parse", "HEAD").strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPCONF_", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(base / "home")  # not the user's own cache
    env["PATH"] = f"{pre_commit.parent}{os.pathsep}{env.get('PATH', '')}"
    yield Hooks(snapshot, rev, env)


def _repo(hooks: Hooks, tmp_path: Path, files: dict[str, str]) -> Path:
    """A git repository holding ``files`` (staged) and a pre-commit configuration that uses
    both hooks of the snapshot."""
    repo = tmp_path / "crm-config"
    hook_ids = "\n".join(f"      - id: {h}" for h in ("opconf-validate", "opconf-fmt"))
    files = {
        ".pre-commit-config.yaml": f"repos:\n  - repo: {hooks.snapshot}\n"
        f"    rev: {hooks.rev}\n    hooks:\n{hook_ids}\n",
        **files,
    }
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content, encoding="utf-8")
    _git(repo.parent, "init", "-q", repo.name)
    _git(repo, "add", "-A")
    return repo


def _run(hooks: Hooks, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit run ARGS``: as a commit runs the hooks (or ``--all-files``)."""
    argv = ["pre-commit", "run", *args, "--color", "never"]
    return subprocess.run(argv, cwd=repo, env=hooks.env, capture_output=True, text=True)


def _verdict(output: str, name: str) -> str:
    found = re.search(rf"^{re.escape(name)}\.+(Passed|Failed)$", output, re.M)
    assert found, output
    return found.group(1)


def test_hooks_fail_on_planted_problems_then_pass(hooks: Hooks, tmp_path: Path) -> None:
    repo = _repo(
        hooks,
        tmp_path,
        {
            "config/products/bad.yaml": BAD_PRICE,
            "config/products/messy.yaml": UNFORMATTED,
            "notes.yaml": "b: 1\na: 2\n",
        },
    )
    first = _run(hooks, repo, "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert (_verdict(first.stdout, "opconf validate"), _verdict(first.stdout, "opconf fmt")) == (
        "Failed",
        "Failed",
    )
    assert (
        "config/products/bad.yaml:6:12: error OPC106 listPrice must be ≥ 0 (got -1) (listPrice)\n"
    ) in first.stdout
    assert "- files were modified by this hook" in first.stdout
    assert "reformatted config/products/messy.yaml" in first.stdout
    assert (repo / "config/products/messy.yaml").read_text(encoding="utf-8") == FORMATTED
    assert (repo / "notes.yaml").read_text(encoding="utf-8") == "b: 1\na: 2\n"  # not opconf's

    (repo / "config/products/bad.yaml").write_text(BAD_PRICE.replace("-1", "1"), encoding="utf-8")
    _git(repo, "add", "-A")
    second = _run(hooks, repo, "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (_verdict(second.stdout, "opconf validate"), _verdict(second.stdout, "opconf fmt")) == (
        "Passed",
        "Passed",
    )


def test_validate_runs_on_a_commit_that_only_deletes_a_file(hooks: Hooks, tmp_path: Path) -> None:
    """No YAML file is staged when a commit only deletes one, yet the deletion can break the
    configuration: the template still sells the product."""
    template = (
        "apiVersion: opconf/v1\nkind: OpportunityTemplate\nkey: t\nname: T\n"
        "category: product\nentityType: contact\nproducts: [q]\nstages:\n"
        "  - {key: a, name: A, probability: 10}\n"
        "  - {key: won, name: Won, probability: 100, outcome: won}\n"
        "  - {key: lost, name: Lost, probability: 0, outcome: lost}\n"
    )
    repo = _repo(
        hooks,
        tmp_path,
        {"config/products/q.yaml": FORMATTED, "config/templates/t.yaml": template},
    )
    _git(repo, "commit", "-q", "-m", "config")
    _git(repo, "rm", "-q", "config/products/q.yaml")
    run = _run(hooks, repo, "opconf-validate")  # as `git commit` runs it: on what is staged
    assert run.returncode == 1, run.stdout + run.stderr
    assert _verdict(run.stdout, "opconf validate") == "Failed"
    assert (
        "config/templates/t.yaml:7:12: error OPC210 unknown product 'q' (products[0])\n"
    ) in run.stdout
