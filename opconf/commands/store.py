"""``opconf store init [--demo [--force]]`` and ``opconf store check``: the store itself."""

from __future__ import annotations

import argparse

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store
from opconf.diagnostics import plural
from opconf.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("store", help="manage the store itself")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    init = verbs.add_parser(
        "init", help="create or upgrade opconf's tables (idempotent), after checking the CRM's"
    )
    init.add_argument("--demo", action="store_true", help="seed sample CRM data")
    init.add_argument(
        "--force",
        action="store_true",
        help="--demo on PostgreSQL, or on a store already holding CRM rows",
    )
    add_store_options(init)
    init.set_defaults(run=run_init)
    check = verbs.add_parser(
        "check", help="compare the database with what opconf needs; each problem with its fix"
    )
    add_store_options(check)
    check.set_defaults(run=run_check)


def run_init(args: argparse.Namespace) -> int:
    _, store = open_store(args)
    if args.demo and not args.force:
        if store.backend == "postgresql":
            raise UsageError(
                f"--demo seeds sample data; {store.display_url} is PostgreSQL, a real CRM's",
                hint="pass --force to seed it all the same",
            )
        if store.holds_crm_rows():
            raise UsageError(
                f"--demo seeds sample data; {store.display_url} already holds CRM rows",
                hint="pass --force to seed it all the same",
            )
    message = store.init(demo=args.demo)
    print(f"Store: {store.display_url}\n{message}")
    return exitcodes.OK


def run_check(args: argparse.Namespace) -> int:
    _, store = open_store(args)
    problems = store.check()
    print(f"Store: {store.display_url}")
    for problem in problems:
        print(f"{problem.message}; fix: {problem.fix}")
    if problems:
        print(f"Not compatible: {plural(len(problems), 'problem')}.")
        return exitcodes.PROBLEMS
    print("Compatible: opconf can read and write this store.")
    return exitcodes.OK
