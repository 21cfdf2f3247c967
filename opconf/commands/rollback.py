"""``opconf rollback REV``: plan the store back to a revision's snapshot, then apply it.

With ``--out FILE`` the plan is saved for review instead (``opconf apply FILE`` applies it).
"""

from __future__ import annotations

import argparse
import sys

from opconf import exitcodes
from opconf.commands._common import (
    add_apply_options,
    add_output_options,
    add_store_options,
    check_freeze_options,
    open_store,
    show_plan,
)
from opconf.commands._execute import apply_unattended, execute, progress_line

# Revisions are stored as 64-bit integers and start at 1.
MAX_REVISION = 2**63 - 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rollback", help="return the store to an earlier revision")
    p.add_argument("revision", type=int, metavar="REV")
    add_output_options(p, "save the plan instead of applying it (then `opconf apply FILE`)")
    add_apply_options(p)
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.errors import UsageError
    from opconf.targets import confirm_word
    from opconf.workflow import plan_rollback

    check_freeze_options(args)
    if not 1 <= args.revision <= MAX_REVISION:
        raise UsageError(
            f"revision {args.revision} is not in the history",
            hint="revisions are numbered from 1; see `opconf history`",
        )
    project, store = open_store(args)
    progress = progress_line(sys.stderr)
    if args.auto_approve and not args.out:
        return apply_unattended(
            store,
            args,
            project,
            make_plan=lambda state: plan_rollback(store, args.revision, state=state),
            show=lambda plan: show_plan(
                plan, args.format, None, destructive_allowed=args.allow_destructive
            ),
            progress=progress,
        )
    plan = plan_rollback(store, args.revision)
    allowed = args.allow_destructive and not args.out
    show_plan(plan, args.format, args.out, destructive_allowed=allowed)
    if args.out:
        return exitcodes.PROBLEMS if plan.errors else exitcodes.OK
    ask = not args.auto_approve
    word = confirm_word(project, args.store, args.target)
    return execute(store, plan, args, project, ask=ask, progress=progress, word=word)
