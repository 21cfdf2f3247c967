"""``--format markdown``: the problems as a table, for a PR comment (and for a plan that could
not be made: ``plan --format markdown`` on an invalid configuration shows why).

Places link to the line on GitHub inside GitHub Actions; user text is escaped
(:mod:`opconf.markdown`); the comment stays under GitHub's 65,536 characters.
"""

from __future__ import annotations

from opconf import markdown as md
from opconf.diagnostics import Diagnostic, plural
from opconf.report.text import summary
from opconf.sourcelinks import SourceLinks
from opconf.validate import ValidationResult

BUDGET = 65_536
_RESERVE = 1_000  # the note on what was left out


def render(
    result: ValidationResult,
    strict: bool,
    *,
    title: str = "opconf validate",
    marker: tuple[str, ...] | list[str] = (),
    links: SourceLinks | None = None,
) -> str:
    verdict = "valid" if result.valid(strict) else "invalid"
    head = list(marker)
    head += [f"### {title} — the configuration is {verdict}: {summary(result)}", ""]
    if not result.diagnostics:
        return "\n".join(head[:-1]) + "\n"
    rows = ["| Place | Severity | Code | Message |", "|---|---|---|---|"]
    used = sum(len(line) + 1 for line in head + rows) + _RESERVE
    shown = 0
    for d in result.diagnostics:
        row = _row(d, links)
        if used + len(row) + 1 > BUDGET:
            break
        rows.append(row)
        used += len(row) + 1
        shown += 1
    if shown < len(result.diagnostics):
        left = plural(len(result.diagnostics) - shown, "more problem")
        rows += ["", f"{left} not shown (comment size limit); `opconf validate` lists them all."]
    return "\n".join(head + rows) + "\n"


def _row(d: Diagnostic, links: SourceLinks | None) -> str:
    place = md.code(f"{d.file}:{d.line}:{d.column}", cell=True) if d.file else ""
    if place and links:
        place = md.link(place, links.line(d.file, d.line))
    path = f" ({d.dotted})" if d.path else ""
    code = md.code(d.code, cell=True)
    return f"| {place} | {d.label} | {code} | {md.text(d.message + path + d.reason)} |"
