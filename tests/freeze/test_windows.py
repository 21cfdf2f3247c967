"""Freeze windows and decisions with fixed clocks (no sleeping): edges, daylight-saving gaps
and repeated hours, one-off windows, deny over allow, scope globs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from opconf.freeze import blocked_line, decide, window_of
from opconf.freeze.window import Window, WindowProblem, window_problems

TORONTO = "America/Toronto"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def window(**fields: Any) -> Window:
    data = {"name": "w", "kind": "deny", "timezone": "UTC", **fields}
    return window_of(data)


def nightly(**fields: Any) -> Window:
    return window(schedule="0 2 * * *", duration="1h", timezone=TORONTO, **fields)


# --- when a window is open ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        ("2026-01-15T06:59:59", False),  # 01:59:59 EST
        ("2026-01-15T07:00:00", True),  # 02:00 EST: the start is inside
        ("2026-01-15T07:59:59", True),
        ("2026-01-15T08:00:00", False),  # the end is outside: [start, end)
    ],
)
def test_cron_window_edges(at: str, is_open: bool) -> None:
    assert (nightly().opening_at(utc(at)) is not None) is is_open


def test_spring_forward_gap_opens_at_the_first_minute_after_it() -> None:
    """8 March 2026: 02:00 does not exist in Toronto; the window opens at 03:00 EDT (07:00
    UTC) and lasts its hour of elapsed time."""
    w = nightly()
    opening = w.opening_at(utc("2026-03-08T07:30:00"))
    assert opening is not None
    assert (opening.start, opening.end) == (utc("2026-03-08T07:00:00"), utc("2026-03-08T08:00:00"))
    assert w.opening_at(utc("2026-03-08T06:30:00")) is None  # 01:30 EST, before the gap
    assert w.next_opening(utc("2026-03-08T06:30:00")).start == utc("2026-03-08T07:00:00")  # type: ignore[union-attr]
    assert w.next_opening(utc("2026-03-08T07:30:00")).start == utc("2026-03-09T06:00:00")  # type: ignore[union-attr]


def test_fall_back_repeated_hour_opens_once() -> None:
    """1 November 2026: 01:30 happens twice in Toronto; the window opens at the first (EDT,
    05:30 UTC) only, for one elapsed hour."""
    w = window(schedule="30 1 * * *", duration="1h", timezone=TORONTO)
    opening = w.opening_at(utc("2026-11-01T06:00:00"))
    assert opening is not None
    assert (opening.start, opening.end) == (utc("2026-11-01T05:30:00"), utc("2026-11-01T06:30:00"))
    assert w.opening_at(utc("2026-11-01T06:45:00")) is None  # the second 01:45 (EST)
    assert w.next_opening(utc("2026-11-01T05:00:00")).start == utc("2026-11-01T05:30:00")  # type: ignore[union-attr]
    assert w.next_opening(utc("2026-11-01T05:31:00")).start == utc("2026-11-02T06:30:00")  # type: ignore[union-attr]


def test_an_opening_longer_than_the_period_stays_open() -> None:
    """09:00-10:30 and 10:00-11:30 overlap: open from 09:00 to 11:30."""
    w = window(schedule="0 9,10 * * *", duration="90m")
    assert w.opening_at(utc("2026-01-01T10:45:00")) is not None
    assert w.next_change(utc("2026-01-01T09:15:00")) == utc("2026-01-01T11:30:00")
    assert w.next_change(utc("2026-01-01T11:30:00")) == utc("2026-01-02T09:00:00")


def test_one_off_window_local_and_with_offset() -> None:
    w = window(start="2026-12-24T17:00", end="2026-12-27", timezone=TORONTO)
    assert w.opening_at(utc("2026-12-24T21:59:59")) is None  # 16:59:59 EST
    assert w.opening_at(utc("2026-12-24T22:00:00")) is not None
    assert w.opening_at(utc("2026-12-27T05:00:00")) is None  # midnight EST: the end
    z = window(start="2026-12-24T17:00:00+00:00", end="2026-12-24T18:00Z", timezone=TORONTO)
    assert z.opening_at(utc("2026-12-24T17:30:00")) is not None
    assert z.next_opening(utc("2026-12-25T00:00:00")) is None


# --- decisions ----------------------------------------------------------------------------


def test_no_window_matches_allowed() -> None:
    assert decide([], {"Product/a"}, utc("2026-01-01T00:00:00")).allowed
    w = nightly(scope=["OpportunityTemplate/*"])
    assert decide([w], {"Product/a"}, utc("2026-01-15T07:30:00")).allowed


def test_active_deny_blocks_until_it_closes() -> None:
    w = nightly(reason="nightly batch")
    decision = decide([w], {"Product/a"}, utc("2026-01-15T07:30:00"))
    assert [x.name for x in decision.blocking] == ["w"]
    assert decision.until == utc("2026-01-15T08:00:00")
    assert blocked_line(decision) == (
        "apply blocked by freeze 'w' until 2026-01-15 03:00 EST (2026-01-15 08:00 UTC): "
        "nightly batch"
    )
    assert decide([w], {"Product/a"}, utc("2026-01-15T08:00:00")).allowed


def test_allow_window_allows_only_while_open() -> None:
    w = window(name="business", kind="allow", schedule="0 9 * * 1-5", duration="8h")
    monday_noon, monday_night = utc("2026-01-05T12:00:00"), utc("2026-01-05T20:00:00")
    assert decide([w], {"Product/a"}, monday_noon).allowed
    decision = decide([w], {"Product/a"}, monday_night)
    assert not decision.allowed
    assert decision.until == utc("2026-01-06T09:00:00")
    assert blocked_line(decision) == (
        "apply blocked by being outside the allow window 'business' until 2026-01-06 09:00 UTC"
    )


def test_deny_wins_over_an_open_allow() -> None:
    allow = window(name="business", kind="allow", schedule="0 9 * * *", duration="8h")
    deny = window(name="Q4 close", start="2026-12-28T00:00", end="2027-01-04T00:00")
    decision = decide([allow, deny], {"Product/a"}, utc("2026-12-30T12:00:00"))
    assert [w.name for w in decision.blocking] == ["Q4 close"]
    # Allowed again when the deny has ended and the allow window is open.
    assert decision.until == utc("2027-01-04T09:00:00")


def test_scope_globs_per_object() -> None:
    deny = window(name="products", start="2026-01-01", end="2026-02-01", scope=["Product/*"])
    allow = window(
        name="templates",
        kind="allow",
        start="2026-03-01",
        end="2026-03-02",
        scope=["OpportunityTemplate/new_*"],
    )
    at = utc("2026-01-10T00:00:00")
    assert decide([deny, allow], {"CoverageGroup/east"}, at).allowed
    assert decide([deny, allow], {"OpportunityTemplate/old_one"}, at).allowed
    blocked = decide([deny, allow], {"OpportunityTemplate/new_one", "Product/x"}, at)
    assert [w.name for w in blocked.blocking] == ["products", "templates"]
    assert blocked.until == utc("2026-03-01T00:00:00")


def test_blocked_with_no_opening_ahead() -> None:
    allow = window(name="once", kind="allow", start="2025-01-01", end="2025-01-02")
    decision = decide([allow], {"Product/a"}, utc("2026-01-01T00:00:00"))
    assert decision.until is None
    assert blocked_line(decision).endswith("'once' (no later window change allows it)")


# --- problems -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "field", "message"),
    [
        (
            {"schedule": "0 25 * * *", "duration": "1h"},
            "OPC281",
            "schedule",
            "schedule '0 25 * * *' is not valid cron: bad hour field",
        ),
        (
            {"schedule": "0 2 * *", "duration": "1h"},
            "OPC281",
            "schedule",
            "schedule '0 2 * *' is not a 5-field cron expression"
            " (minute hour day-of-month month day-of-week)",
        ),
        (
            {"schedule": "0 2 * * *", "duration": "1h", "timezone": "Europe/Nowhere"},
            "OPC282",
            "timezone",
            "unknown time zone 'Europe/Nowhere' (an IANA name, e.g. America/Toronto or UTC)",
        ),
        (
            {"start": "2026-12-24", "end": "2026-12-23"},
            "OPC283",
            "end",
            "end 2026-12-23 is not after start 2026-12-24",
        ),
        (
            {"start": "Christmas", "end": "2026-12-23"},
            "OPC283",
            "start",
            "start 'Christmas' is not an ISO 8601 date or date-time (e.g. 2026-12-24T17:00)",
        ),
        (
            {"schedule": "0 2 * * *"},
            "OPC284",
            "schedule",
            "a window with schedule needs duration too",
        ),
        (
            {"schedule": "0 2 * * *", "duration": "2 hours"},
            "OPC284",
            "duration",
            "duration '2 hours' is not like 2h, 1d12h or 90m",
        ),
        (
            {"schedule": "0 2 * * *", "duration": "0h"},
            "OPC284",
            "duration",
            "duration '0h' is zero",
        ),
        ({}, "OPC284", "name", "a window needs schedule and duration, or start and end"),
        (
            {"start": "2026-12-24", "end": "9999-12-31", "timezone": TORONTO},
            "OPC283",
            "end",
            "end '9999-12-31' is out of range (from 0002-01-01 to 9998-12-31 UTC)",
        ),
        (
            {"start": "0001-01-01", "end": "2026-12-31", "timezone": "Asia/Tokyo"},
            "OPC283",
            "start",
            "start '0001-01-01' is out of range (from 0002-01-01 to 9998-12-31 UTC)",
        ),
        (
            {"schedule": "0 2 * * *", "duration": "36500d"},
            "OPC284",
            "duration",
            "duration '36500d' is longer than 366d (a longer freeze is a one-off window: "
            "start and end)",
        ),
        (
            {"schedule": "0 2 * * *", "duration": f"{10**30}m"},
            "OPC284",
            "duration",
            f"duration '{10**30}m' is longer than 366d (a longer freeze is a one-off window: "
            "start and end)",
        ),
    ],
)
def test_window_problems(fields: dict[str, Any], code: str, field: str, message: str) -> None:
    data = {"name": "w", "kind": "deny", "timezone": "UTC", **fields}
    [problem] = window_problems(data)
    assert (problem.code, problem.field, str(problem)) == (code, field, message)
    with pytest.raises(WindowProblem):
        window_of(data)


def test_unknown_zone_does_not_hide_a_bad_schedule() -> None:
    data = {
        "name": "w",
        "kind": "deny",
        "timezone": "Mars/Olympus",
        "schedule": "x * * * *",
        "duration": "1h",
    }
    assert [p.code for p in window_problems(data)] == ["OPC282", "OPC281"]


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (
            "product/*",
            "scope 'product/*' is not Kind/key-glob of a known kind (did you mean 'Product'?)",
        ),
        (
            "Widget/x",
            "scope 'Widget/x' is not Kind/key-glob of a known kind "
            "(kinds: Product, CoverageGroup, OpportunityTemplate)",
        ),
        ("Product", "scope 'Product' is not Kind/key-glob of a known kind (e.g. 'Product/*')"),
        (
            "Products/",
            "scope 'Products/' is not Kind/key-glob of a known kind (did you mean 'Product'?)",
        ),
    ],
)
def test_a_scope_names_a_known_kind_as_documents_spell_it(scope: str, message: str) -> None:
    data = {"name": "w", "kind": "deny", "timezone": "UTC", "schedule": "0 2 * * *"}
    data |= {"duration": "1h", "scope": ["Product/ok", scope]}
    [problem] = window_problems(data)
    assert (problem.code, problem.field, problem.index, str(problem)) == (
        "OPC289",
        "scope",
        1,
        message,
    )


@pytest.mark.parametrize("scope", ["*/heloc", "Opportunity*/new_*", "CoverageGroup/*"])
def test_scopes_of_known_kinds_and_kind_globs_are_fine(scope: str) -> None:
    data = {"name": "w", "kind": "deny", "timezone": "UTC", "start": "2026-01-01"}
    assert window_problems({**data, "end": "2026-01-02", "scope": [scope]}) == []


def test_a_window_whose_openings_overlap_for_ever_costs_little() -> None:
    """``* * * * *`` lasting 2m never closes: the search is bounded (it took minutes)."""
    import time

    w = window(schedule="* * * * *", duration="2m")
    windows = [w, window(name="v", schedule="*/1 9-17 * * *", duration="2m")]
    started = time.perf_counter()
    decision = decide(windows, {"Product/a"}, utc("2026-06-01T10:00:00"))
    assert time.perf_counter() - started < 5  # a benchmark row: about 0.1 s here
    assert decision.until is None
    transition = w.next_transition(utc("2026-06-01T10:00:00"))
    assert (transition.known, transition.at is not None) == (False, True)
    assert w.opening_at(utc("2026-06-01T10:00:30")) is not None


def test_a_long_opening_is_found_without_walking_every_cron_time() -> None:
    w = window(schedule="* * * * *", duration="300d")
    assert w.opening_at(utc("2026-06-01T10:00:30")).start == utc("2026-06-01T10:00:00")  # type: ignore[union-attr]


def test_windows_at_the_end_of_the_calendar_close() -> None:
    w = window(schedule="0 0 * * *", duration="1h")
    assert w.next_opening(utc("9998-12-31T00:30:00")) is None
    assert w.next_change(utc("9998-12-31T00:30:00")) == utc("9998-12-31T01:00:00")
