"""The windows in force for a store: recorded by each apply, honoured by every apply.

A freeze declared in one folder's opconf.yaml must hold for an apply run from another
folder, or with ``--store`` only. So each apply records the windows in force in its revision's
``summary`` (``"freeze": [entry]``, in the form of opconf.yaml's entries, start and end in UTC:
small, and no schema change; no windows, no key), and every apply is checked against the
windows of the store's last revision as well as its own project's.

What the next revision records: the project's windows when its opconf.yaml has a ``freeze:``
key (``freeze: []`` ends them — an apply checked, like any, against the windows in force);
otherwise the store's windows, carried forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, timedelta
from typing import Any

from opconf.freeze.window import Window, WindowProblem, window_of

Entry = dict[str, Any]


def entry_of(window: Window) -> Entry:
    """The opconf.yaml entry that gives ``window`` back (start and end in UTC)."""
    out: Entry = {"name": window.name, "kind": window.kind, "timezone": window.zone.key}
    if window.schedule is not None and window.duration is not None:
        out |= {"schedule": window.schedule, "duration": _duration(window.duration)}
    if window.start is not None and window.end is not None:
        out |= {"start": window.start.astimezone(UTC).isoformat()}
        out |= {"end": window.end.astimezone(UTC).isoformat()}
    if window.scope:
        out["scope"] = list(window.scope)
    if window.reason is not None:
        out["reason"] = window.reason
    return out


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "")
    return text + (f"{minutes}m" if minutes else "")


def recorded(summary: Mapping[str, Any] | None) -> tuple[Window, ...] | None:
    """The windows a revision's summary records (None: none).

    Raises :class:`WindowProblem` for an entry that is not a window.
    """
    entries = (summary or {}).get("freeze")
    if not isinstance(entries, list):
        return None
    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise WindowProblem("OPC284", "freeze", f"{entry!r} is not a freeze window")
        try:
            out.append(window_of(entry))
        except (KeyError, TypeError):
            raise WindowProblem("OPC284", "freeze", f"{entry!r} is not a freeze window") from None
    return tuple(out)


def in_force(*sources: Iterable[Window]) -> tuple[Window, ...]:
    """The windows of every source, each once (the same entry counts once)."""
    out: dict[str, Window] = {}
    for windows in sources:
        for w in windows:
            out.setdefault(repr(sorted(entry_of(w).items())), w)
    return tuple(out.values())


def entries(windows: Sequence[Window]) -> list[Entry]:
    """What a revision records of ``windows``."""
    return [entry_of(w) for w in windows]
