"""``opconf history``: the applied revisions, newest first."""

from __future__ import annotations

import argparse
import json

from opconf import exitcodes
from opconf.commands._common import PAST, add_store_options, open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="list applied revisions")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _, store = open_store(args)
    entries = sorted(store.history(), key=lambda e: e.revision, reverse=True)
    if args.format == "json":
        rows = [
            {
                "revision": e.revision,
                "applied_at": e.applied_at.isoformat(),
                "actor": e.actor,
                "host": e.host,
                "git_commit": e.git_commit,
                "plan_digest": e.plan_digest,
                "summary": e.summary,
                "override_windows": e.override_windows,
                "override_reason": e.override_reason,
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2))
        return exitcodes.OK
    if not entries:
        print("No revisions yet: nothing has been applied to this store.")
        return exitcodes.OK
    print(f"{'REV':>5}  {'APPLIED (UTC)':<20}  {'ACTOR':<14}  {'COMMIT':<8}  CHANGES")
    for e in entries:
        changes = ", ".join(f"{e.summary[a]} {p}" for a, p in PAST.items() if e.summary.get(a))
        changes = changes or "none"
        commit = (e.git_commit or "-")[:8]
        when = e.applied_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{e.revision:>5}  {when:<20}  {e.actor[:14]:<14}  {commit:<8}  {changes}")
        if e.override_reason is not None:
            print(f"{'':>5}  freeze overridden ({e.override_windows}): {e.override_reason}")
    return exitcodes.OK
