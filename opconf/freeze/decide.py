"""Whether an apply may run now: Argo CD's sync-window semantics, per object.

For each object the plan touches (``Kind/key``), the windows whose scope covers it decide:
an open ``deny`` window blocks it; otherwise, if any ``allow`` window covers it, one of them
must be open; an object no window covers is never blocked. Deny wins over allow. A plan is
blocked when any object it touches is. Pure: the caller passes the instant (tests pass fixed
ones; commands pass ``datetime.now(UTC)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from opconf.freeze.window import Window
from opconf.plan.model import Plan

_MAX_STEPS = 100  # window changes looked at for "until when"


@dataclass(frozen=True)
class Decision:
    """``blocking``: the windows that block the apply at ``at`` (empty: allowed).

    ``until``: the first instant the same plan would be allowed (None when allowed now, or
    when no window change ahead allows it).
    """

    at: datetime
    blocking: tuple[Window, ...] = ()
    until: datetime | None = None

    @property
    def allowed(self) -> bool:
        return not self.blocking


def blocking(windows: Sequence[Window], touched: Iterable[str], at: datetime) -> tuple[Window, ...]:
    """The windows that block an apply touching ``touched`` (``Kind/key``) at ``at``."""
    if not windows:
        return ()
    open_now = [w.opening_at(at) is not None for w in windows]
    found: dict[int, None] = {}  # window index, in first-met order
    for ident in touched:
        covering = [i for i, w in enumerate(windows) if w.covers(ident)]
        denies = [i for i in covering if windows[i].kind == "deny" and open_now[i]]
        allows = [i for i in covering if windows[i].kind == "allow"]
        if denies:
            found.update(dict.fromkeys(denies))
        elif allows and not any(open_now[i] for i in allows):
            found.update(dict.fromkeys(allows))
    return tuple(windows[i] for i in sorted(found))


def decide(windows: Sequence[Window], touched: Iterable[str], at: datetime) -> Decision:
    """Whether an apply touching ``touched`` may run at ``at``, and if not, until when."""
    idents = sorted(set(touched))
    relevant = [w for w in windows if any(w.covers(i) for i in idents)]
    found = blocking(relevant, idents, at)
    if not found:
        return Decision(at)
    return Decision(at, found, _allowed_from(relevant, idents, at))


def _allowed_from(
    windows: Sequence[Window], idents: Sequence[str], at: datetime
) -> datetime | None:
    """The first window change after ``at`` at which the apply is allowed, if one comes soon.

    Each window's state and next change are kept and recomputed only when it changes; a
    window whose openings overlap past what was followed (never closes) stays open. The cost
    is bounded per window and per step, whatever the cron.
    """
    now = at.astimezone(UTC)
    groups = {tuple(i for i, w in enumerate(windows) if w.covers(ident)) for ident in idents}
    is_open = [w.opening_at(now) is not None for w in windows]
    upcoming = [_next(w, now) for w in windows]
    if any(_held(windows, group, is_open, upcoming) for group in groups):
        return None
    for _ in range(_MAX_STEPS):
        pending = [c for c in upcoming if c is not None]
        if not pending:
            return None
        now = min(pending)
        for i, change in enumerate(upcoming):
            if change == now:
                is_open[i] = windows[i].opening_at(now) is not None
                upcoming[i] = _next(windows[i], now)
        if not any(_blocked(windows, group, is_open) for group in groups):
            return now
        if any(_held(windows, group, is_open, upcoming) for group in groups):
            return None
    return None


def _held(
    windows: Sequence[Window],
    covering: Sequence[int],
    is_open: list[bool],
    upcoming: list[datetime | None],
) -> bool:
    """Whether the object stays blocked for good: an open deny window never closes (as far
    as followed), no allow window opens again, or none of its windows changes again."""
    if any(windows[i].kind == "deny" and is_open[i] and upcoming[i] is None for i in covering):
        return True
    allows = [i for i in covering if windows[i].kind == "allow"]
    if allows and all(not is_open[i] and upcoming[i] is None for i in allows):
        return True
    stuck = all(upcoming[i] is None for i in covering)
    return stuck and _blocked(windows, covering, is_open)


def _next(window: Window, after: datetime) -> datetime | None:
    """The window's next change, or None when there is none or it was not found."""
    transition = window.next_transition(after)
    return transition.at if transition.known else None


def _blocked(windows: Sequence[Window], covering: Sequence[int], is_open: list[bool]) -> bool:
    """Whether an object covered by the windows ``covering`` is blocked (the rules above)."""
    if any(windows[i].kind == "deny" and is_open[i] for i in covering):
        return True
    allows = [i for i in covering if windows[i].kind == "allow"]
    return bool(allows) and not any(is_open[i] for i in allows)


def touched_by(plan: Plan) -> set[str]:
    """``Kind/key`` of every object the plan touches: a rename touches its old and new key."""
    out = set()
    for change in plan.changes:
        out.add(f"{change.kind}/{change.key}")
        if change.old_key:
            out.add(f"{change.kind}/{change.old_key}")
    return out
