"""``drift.ignore`` in opconf.yaml: known differences left out of drift, with a reason.

An entry ``{match: "Kind/key-glob", fields: [glob...], reason, until: YYYY-MM-DD}`` hides the
out-of-band differences (drift, conflict, new in the CRM) of the objects it matches, in the
fields it names (every field, and the object itself, when it names none). Pending changes are
the configuration's own and are never hidden. After ``until`` (a UTC day) an entry no longer
applies and each drift run warns about it, so that nothing stays ignored by oversight.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from opconf.drift.model import Difference


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    match: str  # Kind/key glob
    fields: tuple[str, ...]
    reason: str
    until: date | None = None

    def covers(self, d: Difference) -> bool:
        if not d.out_of_band or not glob(self.match).fullmatch(f"{d.kind}/{d.key}"):
            return False
        return not self.fields or any(glob(f).fullmatch(d.path) for f in self.fields)

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


@functools.cache
def glob(pattern: str) -> re.Pattern[str]:
    """``*`` any text, ``?`` one character; everything else literal (``stages[*].name``:
    the brackets are the plan's path notation, not a character class)."""
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


def rule_of(entry: Mapping[str, Any]) -> IgnoreRule:
    """A rule from a schema-valid entry (``until`` checked by :func:`until_problem`)."""
    until = entry.get("until")
    return IgnoreRule(
        match=entry["match"],
        fields=tuple(entry.get("fields") or ()),
        reason=entry["reason"],
        until=date.fromisoformat(until) if until else None,
    )


def until_problem(value: object) -> str | None:
    """Why ``until`` is not a day of the calendar (``2026-02-30``), or None."""
    if not isinstance(value, str):
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"drift.ignore until '{value}' is not a date of the calendar (YYYY-MM-DD)"
    return None


def apply_rules(
    differences: Iterable[Difference], rules: Iterable[IgnoreRule], today: date
) -> tuple[list[Difference], int, list[str]]:
    """The differences still reported, how many were ignored, and the expiry warnings."""
    rules = list(rules)
    live = [r for r in rules if not r.expired(today)]
    warnings = [
        f"drift.ignore entry '{r.match}' expired on {r.until}: its differences are reported "
        f"again (reason was: {r.reason})"
        for r in rules
        if r.expired(today)
    ]
    kept, ignored = [], 0
    for d in differences:
        if any(r.covers(d) for r in live):
            ignored += 1
        else:
            kept.append(d)
    return kept, ignored, warnings
