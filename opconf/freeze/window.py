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

from opconf.freeze.scope import scope_problems

WindowKind = Literal["deny", "allow"]
_BUDGET = 2_000  # cron times followed to find when overlapping openings end
_DST_SLACK = timedelta(hours=3)  # reverse and forward cron walks may differ by a DST shift
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
# Instants a window may name: years 1..9999 in every time zone, with room for arithmetic.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)
RANGE = "from 0002-01-01 to 9998-12-31 UTC"
MAX_DURATION = timedelta(days=366)  # an opening lasting longer is a one-off window


class WindowProblem(ValueError):
    """A window's field that cannot be used: ``code`` (the rule, docs/rules.md) and ``field``
    name it, the message says why."""

    def __init__(self, code: str, field: str, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.index = index  # the element of a list field (scope)


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
        # Openings all last as long: the latest one to start by ``at`` ends last.
        start = self._latest_start(at)
        if start is None or start + self.duration <= at:
            return None
        return Opening(start, start + self.duration)

    def next_opening(self, after: datetime) -> Opening | None:
        """The first opening that starts after ``after``, or None when there is none."""
        after = after.astimezone(UTC)
        if self.schedule is None:
            assert self.start is not None and self.end is not None
            return Opening(self.start, self.end) if self.start > after else None
        return next(self._openings_after(after), None)

    def next_change(self, after: datetime) -> datetime | None:
        """When the window next opens or closes after ``after`` (None: never again)."""
        return self.next_transition(after).at

    def next_transition(self, after: datetime) -> Transition:
        """When the window next opens or closes after ``after``.

        Overlapping openings count as one: the window closes when the last of them ends. At
        most ``_BUDGET`` cron times are looked at (``* * * * *`` lasting 2m never closes):
        beyond them the transition is not ``known`` and ``at`` is as far as it was followed.
        """
        opening = self.opening_at(after)
        if opening is None:
            upcoming = self.next_opening(after)
            return Transition(None if upcoming is None else upcoming.start)
        if self.schedule is None:
            return Transition(opening.end)
        assert self.duration is not None
        end = opening.end
        for i, chained in enumerate(self._openings_after(opening.start)):
            if chained.start > end:
                return Transition(end)
            end = max(end, chained.end)
            if i >= _BUDGET:
                return Transition(end, known=False)
        return Transition(end)

    def _latest_start(self, at: datetime) -> datetime | None:
        """The latest cron time at or before ``at`` (UTC), found in a bounded number of steps.

        cronsim's reverse walk gives a time near it; the forward walk (whose daylight-saving
        rules define the openings) then goes from a little before that time up to ``at``.
        """
        assert self.schedule is not None
        try:
            back = next(
                CronSim(
                    self.schedule, at.replace(microsecond=0).astimezone(self.zone), reverse=True
                )
            )
        except (StopIteration, OverflowError, ValueError):
            return None
        latest = None
        for opening in self._openings_after(back.astimezone(UTC) - _DST_SLACK):
            if opening.start > at:
                break
            latest = opening.start
        return latest

    def _openings_after(self, after: datetime) -> Iterator[Opening]:
        """The cron openings that start after ``after``, in order (none past year 9998).

        cronsim walks local wall-clock time, so from inside a repeated hour it can return a
        time already passed: those are skipped.
        """
        assert self.schedule is not None and self.duration is not None
        try:
            for start in CronSim(self.schedule, after.replace(microsecond=0).astimezone(self.zone)):
                utc = start.astimezone(UTC)
                if utc > LATEST:
                    return
                if utc > after:
                    yield Opening(utc, utc + self.duration)
        except (OverflowError, ValueError):  # the calendar's end
            return


@dataclass(frozen=True)
class Transition:
    """When a window next opens or closes (None: never); ``known`` False: it stays open at
    least until ``at``, and the search stopped there."""

    at: datetime | None
    known: bool = True


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
    if timedelta(days=min(days, 10**6), hours=min(hours, 10**8), minutes=min(minutes, 10**9)) > (
        MAX_DURATION
    ):
        raise WindowProblem(
            "OPC284",
            "duration",
            f"duration '{text}' is longer than {MAX_DURATION.days}d "
            "(a longer freeze is a one-off window: start and end)",
        )
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
    try:
        utc = (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)
    except OverflowError:  # beyond year 1 or 9999 once in UTC
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise WindowProblem("OPC283", field, f"{field} '{text}' is out of range ({RANGE})")
    return utc


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
    scope = scope_problems(data.get("scope"))
    return problems + [WindowProblem("OPC289", "scope", why, index=i) for i, why in scope]
