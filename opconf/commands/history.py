"""``opconf history``: the applied revisions, newest first; ``opconf history show REV``: what
one revision changed, who applied it, from which commit."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import PAST, add_store_options, open_store

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from opconf.store.model import HistoryEntry


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="list applied revisions (or show one: history show REV)")
    p.add_argument("show", nargs="?", choices=["show"], help="show one revision")
    p.add_argument("revision", nargs="?", type=int, metavar="REV")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.errors import UsageError

    if (args.show is None) != (args.revision is None):
        raise UsageError("history show needs a revision", hint="opconf history show REV")
    _, store = open_store(args)
    if args.show:
        return show(store.history(), store.snapshot, args)
    entries = sorted(store.history(), key=lambda e: e.revision, reverse=True)
    if args.format == "json":
        print(json.dumps([_json(e) for e in entries], indent=2))
        return exitcodes.OK
    if not entries:
        print("No revisions yet: nothing has been applied to this store.")
        return exitcodes.OK
    print(f"{'REV':>5}  {'APPLIED (UTC)':<20}  {'ACTOR':<14}  {'COMMIT':<8}  CHANGES")
    for e in entries:
        commit = (e.git_commit or "-")[:8] + ("+" if _tree(e) else "")
        when = e.applied_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{e.revision:>5}  {when:<20}  {e.actor[:14]:<14}  {commit:<8}  {changes(e)}")
        if e.override_reason is not None:
            print(f"{'':>5}  freeze overridden ({e.override_windows}): {e.override_reason}")
    if any(_tree(e) for e in entries):
        print("(COMMIT+: applied from a work tree with uncommitted changes)")
    return exitcodes.OK


def changes(e: HistoryEntry) -> str:
    """``rollback to revision 1 (3 updated, 1 deleted)``, ``2 created``, or ``none``."""
    counts = ", ".join(f"{e.summary[a]} {p}" for a, p in PAST.items() if e.summary.get(a))
    if e.summary.get("rollback") is not None:
        return f"rollback to revision {e.summary['rollback']}" + (f" ({counts})" if counts else "")
    select = e.summary.get("select")
    if isinstance(select, list) and select:
        patterns = " ".join(f"--select {p}" for p in select)
        return f"{counts or 'none'} (partial: {patterns})"
    return counts or "none"


def show(
    entries: list[HistoryEntry],
    snapshot: Callable[[int], dict[str, Any] | None],
    args: argparse.Namespace,
) -> int:
    """``history show REV``: the revision's record and the changes its plan made."""
    from opconf.errors import UsageError

    entry = next((e for e in entries if e.revision == args.revision), None)
    if entry is None:
        raise UsageError(
            f"revision {args.revision} is not in the history", hint="see `opconf history`"
        )
    lines = (snapshot(entry.revision) or {}).get("changes")
    if args.format == "json":
        print(json.dumps({**_json(entry), "changes": lines}, indent=2))
        return exitcodes.OK
    for line in _record(entry):
        print(line)
    print("\nChanges:" if lines is not None else "\nChanges: not recorded (an older opconf)")
    for line in lines or ():
        print(f"  {line}")
    return exitcodes.OK


def _record(e: HistoryEntry) -> list[str]:
    tree = _tree(e)
    commit = e.git_commit or "none (not applied from a git work tree)"
    if tree:
        commit += f" + {tree['paths']} uncommitted (dirty: true, {tree['digest']})"
    out = [
        f"Revision {e.revision}: {changes(e)}",
        f"Applied:  {e.applied_at.strftime('%Y-%m-%d %H:%M:%S')} UTC by {e.actor} on {e.host}",
        f"Commit:   {commit}",
        f"Plan:     {e.plan_digest}",
    ]
    if e.override_reason is not None:
        out.append(f"Freeze:   overrode {e.override_windows}: {e.override_reason}")
    return out


def _tree(e: HistoryEntry) -> dict[str, object]:
    tree = e.summary.get("tree")
    return tree if isinstance(tree, dict) else {}


def _json(e: HistoryEntry) -> dict[str, object]:
    return {
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
