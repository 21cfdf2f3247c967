"""The freeze check of apply: at its start and again just before it commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from opconf.errors import FrozenError
from opconf.freeze.decide import Decision, decide, touched_by
from opconf.freeze.window import Window
from opconf.plan.model import Plan

OVERRIDE_HINT = "wait, or apply with --override-freeze --reason TEXT (recorded in history)"


@dataclass(frozen=True)
class Override:
    """A freeze that an apply went through: which windows, and why (for the history)."""

    windows: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class FreezeGuard:
    """The windows in force, a clock, the ``--override-freeze`` reason if one was given, and
    the windows the apply's revision records (None: the windows in force)."""

    windows: tuple[Window, ...]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    override_reason: str | None = None
    record: tuple[Window, ...] | None = None  # what the revision records (freeze/record.py)

    def check(self, plan: Plan) -> Override | None:
        """Raise :class:`FrozenError` when a window blocks ``plan`` now, unless overridden;
        the override used, if any."""
        decision = decide(self.windows, touched_by(plan), self.clock())
        if decision.allowed:
            return None
        if self.override_reason is None:
            raise FrozenError(blocked_line(decision), hint=OVERRIDE_HINT)
        return Override(tuple(w.name for w in decision.blocking), self.override_reason)


def blocked_line(decision: Decision) -> str:
    """``apply blocked by freeze 'Q4 close' until 2027-01-04 00:00 EST (2027-01-04 05:00
    UTC): quarter close``: what blocks, until when, and why."""
    denies = [w for w in decision.blocking if w.kind == "deny"]
    shown = denies or list(decision.blocking)
    names = ", ".join(f"'{w.name}'" for w in shown)
    what = f"freeze {names}" if denies else f"being outside the allow window {names}"
    if decision.until is None:
        until = " (no later window change allows it)"
    else:
        until = f" until {when(decision.until, shown[0].zone)}"
    reasons = [w.reason for w in shown if w.reason]
    return f"apply blocked by {what}{until}" + (f": {reasons[0]}" if reasons else "")


def when(at: datetime, zone: tzinfo) -> str:
    """``2027-01-04 00:00 EST (2027-01-04 05:00 UTC)``: local time first, then UTC."""
    local = at.astimezone(zone)
    utc = at.astimezone(UTC)
    if local.utcoffset() == utc.utcoffset():
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc:%Y-%m-%d %H:%M} UTC)"
