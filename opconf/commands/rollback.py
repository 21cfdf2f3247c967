"""``opconf rollback REV``: plan the store back to a revision's snapshot, then apply it."""

from __future__ import annotations

import argparse
import sys

from opconf.commands._common import add_store_options, open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from opconf.commands.apply import add_apply_options

    p = sub.add_parser("rollback", help="return the store to an earlier revision")
    p.add_argument("revision", type=int, metavar="REV")
    add_apply_options(p)
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.commands.apply import execute
    from opconf.commands.plan import render
    from opconf.workflow import plan_rollback

    _, store = open_store(args)
    plan = plan_rollback(store, args.revision)
    sys.stdout.write(render(plan, "text"))
    return execute(store, plan, args, ask=not args.auto_approve)
