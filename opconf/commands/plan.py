"""``opconf plan``: what apply would change, for review (text, JSON, Markdown)."""

from __future__ import annotations

import argparse
import sys

from opconf import exitcodes
from opconf.commands._common import (
    add_output_options,
    add_store_options,
    freeze_note,
    open_store,
    print_invalid,
    show_plan,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("plan", help="show what apply would change in the store")
    add_output_options(p, "save the plan for `opconf apply FILE`")
    p.add_argument("--prune", action="store_true", default=None, help="delete unmanaged objects")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there are no changes, 1 on errors, 2 when there are changes",
    )
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.workflow import plan_config, validate_config

    project, store = open_store(args)
    result = validate_config(project.config)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; nothing was planned", file=sys.stderr)
        return exitcodes.PROBLEMS
    prune = project.prune if args.prune is None else args.prune
    plan = plan_config(result, store, prune)
    show_plan(plan, args.format, args.out, freeze_note(project, plan))
    if plan.errors:
        return exitcodes.PROBLEMS
    if args.detailed_exitcode and plan.changes:
        return exitcodes.CHANGES
    return exitcodes.OK
