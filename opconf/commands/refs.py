"""``opconf refs pull``: snapshot CRM reference data into opconf.refs.yaml for offline checks."""

from __future__ import annotations

import argparse
from pathlib import Path

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store
from opconf.fsio import write_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("refs", help="CRM reference data snapshot")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    pull = verbs.add_parser("pull", help="write opconf.refs.yaml from the store")
    pull.add_argument("--out", type=Path, metavar="FILE", help="default: opconf.refs.yaml")
    pull.add_argument(
        "--no-email",
        action="store_true",
        help="leave the users' e-mail addresses out of the file (validation never needs them)",
    )
    add_store_options(pull)
    pull.set_defaults(run=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    """Write the snapshot (atomically: a reader never sees half a file)."""
    from opconf.emit.refs import render

    project, store = open_store(args)
    data = store.reference_data().as_dict()
    if args.no_email:
        data["users"] = [{k: v for k, v in u.items() if k != "email"} for u in data["users"]]
    out = args.out or project.refs_file
    write_text(out, render(data))
    counts = {k: len(v) for k, v in data.items()}
    print(
        f"Wrote {out}: {counts['users']} users, {counts['coverageRoles']} coverage roles, "
        f"{counts['productTypes']} product types."
    )
    return exitcodes.OK
