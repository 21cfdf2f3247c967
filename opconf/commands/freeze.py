"""``opconf freeze status [--at TIME]``: the change-freeze windows of opconf.yaml."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from opconf import exitcodes
from opconf.project import load_project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("freeze", help="change-freeze windows (freeze: in opconf.yaml)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    s = verbs.add_parser("status", help="open windows and the next transitions")
    s.add_argument("--at", metavar="TIME", help="ISO 8601 instant (default: now; no offset: UTC)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.freeze import when
    from opconf.freeze.status import status

    at = _instant(args.at)
    windows = load_project(args.project).freeze
    rows = status(windows, at)
    if args.format == "json":
        data = {"at": at.isoformat(), "windows": [r.as_dict() for r in rows]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return exitcodes.OK
    print(f"At {when(at, UTC)}:")
    if not rows:
        print("No freeze windows (freeze: in opconf.yaml): apply is never blocked.")
    for row in sorted(rows, key=lambda r: not r.open):
        print(f"  {row.line()}")
    return exitcodes.OK


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
