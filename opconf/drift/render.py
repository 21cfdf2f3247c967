"""``drift --format text|json|markdown``: the differences, by object, with their three values.

Values are shown as the plan shows them (:func:`opconf.plan.details.summarise`); paths are
the plan's. User text goes through :func:`opconf.visible.visible` (text) or
:mod:`opconf.markdown` (Markdown), so no name can break the layout.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from typing import Any

from opconf import markdown as md
from opconf.diagnostics import plural
from opconf.drift.model import Difference, Drift
from opconf.plan.details import summarise
from opconf.visible import json_visible, visible

LABEL = {"drift": "drift", "conflict": "conflict", "new": "new", "pending": "pending"}
_NOUN = {
    "drift": ("drifted field", "drifted fields"),
    "conflict": ("conflict", "conflicts"),
    "new": ("new in the CRM", "new in the CRM"),
    "pending": ("pending change", "pending changes"),
}


def since_line(drift: Drift) -> str:
    """``Changed since revision 12, applied 2026-11-30 10:15 UTC by deploy-bot.``"""
    if drift.since is None:
        return "Nothing has been applied to this store yet: the whole configuration is pending."
    s = drift.since
    when = s.applied_at.replace("T", " ").removesuffix("Z")[:16] + " UTC"
    return f"Compared with revision {s.revision}, applied {when} by {visible(s.actor)}."


def summary_line(drift: Drift) -> str:
    counts = drift.summary()
    ignored = f" ({counts['ignored']:,} ignored by drift.ignore)" if counts["ignored"] else ""
    if not drift.drifted:
        pending = counts["pending"]
        tail = f"; {plural(pending, *_NOUN['pending'])} in the configuration" if pending else ""
        return f"No drift. The store matches the last apply{tail}{ignored}."
    parts = [plural(counts[c], *_NOUN[c]) for c in _NOUN if counts[c]]
    return f"Drift: {', '.join(parts)}{ignored}."


def value(d: Difference, side: Any) -> str:
    """One of the three values: ``(absent)`` when that side lacks the object or element; an
    element's place: ``position 2`` in its list, ``in stage intake`` for a step."""
    if d.path == "":
        return "(absent)" if side is None else f"present ({summarise(side['name'])})"
    if side is None and d.op in ("add", "remove"):
        return "(absent)"
    if d.op in ("add", "move") and d.path.endswith("]"):
        if isinstance(side, int) and not isinstance(side, bool) and d.op == "add":
            return f"position {side}"  # a move's field says "position" already
        if d.path.startswith("steps["):
            return f"in stage {visible(str(side))}"
    return visible(summarise(side, d.path))


def where(d: Difference) -> str:
    """The field: the plan's path; a stage renamed (``stages[old] key``) or moved
    (``stages[won] position``) says so."""
    if not d.path:
        return "(the object)"
    if d.op == "rename" and d.path.endswith("]"):
        return f"{visible(d.path)} key"
    if d.op == "move" and d.path.endswith("]") and not d.path.startswith("steps["):
        return f"{visible(d.path)} position"
    return visible(d.path)


def render_text(drift: Drift) -> str:
    lines = [since_line(drift), ""]
    for (kind, key), diffs in groupby(drift.differences, key=lambda d: (d.kind, d.key)):
        lines.append(f"  {kind} {visible(key)}")
        for d in diffs:
            lines.append(
                f"    {LABEL[d.category]:<9} {where(d)}: config {value(d, d.config)}, "
                f"applied {value(d, d.applied)}, live {value(d, d.live)}"
            )
    if drift.differences:
        lines.append("")
    lines += [f"warning: {visible(w)}" for w in drift.warnings]
    return "\n".join([*lines, summary_line(drift)]) + "\n"


def render_json(drift: Drift) -> str:
    return json_visible(json.dumps(drift.to_dict(), indent=2, ensure_ascii=False)) + "\n"


def render_markdown(drift: Drift) -> str:
    lines = [f"### opconf drift — {md.text(summary_line(drift))}", "", md.text(since_line(drift))]
    lines += [f"> [!WARNING]\n> {md.text(w)}" for w in drift.warnings]
    if drift.differences:
        lines += ["", "| | Object | Field | Configuration | Last apply | Live |"]
        lines.append("|---|---|---|---|---|---|")
        for d in drift.differences:
            cells = [f"{d.kind} {d.key}", where(d)]
            cells += [value(d, d.config), value(d, d.applied), value(d, d.live)]
            lines.append(
                f"| {d.category} | " + " | ".join(md.code(c, cell=True) for c in cells) + " |"
            )
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Drift], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
