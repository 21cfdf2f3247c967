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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from opconf.canonical import KIND_ORDER
from opconf.diagnostics import did_you_mean
from opconf.drift.model import Difference

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    """A rule from an entry without :func:`problems`."""
    until = entry.get("until")
    return IgnoreRule(
        match=entry["match"],
        fields=tuple(entry.get("fields") or ()),
        reason=entry["reason"],
        until=date.fromisoformat(until) if until else None,
    )


def problems(entry: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, why) for what the schema cannot see in a well-typed entry: ``match`` is not
    ``Kind/glob`` of a known kind, ``until`` is not a day of the calendar."""
    match = entry.get("match")
    if isinstance(match, str):
        kind, slash, key = match.partition("/")
        if not slash or not key or (kind != "*" and kind not in KIND_ORDER):
            hint = did_you_mean(kind, KIND_ORDER) if slash else ""
            yield "match", f"drift.ignore match '{match}' is not Kind/key-glob{hint}"
    until = entry.get("until")
    if isinstance(until, str) and not _DAY.fullmatch(until):
        yield "until", f"drift.ignore until '{until}' is not a date of the calendar (YYYY-MM-DD)"
    elif isinstance(until, str):
        try:
            date.fromisoformat(until)
        except ValueError:
            yield (
                "until",
                f"drift.ignore until '{until}' is not a date of the calendar (YYYY-MM-DD)",
            )


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
