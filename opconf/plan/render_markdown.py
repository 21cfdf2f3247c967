"""``plan --format markdown``: a PR comment — summary table first, details folded.

GitHub refuses comments over 65,536 characters, so details are cut to a budget and the rest
is summarised.
"""

from __future__ import annotations

from opconf.diagnostics import plural
from opconf.plan.model import Plan, PlanError
from opconf.plan.render_text import change_lines, summary_line
from opconf.visible import visible

BUDGET = 65_536
_RESERVE = 2_000  # room for the closing lines and the overflow note


_MAX_ERRORS = 20  # more would crowd out the changes; the rest are counted


def render(plan: Plan, budget: int = BUDGET) -> str:
    head = [f"### opconf plan — {summary_line(plan)}", ""]
    if plan.changes:
        head += _table(plan)
    if plan.errors:
        head += ["> [!CAUTION]", "> **This plan cannot be applied:**"]
        head += [f"> - {_problem(e)}" for e in plan.errors[:_MAX_ERRORS]]
        if len(plan.errors) > _MAX_ERRORS:
            rest = len(plan.errors) - _MAX_ERRORS
            head.append(f"> - … and {rest} more {'error' if rest == 1 else 'errors'}")
        head.append("")
    if plan.warnings:
        head += ["**Warnings:**"] + [f"- {_problem(w)}" for w in plan.warnings[:_MAX_ERRORS]]
        if len(plan.warnings) > _MAX_ERRORS:
            head.append(f"- … and {len(plan.warnings) - _MAX_ERRORS} more warnings")
        head.append("")
    if plan.destructive:
        keys = ", ".join(f"`{c.kind} {c.key}`" for c in plan.destructive[:10])
        more = f" and {len(plan.destructive) - 10} more" if len(plan.destructive) > 10 else ""
        head += [
            "> [!WARNING]",
            f"> **Destructive:** {keys}{more}. Applying needs `--allow-destructive`.",
            "",
        ]
    head.append(f"Store `{plan.base.store}` at revision {plan.base.revision}.")
    if plan.unmanaged:
        head.append(f"{plural(len(plan.unmanaged), 'unmanaged object')} left alone.")
    head.append(f"Plan digest: `{plan.digest}`")
    text = "\n".join(visible(line) for line in head) + "\n"
    return text + _details(plan, budget - len(text)) if plan.changes else text


def _problem(e: PlanError) -> str:
    where = f"`{e.file}:{e.line}:{e.column}` " if e.file else ""
    return f"{where}`{e.code}` {e.message}"


def _table(plan: Plan) -> list[str]:
    rows = ["| Action | Count |", "|---|---:|"]
    rows += [f"| {action} | {n} |" for action, n in plan.summary().items() if n]
    return [*rows, ""]


def _details(plan: Plan, budget: int) -> str:
    out = ["", "<details><summary>Changes</summary>", "", "```diff"]
    used = sum(len(line) + 1 for line in out) + _RESERVE
    shown = 0
    for change in plan.changes:
        block = change_lines(change)
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            break
        out += block
        used += size
        shown += 1
    out.append("```")
    hidden = len(plan.changes) - shown
    if hidden:
        changes = "change" if hidden == 1 else "changes"
        note = f"{hidden} more {changes} not shown (comment size limit)"
        out.append(f"\n{note}; `opconf show` renders the saved plan whole.")
    out += ["", "</details>", ""]
    return "\n".join(out)


def with_freeze(text: str, note: str) -> str:
    """The comment with a caution banner under its title: a freeze blocks the apply now."""
    title, _, rest = text.partition("\n\n")
    banner = f"> [!CAUTION]\n> **{visible(note[0].upper() + note[1:])}.**\n"
    return f"{title}\n\n{banner}\n{rest}"
