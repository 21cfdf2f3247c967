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

_MAX_STEPS = 2_000  # window changes looked at for "until when"


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
    """The first window change after ``at`` at which the apply is allowed, if one comes soon."""
    now = at.astimezone(UTC)
    for _ in range(_MAX_STEPS):
        changes = [c for w in windows if (c := w.next_change(now)) is not None]
        if not changes:
            return None
        now = min(changes)
        if not blocking(windows, idents, now):
            return now
    return None


def touched_by(plan: Plan) -> set[str]:
    """``Kind/key`` of every object the plan touches: a rename touches its old and new key."""
    out = set()
    for change in plan.changes:
        out.add(f"{change.kind}/{change.key}")
        if change.old_key:
            out.add(f"{change.kind}/{change.old_key}")
    return out
