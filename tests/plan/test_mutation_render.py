"""The plan as a reviewer reads it (opconf/plan/render*.py), whole: the PR comment's banners,
problem lists and counts, its size budget, and the text plan's lines that no golden case
shows. Plans are built directly, so each test shows exactly the case it pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf.plan.model import Base, Change, Detail, Plan, PlanError
from opconf.plan.render import plan_json, render
from opconf.plan.render_markdown import render as render_markdown
from opconf.plan.render_text import change_lines, summary_line
from opconf.sourcelinks import SourceLinks

BASE = Base(7, "sqlite:///crm.db", {}, "sha256:0", "0", "2026-01-01T00:00:00Z")


def _deletes(n: int) -> tuple[Change, ...]:
    """``n`` deletes of products ``p0`` … (each destructive)."""
    return tuple(Change("delete", "Product", f"p{i}", {"key": f"p{i}"}, None) for i in range(n))


def _errors(n: int, code: str = "OPC301") -> tuple[PlanError, ...]:
    return tuple(PlanError(code, f"problem {i}") for i in range(n))


def test_markdown_shows_errors_warnings_and_destructive_changes_linked(tmp_path: Path) -> None:
    """Errors in a caution banner, warnings listed, each with its place linked to GitHub when
    it has one; the destructive changes named; the unmanaged objects counted."""
    links = SourceLinks("https://github.com/acme/crm/blob/abc", tmp_path, tmp_path)
    plan = Plan(
        changes=_deletes(1),
        base=BASE,
        errors=(
            PlanError("OPC301", "product 'p0' is in use", file="config/a.yaml", line=3, column=5),
            PlanError("OPC302", "stage 'won' holds 2 open opportunities"),
        ),
        warnings=(
            PlanError(
                "OPC212", "sells an inactive product", file="config/b.yaml", line=9, column=3
            ),
        ),
        unmanaged=(("Product", "ui_a"), ("Product", "ui_b")),
    )
    digest = plan.digest
    assert render_markdown(plan, links=links) == (
        "### opconf plan — Plan: 0 to create, 0 to update, 0 to rename, 1 to delete.\n"
        "\n"
        "| Action | Count |\n"
        "|---|---:|\n"
        "| delete | 1 |\n"
        "\n"
        "> [!CAUTION]\n"
        "> **This plan cannot be applied:**\n"
        "> - [`config/a.yaml:3:5`](https://github.com/acme/crm/blob/abc/config/a.yaml#L3) "
        "`OPC301` product 'p0' is in use\n"
        "> - `OPC302` stage 'won' holds 2 open opportunities\n"
        "\n"
        "**Warnings:**\n"
        "- [`config/b.yaml:9:3`](https://github.com/acme/crm/blob/abc/config/b.yaml#L9) "
        "`OPC212` sells an inactive product\n"
        "\n"
        "> [!WARNING]\n"
        "> **Destructive:** `Product p0`. Applying needs `--allow-destructive`.\n"
        "\n"
        "Store `sqlite:///crm.db` at revision 7.\n"
        "2 unmanaged objects left alone.\n"
        f"Plan digest: `{digest}`\n"
        "\n"
        "<details><summary><code>- Product p0  (destructive)</code></summary>\n"
        "\n"
        "```diff\n"
        "- Product p0  (destructive)\n"
        "```\n"
        "\n"
        "</details>\n"
    )


def _listed(prefix: str, code: str) -> list[str]:
    return [f"{prefix}- `{code}` problem {i}" for i in range(20)]


@pytest.mark.parametrize(
    ("errors", "warnings", "block"),
    [
        pytest.param(
            20,
            0,
            ["> [!CAUTION]", "> **This plan cannot be applied:**", *_listed("> ", "OPC301")],
            id="twenty-errors-all-listed",
        ),
        pytest.param(
            21,
            0,
            [
                "> [!CAUTION]",
                "> **This plan cannot be applied:**",
                *_listed("> ", "OPC301"),
                "> - … and 1 more error",
            ],
            id="one-more-error",
        ),
        pytest.param(
            0,
            22,
            ["**Warnings:**", *_listed("", "OPC212"), "- … and 2 more warnings"],
            id="two-more-warnings",
        ),
    ],
)
def test_markdown_lists_twenty_problems_and_counts_the_rest(
    errors: int, warnings: int, block: list[str]
) -> None:
    plan = Plan((), BASE, errors=_errors(errors), warnings=_errors(warnings, "OPC212"))
    lines = render_markdown(plan).splitlines()
    assert lines[:2] == ["### opconf plan — No changes. The store matches the configuration.", ""]
    assert lines[2 : lines.index("Store `sqlite:///crm.db` at revision 7.")] == [*block, ""]


@pytest.mark.parametrize(
    ("n", "named"),
    [
        pytest.param(10, ", ".join(f"`Product p{i}`" for i in range(10)), id="ten-named"),
        pytest.param(
            11, ", ".join(f"`Product p{i}`" for i in range(10)) + " and 1 more", id="one-more"
        ),
    ],
)
def test_markdown_names_ten_destructive_changes_and_counts_the_rest(n: int, named: str) -> None:
    lines = render_markdown(Plan(_deletes(n), BASE)).splitlines()
    i = lines.index("> [!WARNING]")
    assert lines[i + 1 : i + 3] == [
        f"> **Destructive:** {named}. Applying needs `--allow-destructive`.",
        "",
    ]


def test_markdown_shows_every_change_that_fits_its_budget_exactly() -> None:
    """The budget is the comment's size limit less a reserve of 2,000 characters: a change
    whose block fits exactly is shown; one character less and it is summarised (a blank line,
    then a note that points to the whole plan)."""
    plan = Plan(_deletes(2), BASE)
    whole = render_markdown(plan, budget=10**6)
    assert render_markdown(plan, budget=len(whole) - 1 + 2_000) == whole
    first = whole[: whole.index("</details>\n") + len("</details>\n")]
    assert render_markdown(plan, budget=len(whole) - 2 + 2_000) == first + (
        "\n1 more change not shown (comment size limit): the job summary has the whole plan; "
        "`opconf show PLANFILE` renders a saved plan whole.\n"
    )


def test_json_plan_is_indented_by_two_and_keeps_text_as_written() -> None:
    """``--format json`` and the saved plan: two-space indents, a name in any script as
    written (not ``\\u00fc``), a final newline."""
    plan = Plan(
        (Change("create", "Product", "zurich", None, {"key": "zurich", "name": "Zürich"}),), BASE
    )
    assert plan_json(plan) == (
        "{\n"
        '  "format_version": "1.1",\n'
        f'  "digest": "{plan.digest}",\n'
        '  "summary": {\n'
        '    "create": 1,\n'
        '    "update": 0,\n'
        '    "rename": 0,\n'
        '    "delete": 0,\n'
        '    "adopt": 0,\n'
        '    "release": 0\n'
        "  },\n"
        '  "changes": [\n'
        "    {\n"
        '      "action": "create",\n'
        '      "kind": "Product",\n'
        '      "key": "zurich",\n'
        '      "old_key": null,\n'
        '      "destructive": false,\n'
        '      "impact": 0,\n'
        '      "details": [],\n'
        '      "stage_renames": {},\n'
        '      "stage_moves": {},\n'
        '      "reverts": {},\n'
        '      "before": null,\n'
        '      "after": {\n'
        '        "key": "zurich",\n'
        '        "name": "Zürich"\n'
        "      }\n"
        "    }\n"
        "  ],\n"
        '  "errors": [],\n'
        '  "warnings": [],\n'
        '  "unmanaged": [],\n'
        '  "prune": false,\n'
        '  "unchanged": 0,\n'
        '  "rollback_to": null,\n'
        '  "base": {\n'
        '    "revision": 7,\n'
        '    "store": "sqlite:///crm.db",\n'
        '    "rows": {},\n'
        '    "config_digest": "sha256:0",\n'
        '    "tool_version": "0",\n'
        '    "created_at": "2026-01-01T00:00:00Z"\n'
        "  }\n"
        "}\n"
    )


FREEZE = "apply blocked by freeze 'close' until 2027-01-04 00:00 UTC"


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        pytest.param(
            "text",
            "Store: sqlite:///crm.db (revision 7)\nPlan digest: {digest}\n\n"
            "No changes. The store matches the configuration.\n\n"
            "Note: apply blocked by freeze 'close' until 2027-01-04 00:00 UTC.\n",
            id="text-note-last",
        ),
        pytest.param(
            "markdown",
            "### opconf plan — No changes. The store matches the configuration.\n\n"
            "> [!CAUTION]\n> **Apply blocked by freeze 'close' until 2027-01-04 00:00 UTC.**\n\n"
            "Store `sqlite:///crm.db` at revision 7.\nPlan digest: `{digest}`\n",
            id="markdown-banner-under-the-title",
        ),
    ],
)
def test_a_freeze_that_blocks_the_apply_is_said_with_the_plan(fmt: str, shown: str) -> None:
    plan = Plan((), BASE)
    assert render(plan, fmt, freeze=FREEZE) == shown.format(digest=plan.digest)
    assert render(plan, "json", freeze=FREEZE) == plan_json(plan)


def test_the_summary_line_counts_adoptions_and_releases() -> None:
    obj = {"key": "p", "name": "P"}
    changes = (
        Change("adopt", "Product", "p", obj, obj),
        Change("release", "Product", "q", obj, obj),
    )
    assert summary_line(Plan(changes, BASE)) == (
        "Plan: 0 to create, 0 to update, 0 to rename, 0 to delete, 1 to adopt, 1 to release."
    )


def test_only_a_removed_stage_that_holds_opportunities_says_where_they_move() -> None:
    """``stage_moves`` may name stages that hold nothing, or that the change does not remove
    (a saved plan is read as written): no line says their opportunities move."""
    obj = {"key": "t", "name": "T"}
    change = Change(
        "update",
        "OpportunityTemplate",
        "t",
        obj,
        obj,
        details=(
            Detail("remove", "stages[a]", destructive=True, impact=2),
            Detail("remove", "stages[b]", destructive=True),
        ),
        stage_moves={"a": "c", "b": "c", "kept": "c"},
    )
    assert change_lines(change) == [
        "~ OpportunityTemplate t  (destructive)",
        "    - stages[a]  [2 open, destructive]",
        "    - stages[b]  [destructive]",
        "    → 2 open opportunities in stage a move to c",
    ]
