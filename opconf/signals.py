"""Interrupts as a command sees them: Ctrl-C (SIGINT) and SIGTERM (what CI sends on cancel).

While a command runs, SIGTERM raises ``Terminated`` where SIGINT raises ``KeyboardInterrupt``,
so both roll back the transaction they land in. Once the store has been told to commit, the
command is past the point of no return: ``shield()`` makes both signals noted, not raised, so
the command reports what it did instead of dying with a traceback after "Apply complete".
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGTERM_EXIT = 128 + signal.SIGTERM
SIGINT_EXIT = 128 + signal.SIGINT


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every transaction rolls back."""


_active = False
_noted: list[int] = []


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return SIGTERM_EXIT if isinstance(interrupt, Terminated) else SIGINT_EXIT


def describe(interrupt: KeyboardInterrupt) -> str:
    return "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted (Ctrl-C)"


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def _note(signum: int, frame: FrameType | None) -> None:
    _noted.append(signum)


@contextlib.contextmanager
def handled() -> Iterator[list[int]]:
    """For the length of one command: SIGTERM raises ``Terminated``. Yields the signals that
    ``shield()`` noted. The previous handlers come back afterwards (tests run commands
    in-process)."""
    global _active
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    saved: dict[int, Any] = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _raise_terminated)
    noted: list[int] = []
    _active = True
    _noted.clear()
    try:
        yield noted
    finally:
        noted.extend(_noted)
        _active = False
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def shield() -> None:
    """From now until the command ends, SIGINT and SIGTERM are noted, not raised. A no-op
    outside ``handled()`` (a library caller keeps its own handlers)."""
    if _active and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _note)
        signal.signal(signal.SIGTERM, _note)


def late_note(noted: list[int]) -> str | None:
    """What to say of signals that came after the commit, when any did: the work is done."""
    if not noted:
        return None
    name = "SIGTERM" if signal.SIGTERM in noted else "Ctrl-C"
    return f"note: {name} came after the commit, so the command finished its work"
