"""``opconf apply PLANFILE --expect-digest sha256:…``: only the plan that was reviewed is
applied; any other is refused before anything is written (SPEC §9), on both backends."""

from __future__ import annotations

import json

from opconf import exitcodes

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

HINT = (
    "hint: apply the plan that was reviewed (its digest is in the plan's output and the PR "
    "comment), or review this one\n"
)


def _saved_digest(env: h.Env, name: str) -> str:
    digest: str = json.loads((env.root / name).read_text(encoding="utf-8"))["digest"]
    return digest


def test_the_reviewed_plan_is_applied(env: h.Env) -> None:
    env.write(h.small_config())
    planned = env.ok("plan", "--out", "plan.json")
    digest = _saved_digest(env, "plan.json")
    assert f"Plan digest: {digest}\n" in planned
    applied = env.ok("apply", "plan.json", "--expect-digest", digest.upper().replace("SHA", "sha"))
    assert applied.endswith("Apply complete: 3 created (revision 1).\n")
    history = json.loads(env.ok("history", "--format", "json"))
    assert [entry["plan_digest"] for entry in history] == [digest]


def test_another_plan_is_refused_and_nothing_is_written(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "reviewed.json")
    reviewed = _saved_digest(env, "reviewed.json")
    env.write([*h.small_config(), h.product("savings")])
    env.ok("plan", "--out", "other.json")
    other = _saved_digest(env, "other.json")
    before = env.dump()
    result = env.run("apply", "other.json", "--expect-digest", reviewed)
    assert (result.code, result.out) == (exitcodes.PROBLEMS, "")
    assert result.err == (
        f"error: other.json is plan {other}, not the expected {reviewed}\n" + HINT
    )
    assert env.dump() == before


def test_a_malformed_digest_or_no_plan_file_is_a_usage_error(env: h.Env) -> None:
    env.write(h.small_config())
    before = env.dump()
    malformed = env.run("apply", "plan.json", "--expect-digest", "abc123")
    assert malformed.code == exitcodes.USAGE
    assert malformed.err.endswith(
        "error: argument --expect-digest: 'abc123' is not a plan digest "
        "(sha256: and 64 hexadecimal digits)\n"
    )
    unsaved = env.run("apply", "--auto-approve", "--expect-digest", "sha256:" + "0" * 64)
    assert (unsaved.code, unsaved.out) == (exitcodes.USAGE, "")
    assert unsaved.err == (
        "error: --expect-digest needs a saved plan: opconf apply PLANFILE --expect-digest …\n"
        "hint: save the reviewed plan with `opconf plan --out FILE`\n"
    )
    assert env.dump() == before
