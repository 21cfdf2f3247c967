"""Freeze windows (SPEC §11): when each one is open, read from ``freeze:`` in opconf.yaml.

A window is either recurring (a 5-field cron ``schedule`` in its ``timezone``, each opening
lasting ``duration``) or one-off (``start``, ``end``). Openings are half-open intervals
``[start, end)``. Cron times follow Debian cron across daylight-saving changes (cronsim): a
time that does not exist that day (the spring-forward gap) opens at the first minute after
it; a repeated time (fall back) opens once, at its first occurrence. A ``duration`` is
elapsed time, so an opening that spans a change lasts exactly that long.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

WindowKind = Literal["deny", "allow"]
_MAX_CHAINED = 1_000  # a window whose openings overlap for ever ("* * * * *" for 2m)
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


class WindowProblem(ValueError):
    """A window's field that cannot be used: ``code`` (the rule, docs/rules.md) and ``field``
    name it, the message says why."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Opening:
    """One time a window is open: ``[start, end)``, in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Window:
    """A freeze window; build it with :func:`window_of`."""

    name: str
    kind: WindowKind
    zone: ZoneInfo
    scope: tuple[str, ...] = ()
    reason: str | None = None
    schedule: str | None = None
    duration: timedelta | None = None
    start: datetime | None = None  # one-off windows: UTC
    end: datetime | None = None

    def covers(self, ident: str) -> bool:
        """Whether the window governs the object ``Kind/key`` (an empty scope: everything)."""
        return not self.scope or any(fnmatchcase(ident, glob) for glob in self.scope)

    def opening_at(self, at: datetime) -> Opening | None:
        """The opening that contains ``at``, or None when the window is closed then."""
        at = at.astimezone(UTC)
        if self.schedule is None:
            assert self.start is not None and self.end is not None
            return Opening(self.start, self.end) if self.start <= at < self.end else None
        assert self.duration is not None
        # An opening contains ``at`` when it starts in (at - duration, at]; the latest such.
        found = None
        for opening in self._openings_after(at - self.duration):
            if opening.start > at:
                break
            found = opening
        return found

    def next_opening(self, after: datetime) -> Opening | None:
        """The first opening that starts after ``after``, or None when there is none."""
        after = after.astimezone(UTC)
        if self.schedule is None:
            assert self.start is not None and self.end is not None
            return Opening(self.start, self.end) if self.start > after else None
        return next(self._openings_after(after), None)

    def _openings_after(self, after: datetime) -> Iterator[Opening]:
        """The cron openings that start after ``after``, in order.

        cronsim walks local wall-clock time, so from inside a repeated hour it can return a
        time already passed: those are skipped.
        """
        assert self.schedule is not None and self.duration is not None
        for start in CronSim(self.schedule, after.replace(microsecond=0).astimezone(self.zone)):
            utc = start.astimezone(UTC)
            if utc > after:
                yield Opening(utc, utc + self.duration)

    def next_change(self, after: datetime) -> datetime | None:
        """When the window next opens or closes after ``after`` (None: never again).

        Overlapping openings count as one: the window closes when the last of them ends.
        """
        opening = self.opening_at(after)
        if opening is None:
            upcoming = self.next_opening(after)
            return None if upcoming is None else upcoming.start
        end = opening.end
        for _ in range(_MAX_CHAINED):
            chained = self.opening_at(end)
            if chained is None:
                break
            end = chained.end
        return end


def window_of(data: Mapping[str, Any]) -> Window:
    """The window that a schema-valid ``freeze:`` entry describes.

    Raises :class:`WindowProblem` naming the field for what the schema cannot see: an
    unknown time zone, a bad cron expression, a date that is not ISO 8601, an end before
    the start, a window with both or neither of schedule and start/end.
    """
    zone = _zone(data["timezone"])
    common: dict[str, Any] = {
        "name": data["name"],
        "kind": data["kind"],
        "zone": zone,
        "scope": tuple(data.get("scope", ())),
        "reason": data.get("reason"),
    }
    recurring = [f for f in ("schedule", "duration") if f in data]
    one_off = [f for f in ("start", "end") if f in data]
    if recurring and one_off:
        raise WindowProblem(
            "OPC284",
            one_off[0],
            "a window has either schedule and duration, or start and end, not both",
        )
    if recurring:
        missing = next((f for f in ("schedule", "duration") if f not in data), None)
        if missing:
            raise WindowProblem(
                "OPC284", recurring[0], f"a window with {recurring[0]} needs {missing} too"
            )
        schedule = _cron(data["schedule"], zone)
        return Window(**common, schedule=schedule, duration=parse_duration(data["duration"]))
    if len(one_off) < 2:
        field = one_off[0] if one_off else "name"
        raise WindowProblem(
            "OPC284", field, "a window needs schedule and duration, or start and end"
        )
    start, end = (parse_time(data[f], zone, f) for f in ("start", "end"))
    if end <= start:
        raise WindowProblem(
            "OPC283", "end", f"end {data['end']} is not after start {data['start']}"
        )
    return Window(**common, start=start, end=end)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WindowProblem(
            "OPC282",
            "timezone",
            f"unknown time zone '{name}' (an IANA name, e.g. America/Toronto or UTC)",
        ) from None


def _cron(expression: str, zone: ZoneInfo) -> str:
    if len(expression.split()) != 5:
        raise WindowProblem(
            "OPC281",
            "schedule",
            f"schedule '{expression}' is not a 5-field cron "
            "expression (minute hour day-of-month month day-of-week)",
        )
    try:
        CronSim(expression, datetime(2000, 1, 1, tzinfo=zone))
    except CronSimError as exc:
        raise WindowProblem(
            "OPC281",
            "schedule",
            f"schedule '{expression}' is not valid cron: {str(exc).lower()} field",
        ) from None
    return expression


def parse_duration(text: str) -> timedelta:
    """``1d12h30m`` → a timedelta."""
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        raise WindowProblem("OPC284", "duration", f"duration '{text}' is not like 2h, 1d12h or 90m")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    if not days + hours + minutes:
        raise WindowProblem("OPC284", "duration", f"duration '{text}' is zero")
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_time(text: str, zone: ZoneInfo, field: str = "time") -> datetime:
    """ISO 8601 date or date-time; without an offset it is local to ``zone``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise WindowProblem(
            "OPC283",
            field,
            f"{field} '{text}' is not an ISO 8601 date or date-time (e.g. 2026-12-24T17:00)",
        ) from None
    return (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)


def window_problems(data: Mapping[str, Any]) -> list[WindowProblem]:
    """Every problem of a schema-valid ``freeze:`` entry (an unknown zone does not hide a
    bad schedule: the rest is checked in UTC)."""
    problems = []
    try:
        _zone(data["timezone"])
    except WindowProblem as problem:
        problems.append(problem)
        data = {**data, "timezone": "UTC"}
    try:
        window_of(data)
    except WindowProblem as problem:
        problems.append(problem)
    return problems
