"""A field the plan changes that was edited in the CRM since the last apply is marked: "changed
in the CRM since revision N — this apply reverts it" (opconf/plan/outside.py), in text,
Markdown and JSON, on both backends."""

from __future__ import annotations

import json

import pytest

from opconf.jsontext import digest
from opconf.plan.render_markdown import diff_lines

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

MARK = "changed in the CRM since revision 2 — this apply reverts it"


def _edited_in_the_crm(env: h.Env) -> None:
    """Revision 2 sets the price to 2500; a colleague sets 2700 in the CRM; the PR says 2600."""
    env.write([h.product("jumbo", listPrice=2400)])
    env.ok("apply", "--auto-approve")
    env.write([h.product("jumbo", listPrice=2500)])
    env.ok("apply", "--auto-approve")
    h.sql(env.url, "UPDATE product SET list_price = 2700 WHERE key = 'jumbo'")
    env.write([h.product("jumbo", listPrice=2600, name="Jumbo Loan")])


def test_a_field_edited_in_the_crm_is_marked_in_every_format(env: h.Env) -> None:
    _edited_in_the_crm(env)
    lines = [
        "~ Product jumbo",
        '    ~ name: "Jumbo" → "Jumbo Loan"',
        f"    ~ listPrice: 2700 → 2600  [{MARK}]",
    ]
    text = env.ok("plan", "--out", "plan.json")
    assert "\n".join(f"  {line}" for line in lines) + "\n\n" in text
    markdown = env.ok("plan", "--format", "markdown")
    assert "```diff\n" + "\n".join(diff_lines(lines)) + "\n```" in markdown
    assert f"!     listPrice: 2700 → 2600  [{MARK}]\n" in markdown
    assert (
        "> [!IMPORTANT]\n"
        "> **Reverts edits made in the CRM since revision 2:** `Product jumbo listPrice`.\n"
    ) in markdown
    [change] = json.loads(env.ok("plan", "--format", "json"))["changes"]
    assert change["reverts"] == {"listPrice": 2}
    shown = env.ok("show", "plan.json")
    assert f"    ~ listPrice: 2700 → 2600  [{MARK}]\n" in shown
    applied = env.ok("apply", "plan.json")
    assert f"    ~ listPrice: 2700 → 2600  [{MARK}]\n" in applied


def test_a_saved_plan_is_marked_by_the_store_it_is_applied_to(env: h.Env) -> None:
    """The mark is derived again when the plan is applied: an edit in the CRM after the plan
    was saved makes the plan stale; a mark removed from the file comes back."""
    _edited_in_the_crm(env)
    env.ok("plan", "--out", "plan.json")
    path = env.root / "plan.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["changes"][0]["reverts"] = {}
    data["digest"] = digest({k: v for k, v in data.items() if k != "digest"})
    path.write_text(json.dumps(data), encoding="utf-8")
    assert MARK not in env.ok("show", "plan.json")
    assert f"    ~ listPrice: 2700 → 2600  [{MARK}]\n" in env.ok("apply", "plan.json")


def test_no_mark_without_an_edit_in_the_crm(env: h.Env) -> None:
    env.write([h.product("jumbo", listPrice=2500)])
    env.ok("apply", "--auto-approve")
    env.write([h.product("jumbo", listPrice=2600)])
    assert "    ~ listPrice: 2500 → 2600\n" in env.ok("plan")


def test_the_snapshot_is_read_once_and_only_for_a_plan_that_updates(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing a snapshot costs about as much as reading the store: paid only when needed."""
    from opconf.store import Store

    env.write([h.product("jumbo", listPrice=2500)])
    env.ok("apply", "--auto-approve")
    reads: list[int] = []
    real = Store.snapshot
    monkeypatch.setattr(Store, "snapshot", lambda self, r: reads.append(r) or real(self, r))
    env.write([h.product("jumbo", listPrice=2500), h.product("savings")])
    env.ok("plan")
    assert reads == []  # a create only
    env.write([h.product("jumbo", listPrice=2600), h.product("savings", name="S")])
    env.ok("plan")
    assert reads == [1]
