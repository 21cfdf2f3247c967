"""Saved plans are untrusted input (opconf/plan/saved.py, trust.py): through the real CLI, on
both backends — an edited, truncated or forged plan is refused with one located line, and the
store is left exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opconf import exitcodes
from opconf.jsontext import digest
from opconf.plan.model import Plan

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

Edit = Callable[[dict[str, Any]], None]
EDITED = "hint: a saved plan is applied exactly as it was reviewed: plan again, do not edit it\n"
NOT_A_PLAN = "hint: save a plan with `opconf plan --out FILE`\n"


def _saved(env: h.Env) -> Path:
    """The small config applied; a saved plan that creates a priced product, updates three."""
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write([h.product("savings", listPrice=12.5), *h.small_config(" v2")])
    env.ok("plan", "--out", "plan.json")
    return env.root / "plan.json"


def _edit(path: Path, edit: Edit, resign: bool = False) -> None:
    """Change the saved plan; ``resign`` recomputes its digest (a forger can, too)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    if resign:
        data["digest"] = digest({k: v for k, v in data.items() if k != "digest"})
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _created(data: dict[str, Any]) -> dict[str, Any]:
    [change] = [c for c in data["changes"] if c["key"] == "savings"]
    assert change["action"] == "create"
    return change


def _set(*path: Any, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target = _created(data)
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _refused(env: h.Env, code: int, err: str) -> None:
    """``apply`` and ``show`` refuse the plan with exactly ``err``; nothing was written."""
    before = (env.dump(), h.revision(env.url))
    for argv in (["apply", "plan.json", "--allow-destructive"], ["show", "plan.json"]):
        result = env.run(*argv)
        assert (result.code, result.err) == (code, err), argv
    assert (env.dump(), h.revision(env.url)) == before


CHANGED = "error: plan.json: the plan was changed after it was saved (its digest does not match)\n"
EDITS: dict[str, Edit] = {
    "tampered name": _set("after", "name", value="Savings \x1b[31mfree"),
    "price written 1e3": _set("after", "listPrice", value="1e3"),
    "edited digest": lambda data: data.update(digest="sha256:" + "0" * 64),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edited_plan_is_refused_and_nothing_written(env: h.Env, name: str) -> None:
    _edit(_saved(env), EDITS[name])
    _refused(env, exitcodes.PROBLEMS, CHANGED + EDITED)


# Edits whose digest was recomputed: the content itself is checked.
FORGERIES: dict[str, tuple[Edit, str]] = {
    "unknown action": (
        _set("action", value="explode"),
        "plan.json:55:17: changes[1].action must be one of: create, update, rename, delete, "
        'adopt, release; got "explode"',
    ),
    "wrong-typed field": (
        _set("impact", value="many"),
        'plan.json:60:17: changes[1].impact must be an integer, not "many"',
    ),
    "unknown field": (
        _set("sneaky", value=True),
        "plan.json:54:5: changes[1] has an unknown field 'sneaky'",
    ),
    "price 1e3": (
        _set("after", "listPrice", value="1e3"),
        'plan.json:72:22: Product savings: listPrice is "1e3", not in the form opconf writes '
        '("1000")',
    ),
    "negative price": (
        _set("after", "listPrice", value="-5"),
        "plan.json:72:22: Product savings: OPC106 listPrice must be ≥ 0 (got -5)",
    ),
    "empty name": (
        _set("after", "name", value=""),
        "plan.json:68:17: Product savings: OPC107 name must not be empty",
    ),
    "missing field": (
        lambda data: _created(data)["after"].pop("active"),
        "plan.json:66:16: Product savings: lacks the field active",
    ),
    "create without object": (
        _set("after", value=None),
        "plan.json:54:5: Product savings: create has no object to write",
    ),
    "price as a number": (
        _set("after", "listPrice", value=12.5),
        "plan.json:72:22: Product savings: listPrice is 12.5, not in the form opconf writes "
        '("12.5")',
    ),
    "previous keys kept": (
        _set("after", "previousKeys", value=["old_savings"]),
        "plan.json:75:25: Product savings: has an unknown field previousKeys",
    ),
    "unknown field, null": (
        _set("after", "sneaky", value=None),
        "plan.json:75:19: Product savings: has an unknown field sneaky",
    ),
    "missing null field": (
        lambda data: _created(data)["after"].pop("description"),
        "plan.json:66:16: Product savings: lacks the field description",
    ),
    "a long price, shown cut to 60 characters": (
        _set("after", "listPrice", value="0" * 70 + "12.5"),
        'plan.json:72:22: Product savings: listPrice is "' + "0" * 59 + ", not in the form "
        'opconf writes ("12.5")',
    ),
    "members out of order": (
        lambda data: data["changes"][2]["after"]["members"].insert(
            0, {"user": "zoë", "role": "advisor"}
        ),
        'plan.json:116:21: CoverageGroup branch_team: members[0].user is "zoë", not in the form '
        'opconf writes ("ajones")',
    ),
    "summary": (
        lambda data: data["summary"].update(create=7),
        "plan.json: the plan is inconsistent: its summary or flags do not match its changes",
    ),
    "a plan field missing": (
        lambda data: data.pop("unmanaged"),
        "plan.json:1:1: the plan lacks the field 'unmanaged'",
    ),
    "an action in another script": (
        _set("action", value="zoë"),
        "plan.json:55:17: changes[1].action must be one of: create, update, rename, delete, "
        'adopt, release; got "zoë"',
    ),
    "an action of 60 characters, shown whole": (
        _set("action", value="x" * 58),
        "plan.json:55:17: changes[1].action must be one of: create, update, rename, delete, "
        f'adopt, release; got "{"x" * 58}"',
    ),
    "an action of 61 characters, shown cut": (
        _set("action", value="x" * 59),
        "plan.json:55:17: changes[1].action must be one of: create, update, rename, delete, "
        f'adopt, release; got "{"x" * 56}...',
    ),
    "a negative revision": (
        lambda data: data["base"].update(revision=-1),
        "plan.json:242:17: base.revision: -1 is less than the minimum of 0",
    ),
    "prune not a boolean": (
        lambda data: data.update(prune="yes"),
        'plan.json:239:12: prune must be true or false, not "yes"',
    ),
    "an old key of a wrong type": (
        _set("old_key", value=5),
        "plan.json:58:18: changes[1].old_key must be a string or null, not 5",
    ),
    "an object before of a wrong type": (
        _set("before", value=[1]),
        "plan.json:65:17: changes[1].before must be an object or null, not [1]",
    ),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_plan_is_refused_and_nothing_written(env: h.Env, name: str) -> None:
    edit, message = FORGERIES[name]
    _edit(_saved(env), edit, resign=True)
    _refused(env, exitcodes.PROBLEMS, f"error: {message}\n" + EDITED)


def test_a_forged_template_must_pass_the_document_rules(env: h.Env) -> None:
    path = _saved(env)

    def stage_key_twice(data: dict[str, Any]) -> None:
        [template] = [c for c in data["changes"] if c["kind"] == "OpportunityTemplate"]
        template["after"]["stages"][1]["key"] = template["after"]["stages"][0]["key"]

    # A rule a project may waive (OPC225: the first stage is open) protects no data and is
    # not a reason to distrust a plan; one that protects data (OPC220) is.
    _edit(path, stage_key_twice, resign=True)
    _refused(
        env,
        exitcodes.PROBLEMS,
        "error: plan.json:209:20: OpportunityTemplate account_opening: OPC220 stage key "
        "'qualify' is already used by stages[0]\n" + EDITED,
    )


def test_a_forged_integer_written_as_a_float_is_refused(env: h.Env) -> None:
    path = _saved(env)

    def float_probability(data: dict[str, Any]) -> None:
        [template] = [c for c in data["changes"] if c["kind"] == "OpportunityTemplate"]
        template["after"]["stages"][0]["probability"] = 10.0

    _edit(path, float_probability, resign=True)
    _refused(
        env,
        exitcodes.PROBLEMS,
        "error: plan.json:203:28: OpportunityTemplate account_opening: stages[0].probability "
        "is 10.0, not in the form opconf writes (10)\n" + EDITED,
    )


def test_a_truncated_plan_is_refused(env: h.Env) -> None:
    path = _saved(env)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:40]) + '    "na', encoding="utf-8")  # cut off mid-write
    _refused(
        env,
        exitcodes.PROBLEMS,
        "error: plan.json:41:5: not an opconf plan: invalid JSON: Unterminated string "
        "starting at (the file ends early: truncated?)\n" + NOT_A_PLAN,
    )


@pytest.mark.parametrize(
    ("text", "err"),
    [
        ("hello\n", "error: plan.json:1:1: not an opconf plan: invalid JSON: Expecting value\n"),
        (
            '{"format_version": "1.0",}\n',
            "error: plan.json:1:26: not an opconf plan: invalid JSON: Expecting property name "
            "enclosed in double quotes\n",
        ),
        ("[1, 2]\n", "error: plan.json: not an opconf plan (no format_version)\n"),
        ('{"changes": []}', "error: plan.json: not an opconf plan (no format_version)\n"),
        (
            '{"format_version": "1.0", "a": 1, "a": 2}',
            'error: plan.json: not an opconf plan: duplicate key "a"\n',
        ),
        (
            '{"format_version": "1.0", "zoë": 1, "zoë": 2}',
            'error: plan.json: not an opconf plan: duplicate key "zoë"\n',
        ),
        (
            '{"format_version": NaN}',
            "error: plan.json: not an opconf plan: NaN is not a JSON number\n",
        ),
        (b"\xff\xfe{}", "error: plan.json: not an opconf plan: not UTF-8 (byte 1)\n"),
    ],
    ids=[
        "not JSON",
        "invalid JSON, not cut off: not called truncated",
        "not an object",
        "an object without format_version",
        "duplicate key",
        "duplicate key in another script",
        "NaN",
        "not UTF-8",
    ],
)
def test_what_is_not_a_plan_is_refused(env: h.Env, text: str | bytes, err: str) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    path = env.root / "plan.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    _refused(env, exitcodes.PROBLEMS, err + NOT_A_PLAN)


@pytest.mark.parametrize("version", ["2.0", "٢.٠"], ids=["2.0", "in another script"])
def test_a_plan_from_another_format_version_is_refused(env: h.Env, version: str) -> None:
    path = _saved(env)
    _edit(path, lambda data: data.update(format_version=version), resign=True)
    _refused(
        env,
        exitcodes.PROBLEMS,
        f'error: plan.json: plan format_version "{version}" is not supported (this opconf '
        "reads 1.1)\n"
        "hint: plan again with this version of opconf\n",
    )


def test_an_untouched_plan_loads_with_its_digest(env: h.Env) -> None:
    path = _saved(env)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["digest"] == digest({k: v for k, v in saved.items() if k != "digest"})
    shown = env.ok("show", "plan.json")
    assert shown.splitlines()[1] == f"Plan digest: {saved['digest']}"
    markdown = env.ok("show", "plan.json", "--format", "markdown")
    assert f"Plan digest: `{saved['digest']}`" in markdown
    env.ok("apply", "plan.json")
    [entry, _] = json.loads(env.ok("history", "--format", "json"))
    assert entry["plan_digest"] == saved["digest"]  # the history names the plan applied


def test_saving_leaves_no_temporary_file_and_fails_in_one_line(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("plan", "--out", "plan.json")
    assert sorted(p.name for p in env.root.iterdir()) == ["config", "plan.json"]
    missing = env.run("plan", "--out", "nowhere/plan.json")
    assert (missing.code, missing.err) == (
        exitcodes.CANTCREAT,
        "error: cannot write nowhere/plan.json: No such file or directory\n"
        "hint: check that the path and its folders exist\n",
    )


def test_an_error_message_never_carries_raw_control_characters(env: h.Env) -> None:
    """A forged base row names a key holding ESC: the stale-plan error shows it escaped."""
    path = _saved(env)
    _edit(path, lambda data: data["base"]["rows"].update({"Product/gh\x1b[2Jost": "x"}), True)
    before = env.dump()
    result = env.run("apply", "plan.json")
    assert result.code == exitcodes.STORE
    assert result.err.startswith(
        "error: the plan is stale: the store moved since it was made (Product gh\\x1b[2Jost "
        "changed)\n"
    )
    assert env.dump() == before


def _change(i: int, **fields: Any) -> Edit:
    """Set ``fields`` of ``changes[i]`` (``SAME_AFTER``: a copy of its ``after``), then the
    summary and flags that follow from the changes: a forger keeps the plan consistent, so
    the change itself must be judged."""

    def edit(data: dict[str, Any]) -> None:
        if fields.get("ghost"):  # the base also says that a product ghost was absent
            data["base"]["rows"]["Product/ghost"] = "absent"
        change = data["changes"][i]
        change.update(
            {
                k: dict(change["after"]) if v is SAME_AFTER else v
                for k, v in fields.items()
                if k != "ghost"
            }
        )
        data.update(Plan.from_dict(data).content())

    return edit


SAME_AFTER = object()
# The saved plan's changes[0] updates the product checking, changes[1] creates savings.
CHECKING, SAVINGS = "plan.json:13:5: Product checking", "plan.json:54:5: Product savings"
FORGED_CHANGES: dict[str, tuple[Edit, str]] = {
    "a key the base does not hold": (
        lambda data: data["base"]["rows"].pop("Product/savings"),
        f"{SAVINGS}: create names an object the plan's base does not hold",
    ),
    "a rename to a key the base does not hold": (
        _change(1, action="rename", key="nowhere", old_key="savings", before=SAME_AFTER),
        "plan.json:54:5: Product nowhere: rename names an object the plan's base does not hold",
    ),
    "a delete that writes": (_change(1, action="delete"), f"{SAVINGS}: delete writes an object"),
    "an update without a before": (
        _change(1, action="update"),
        f"{SAVINGS}: update has no object before",
    ),
    "a create with a before": (
        _change(1, before=SAME_AFTER),
        f"{SAVINGS}: create has an object before",
    ),
    "a rename without an old key": (
        _change(0, action="rename"),
        f"{CHECKING}: rename has no old key",
    ),
    "a create with an old key": (
        _change(1, old_key="savings"),
        f"{SAVINGS}: create has an old key",
    ),
    "a create of an existing object": (
        _change(0, action="create", before=None),
        f"{CHECKING}: create writes an object that exists already",
    ),
    "a rename onto an existing key": (
        _change(1, action="rename", key="checking", old_key="savings", before=SAME_AFTER),
        "plan.json:54:5: Product checking: rename renames onto a key that exists already",
    ),
    "an update of an absent object": (
        _change(1, action="update", before=SAME_AFTER),
        f"{SAVINGS}: update changes an object that does not exist",
    ),
    "a rename of an absent object": (
        _change(1, action="rename", old_key="ghost", before=SAME_AFTER, ghost=True),
        f"{SAVINGS}: rename changes an object that does not exist",
    ),
    "an object of another key": (
        lambda data: data["changes"][0]["after"].update(key="other"),
        f"{CHECKING}: update writes an object of another key",
    ),
}


@pytest.mark.parametrize("name", list(FORGED_CHANGES))
def test_a_forged_change_must_agree_with_its_action_and_base(env: h.Env, name: str) -> None:
    edit, message = FORGED_CHANGES[name]
    _edit(_saved(env), edit, resign=True)
    _refused(env, exitcodes.PROBLEMS, f"error: {message}\n" + EDITED)
