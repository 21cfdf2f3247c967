"""Rule severities and waivers from opconf.yaml (``rules:``, ``waivers:``; SPEC §13).

``rules: {OPC226: warning, OPC229: off}`` sets a code's severity for the whole project;
``waivers: [{match: "Kind/key-glob", rules: [codes], reason, until: YYYY-MM-DD}]`` waives codes
for the objects an entry matches. Both are applied once, to the findings as they leave
validation (:func:`opconf.validate.validate_results`), so every reporter and the plan see the
same result: a waived finding keeps its code and severity, carries the waiver's reason and no
longer counts. Only the rules in :data:`ADJUSTABLE` can be changed: the others protect data
the store needs (and OPC3xx, the plan's safety checks, are never validation findings). An
expired entry no longer waives and warns; an entry that waives nothing warns.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from opconf.diagnostics import Diagnostic, Severity, did_you_mean
from opconf.kinds import KINDS
from opconf.validate.catalogue import ADJUSTABLE, REFERENCE_RULES, RULES
from opconf.validate.finding import Finding

Level = Severity | Literal["off"]
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Waiver:
    """One ``waivers:`` entry; ``index`` is its place in the list (for located warnings)."""

    match: str  # Kind/key glob
    rules: frozenset[str]
    reason: str
    until: date | None = None
    index: int = 0

    def covers(self, f: Finding) -> bool:
        kind, key = f.doc.data.get("kind"), f.doc.data.get("key")
        if f.code not in self.rules or not isinstance(key, str):
            return False
        return fnmatch.fnmatchcase(f"{kind}/{key}", self.match)

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True)
class Policy:
    """The project's severities and waivers; ``file`` is opconf.yaml (display name, path)."""

    severities: Mapping[str, Level] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    file: tuple[str, Path] | None = None
    whole: bool = True  # the whole configuration is checked: an idle entry can be judged

    def __bool__(self) -> bool:
        return bool(self.severities or self.waivers)


def apply(
    policy: Policy, findings: Iterable[Finding], today: date, refs_checked: bool = True
) -> tuple[list[Finding], list[Diagnostic]]:
    """The findings after ``policy`` (``off`` ones dropped, the others re-graded or waived)
    and the warnings about its entries: expired, or waiving nothing (an entry waiving only
    reference-data rules is not judged when ``refs_checked`` is off: they were not run)."""
    live = [w for w in policy.waivers if not w.expired(today)]
    used: set[int] = set()
    out = []
    for f in findings:
        level = policy.severities.get(f.code, f.severity) if f.code in ADJUSTABLE else f.severity
        if level == "off":
            continue
        f = replace(f, severity=level) if level != f.severity else f
        waiver = next((w for w in live if f.code in ADJUSTABLE and w.covers(f)), None)
        if waiver is not None:
            used.add(waiver.index)
            f = replace(f, waived=waiver.reason)
        out.append(f)
    checked = ADJUSTABLE if refs_checked else ADJUSTABLE - REFERENCE_RULES
    idle = [w for w in live if w.index not in used and w.rules & checked and policy.whole]
    return out, list(_warnings(policy, today, idle))


def _warnings(policy: Policy, today: date, idle: list[Waiver]) -> Iterator[Diagnostic]:
    if policy.file is None:
        return
    from opconf.load.locate import Locator

    display, path = policy.file
    locator = Locator(lambda _: path.read_bytes().decode("utf-8-sig"))
    for w in sorted([w for w in policy.waivers if w.expired(today)] + idle, key=_at):
        where = ("waivers", w.index)
        line, column = locator.position(display, 0, (*where, "match"))
        if w.expired(today):
            code, message = "OPC287", f"waiver '{w.match}' expired on {w.until}: "
            message += f"its findings are reported again (reason was: {w.reason})"
        else:
            code, message = "OPC288", f"waiver '{w.match}' waives nothing: no finding of "
            message += f"{', '.join(sorted(w.rules))} on a matching object (remove the entry)"
        yield Diagnostic(code, "warning", message, display, line, column, (*where, "match"))


def _at(w: Waiver) -> int:
    return w.index


def policy_of(data: Mapping[str, Any], file: tuple[str, Path] | None) -> Policy:
    """The policy of opconf.yaml's sound ``rules``/``waivers`` (entries with problems left
    out: they are reported, and nothing is waived by a broken entry)."""
    severities = {
        code: level
        for code, level in (data.get("rules") or {}).items()
        if not any(_code_problems(code, ("rules", code)))
    }
    waivers = tuple(
        _waiver(entry, i)
        for i, entry in enumerate(data.get("waivers") or ())
        if not any(entry_problems(entry))
    )
    return Policy(severities, waivers, file)


def _waiver(entry: Mapping[str, Any], index: int) -> Waiver:
    until = entry.get("until")
    return Waiver(
        match=entry["match"],
        rules=frozenset(entry["rules"]),
        reason=entry["reason"],
        until=date.fromisoformat(until) if until else None,
        index=index,
    )


def _code_problems(code: object, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """A code a project may change: known, and not one that protects data."""
    if not isinstance(code, str):
        return
    if re.fullmatch(r"OPC3[0-9]{2}", code):
        yield path, f"{code} is a plan safety check that protects data: it can never be waived"
    elif code not in RULES:
        yield path, f"unknown rule '{code}'{did_you_mean(code, ADJUSTABLE)}"
    elif code not in ADJUSTABLE:
        yield (
            path,
            f"{code} protects data or the reading of files: it cannot be waived or "
            + ("given another severity"),
        )


def entry_problems(entry: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path within the entry, why) for what the schema cannot see in a waiver entry."""
    match = entry.get("match")
    if isinstance(match, str):
        kind, slash, key = match.partition("/")
        if not slash or not key or (kind != "*" and kind not in KINDS):
            hint = (did_you_mean(kind, KINDS) if slash else "") or f" (kinds: {', '.join(KINDS)})"
            yield ("match",), f"waiver match '{match}' is not Kind/key-glob{hint}"
    for i, code in enumerate(entry.get("rules") or ()):
        yield from _code_problems(code, ("rules", i))
    until = entry.get("until")
    if isinstance(until, str) and not _is_day(until):
        yield ("until",), f"waiver until '{until}' is not a date of the calendar (YYYY-MM-DD)"


def rules_problems(rules: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, why) for each code of ``rules:`` a project may not change."""
    for code in rules:
        yield from _code_problems(code, ("rules", code))


def _is_day(text: str) -> bool:
    if not _DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
