"""``opconf store init [--demo]``: create or upgrade the store's tables."""

from __future__ import annotations

import argparse

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("store", help="manage the store itself")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    init = verbs.add_parser("init", help="create or upgrade the tables (idempotent)")
    init.add_argument("--demo", action="store_true", help="seed sample CRM data")
    add_store_options(init)
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    _, store = open_store(args)
    print(store.init(demo=args.demo))
    return exitcodes.OK
