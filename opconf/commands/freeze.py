"""``opconf freeze status [--at TIME] [--store URL]``: the change-freeze windows of opconf.yaml
and, with a store, those its last revision recorded."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store
from opconf.project import load_project

if TYPE_CHECKING:
    from opconf.freeze import Window


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("freeze", help="change-freeze windows (freeze: in opconf.yaml)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    s = verbs.add_parser("status", help="open windows and the next transitions")
    s.add_argument("--at", metavar="TIME", help="ISO 8601 instant (default: now; no offset: UTC)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    add_store_options(s)
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.freeze import when
    from opconf.freeze.status import status

    at = _instant(args.at)
    windows = _windows(args)
    rows = status(windows, at)
    if args.format == "json":
        data = {"at": at.isoformat(), "windows": [r.as_dict() for r in rows]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return exitcodes.OK
    print(f"At {when(at, UTC)}:")
    if not rows:
        print(f"No freeze windows ({_where(args)}): apply is never blocked.")
    for row in sorted(rows, key=lambda r: not r.open):
        print(f"  {row.line()}")
    return exitcodes.OK


def _windows(args: argparse.Namespace) -> tuple[Window, ...]:
    """opconf.yaml's windows; with ``--store`` or ``--target``, and those the store's last
    revision recorded (every apply against it honours them)."""
    from opconf.applying import store_windows
    from opconf.freeze.record import in_force

    if args.store is None and args.target is None:
        return load_project(args.project).freeze
    project, store = open_store(args)
    store.check_ready()
    return in_force(project.freeze, store_windows(store) or ())


def _where(args: argparse.Namespace) -> str:
    if args.store is None and args.target is None:
        return "freeze: in opconf.yaml; a store's own: --store or --target"
    return "none in opconf.yaml, none recorded in the store"


def _instant(text: str | None) -> datetime:
    from opconf.errors import UsageError
    from opconf.freeze.window import EARLIEST, LATEST, RANGE

    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--at '{text}' is not an ISO 8601 date-time", hint="e.g. --at 2026-12-24T17:00Z"
        ) from None
    try:
        at = (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(UTC)
    except OverflowError:  # beyond year 1 or 9999 once in UTC
        at = None
    if at is None or not EARLIEST <= at <= LATEST:
        raise UsageError(f"--at '{text}' is out of range", hint=f"an instant {RANGE}")
    return at
