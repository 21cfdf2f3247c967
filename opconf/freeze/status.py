"""``opconf freeze status``: each window at an instant, and when it next changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opconf.freeze.guard import when
from opconf.freeze.window import Window


@dataclass(frozen=True)
class WindowStatus:
    window: Window
    open: bool
    since: datetime | None  # when open: the start of the opening
    change: datetime | None  # when it next closes (open) or opens (closed); None: never
    known: bool = True  # False: open at least until ``change`` (its openings overlap)

    def line(self) -> str:
        w = self.window
        scope = ", ".join(w.scope) or "everything"
        if self.open:
            state = f"OPEN since {when(self.since, w.zone)}" if self.since else "OPEN"
            nxt = f"closes {when(self.change, w.zone)}" if self.change else "never closes"
            if not self.known and self.change:
                nxt = f"stays open past {when(self.change, w.zone)} (its openings overlap)"
        else:
            state = "closed"
            nxt = f"opens {when(self.change, w.zone)}" if self.change else "never opens again"
        reason = f" — {w.reason}" if w.reason else ""
        return f"{w.kind} '{w.name}' ({scope}): {state}; {nxt}{reason}"

    def as_dict(self) -> dict[str, Any]:
        w = self.window
        return {
            "name": w.name,
            "kind": w.kind,
            "timezone": w.zone.key,
            "scope": list(w.scope),
            "reason": w.reason,
            "open": self.open,
            "since": _iso(self.since),
            "next_change": _iso(self.change),
            "next_change_local": _iso(self.change.astimezone(w.zone) if self.change else None),
            "next_change_known": self.known,
        }


def status(windows: tuple[Window, ...], at: datetime) -> list[WindowStatus]:
    """Every window at ``at``: open or not, and its next transition."""
    out = []
    for w in windows:
        opening = w.opening_at(at)
        since = opening.start if opening else None
        change = w.next_transition(at)
        out.append(WindowStatus(w, opening is not None, since, change.at, change.known))
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
