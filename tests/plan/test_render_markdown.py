"""The PR comment (opconf/plan/render_markdown.py): diff blocks GitHub highlights, and user
text that pings nobody."""

from __future__ import annotations

import re

from opconf import markdown as md
from opconf.plan.model import Base, Change, Detail, Plan, PlanError
from opconf.plan.render_markdown import render as render_markdown

BASE = Base(7, "sqlite:///crm.db", {}, "sha256:0", "0", "2026-01-01T00:00:00Z")
ZWJ = "\u200d"


def _template(stages: list[str]) -> dict[str, object]:
    return {
        "key": "loan",
        "name": "Loan",
        "stages": [
            {"key": k, "name": k.title(), "probability": 10, "outcome": "open", "steps": []}
            for k in stages
        ],
    }


PLAN = Plan(
    changes=(
        Change(
            "create",
            "Product",
            "savings",
            None,
            {"key": "savings", "name": "Savings", "type": "deposit"},
        ),
        Change(
            "update",
            "OpportunityTemplate",
            "loan",
            _template(["a", "b", "c"]),
            _template(["b", "a", "d"]),
            details=(
                Detail("set", "name", "Loan", "Loan v2"),
                Detail("remove", "stages[c]", destructive=True),
                Detail("add", "stages[d]", None, 3),
                Detail("move", "stages[b]", 2, 1),
            ),
        ),
        Change("rename", "Product", "cd", {"key": "ui_cd"}, {"key": "cd"}, old_key="ui_cd"),
        Change("delete", "Product", "old_fee", {"key": "old_fee"}, None),
    ),
    base=BASE,
)


def _diff_blocks(markdown: str) -> list[list[str]]:
    return [b.splitlines() for b in re.findall(r"```diff\n(.*?)```", markdown, re.S)]


def test_every_line_of_a_diff_block_starts_with_a_mark_github_highlights() -> None:
    blocks = _diff_blocks(render_markdown(PLAN))
    assert blocks == [
        ['+ Product savings  "Savings"', "+     type: deposit"],
        [
            "! OpportunityTemplate loan  (destructive)",
            '!     name: "Loan" → "Loan v2"',
            "-     stages[c]  [destructive]",
            '+     stages[d] (at position 3) {name: "D", probability: 10, outcome: "open"}',
            "!     stages[b] moved: position 2 → 1",
        ],
        ["! Product cd  (renamed from ui_cd)"],
        ["- Product old_fee  (destructive)"],
    ]


def test_user_text_in_the_comment_pings_nobody() -> None:
    """Mentions, issue references and links in messages (names, the CRM's rows, a freeze's
    reason) reach the comment with a zero-width joiner that breaks them."""
    message = "owned by @acme/bankers (@jdoe), see #123, acme/crm#4, https://x.example, www.x.io"
    plan = Plan(changes=(), base=BASE, errors=(PlanError("OPC302", message),))
    assert f"> - `OPC302` owned by @{ZWJ}acme/bankers (@{ZWJ}jdoe), see #{ZWJ}123, " in (
        render_markdown(plan)
    )
    assert md.text(message) == (
        f"owned by @{ZWJ}acme/bankers (@{ZWJ}jdoe), see #{ZWJ}123, acme/crm#{ZWJ}4, "
        f"https{ZWJ}://x.example, www{ZWJ}.x.io"
    )
    assert md.text("C# and 1# and a @ b") == "C# and 1# and a @ b"  # nothing to break
