"""``plan --format markdown``: a PR comment — summary line and table first, a folded block of
details per object, a hidden marker naming the target (with ``--target``).

GitHub refuses comments over 65,536 characters, so details are cut to a budget and the rest
is summarised, with a pointer to the job summary. User text (names, keys, messages, the store)
goes through :mod:`opconf.markdown`: it cannot break the layout or inject HTML.
"""

from __future__ import annotations

import html

from opconf import markdown as md
from opconf.diagnostics import plural
from opconf.plan.model import Change, Plan, PlanError
from opconf.plan.render_text import PARTIAL, change_lines, summary_line
from opconf.sourcelinks import SourceLinks

BUDGET = 65_536
_RESERVE = 2_000  # room for the closing lines and the overflow note
_MAX_ERRORS = 20  # more would crowd out the changes; the rest are counted


def marker(target: str | None) -> list[str]:
    """The hidden line that names the comment of one target's plan (none without a target)."""
    return [md.comment_marker(f"plan/{target}")] if target else []


def render(
    plan: Plan,
    budget: int = BUDGET,
    *,
    target: str | None = None,
    links: SourceLinks | None = None,
) -> str:
    head = [*marker(target), f"### opconf plan — {summary_line(plan)}", ""]
    if plan.base.select:
        patterns = " ".join(md.code(f"--select {p}") for p in plan.base.select)
        head += ["> [!NOTE]", f"> **Partial plan** ({patterns}): {PARTIAL}", ""]
    if plan.changes:
        head += _table(plan)
    if plan.errors:
        head += ["> [!CAUTION]", "> **This plan cannot be applied:**"]
        head += [f"> {line}" for line in problems(plan.errors, "error", links)]
        head.append("")
    if plan.warnings:
        head += ["**Warnings:**", *problems(plan.warnings, "warning", links), ""]
    if plan.destructive:
        keys = ", ".join(md.code(f"{c.kind} {c.key}") for c in plan.destructive[:10])
        more = f" and {len(plan.destructive) - 10} more" if len(plan.destructive) > 10 else ""
        head += [
            "> [!WARNING]",
            f"> **Destructive:** {keys}{more}. Applying needs `--allow-destructive`.",
            "",
        ]
    head += _reverted(plan)
    head.append(f"Store {md.code(plan.base.store)} at revision {plan.base.revision}.")
    if plan.unmanaged:
        head.append(f"{plural(len(plan.unmanaged), 'unmanaged object')} left alone.")
    head.append(f"Plan digest: `{plan.digest}`")
    text = "\n".join(head) + "\n"
    return text + _details(plan, budget - len(text), links) if plan.changes else text


def _reverted(plan: Plan) -> list[str]:
    """A banner naming the fields edited in the CRM since the last apply that the plan puts
    back (each is marked in its change's block too)."""
    edits = [(c, path, n) for c in plan.changes for path, n in c.reverts.items()]
    if not edits:
        return []
    names = ", ".join(md.code(f"{c.kind} {c.key} {path}") for c, path, _ in edits[:10])
    more = f" and {len(edits) - 10} more" if len(edits) > 10 else ""
    since = ", ".join(sorted({str(n) for _, _, n in edits}))
    return [
        "> [!IMPORTANT]",
        f"> **Reverts edits made in the CRM since revision {since}:** {names}{more}.",
        "",
    ]


def problems(errors: tuple[PlanError, ...], noun: str, links: SourceLinks | None) -> list[str]:
    """List items ``place CODE message``, at most ``_MAX_ERRORS`` and a count of the rest."""
    out = [f"- {_problem(e, links)}" for e in errors[:_MAX_ERRORS]]
    if len(errors) > _MAX_ERRORS:
        out.append(f"- … and {plural(len(errors) - _MAX_ERRORS, f'more {noun}')}")
    return out


def _problem(e: PlanError, links: SourceLinks | None) -> str:
    place = md.code(f"{e.file}:{e.line}:{e.column}") if e.file else ""
    if place and links:
        place = md.link(place, links.line(e.file, e.line))
    return f"{place + ' ' if place else ''}{md.code(e.code)} {md.text(e.message)}"


def _table(plan: Plan) -> list[str]:
    rows = ["| Action | Count |", "|---|---:|"]
    rows += [f"| {action} | {n} |" for action, n in plan.summary().items() if n]
    return [*rows, ""]


def folded(change: Change) -> list[str]:
    """One object's change: its headline as the summary, the diff lines folded under it."""
    lines = change_lines(change)
    summary = f"<details><summary><code>{html.escape(lines[0])}</code></summary>"
    return [summary, "", *md.fence(diff_lines(lines), "diff"), "", "</details>"]


# GitHub highlights a diff block by the first character of each line: + added, - removed,
# ! changed. The text plan's ~ (update) and → (rename, move) read as changed.
_MARK = {"+": "+", "-": "-", "~": "!", "→": "!"}


def diff_lines(lines: list[str]) -> list[str]:
    """The text plan's lines of one change with their symbol moved to the first column; the
    lines of a new object (no symbol of their own) are marked as its headline is."""
    out = []
    for line in lines:
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        symbol, _, rest = body.partition(" ")
        if symbol in _MARK:
            out.append(f"{_MARK[symbol]} {indent}{rest}")
        else:
            out.append(f"{_MARK[lines[0][0]]} {indent}{body}")
    return out


def _details(plan: Plan, budget: int, links: SourceLinks | None) -> str:
    out = [""]
    used = _RESERVE
    shown = 0
    for change in plan.changes:
        block = folded(change)
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            break
        out += block
        used += size
        shown += 1
    hidden = len(plan.changes) - shown
    if hidden:
        summary = md.link("the job summary", links.run if links else None)
        out += [
            "",
            f"{plural(hidden, 'more change')} not shown (comment size limit): {summary} has "
            "the whole plan; `opconf show PLANFILE` renders a saved plan whole.",
        ]
    return "\n".join([*out, ""])


def with_freeze(text: str, note: str) -> str:
    """The comment with a caution banner under its title: a freeze blocks the apply now."""
    title, _, rest = text.partition("\n\n")
    banner = f"> [!CAUTION]\n> **{md.text(note[0].upper() + note[1:])}.**\n"
    return f"{title}\n\n{banner}\n{rest}"
