"""``opconf drift``: what changed in the CRM since the last apply, beside what is pending.

Exit 0 without drift, 2 with drift when ``--detailed-exitcode`` is given, 1 on an invalid
configuration, 65 when the store cannot be read (or an apply kept it locked).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import (
    PLAN_FORMATS,
    add_store_options,
    open_store,
    print_invalid,
    seconds,
)
from opconf.errors import UsageError

if TYPE_CHECKING:
    from opconf.plan.diff import Desired
    from opconf.store.model import Settled


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("drift", help="show what changed in the store outside opconf")
    p.add_argument("--format", choices=PLAN_FORMATS, default="text", help="output format")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there is no drift, 1 on errors, 2 when there is drift",
    )
    _accept_options(p)
    p.add_argument(
        "--lock-timeout",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for an apply in progress to finish (default: 0)",
    )
    add_store_options(p)
    p.set_defaults(run=run)


def _accept_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--accept",
        nargs="*",
        metavar="KIND/KEY",
        help="merge the CRM's changes into the configuration (all, or the objects named)",
    )
    p.add_argument(
        "--take",
        nargs="+",
        metavar=("crm", "KIND/KEY"),
        help="with --accept: resolve conflicts with the CRM's values (all, or the objects named)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="with --accept: leave out the objects matching KIND/KEY-GLOB (repeatable)",
    )


def _take(values: list[str] | None) -> list[str] | None:
    """``--take crm [KIND/KEY...]``: the objects whose conflicts take the CRM's values."""
    if values is None:
        return None
    if values[0] != "crm":
        raise UsageError(
            f"--take {values[0]}: only the CRM's side can be taken",
            hint="opconf drift --accept --take crm [KIND/KEY...]",
        )
    return values[1:]


def run(args: argparse.Namespace) -> int:
    from opconf.drift import drift_of
    from opconf.drift.render import RENDERERS
    from opconf.plan.desired import from_index
    from opconf.workflow import validate_config

    project, store = open_store(args)
    result = validate_config(project.config, project.policy)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; drift was not checked", file=sys.stderr)
        return exitcodes.PROBLEMS
    desired = from_index(result.index)
    settled = store.read_settled(args.lock_timeout)
    drift = drift_of(desired, settled, store=store.display_url, ignore=project.drift_ignore)
    if args.accept is not None:
        return _accept(args, desired, settled, project.config)
    if args.take or args.exclude:
        raise UsageError(
            "--take and --exclude go with --accept", hint="opconf drift --accept --take crm"
        )
    sys.stdout.write(RENDERERS[args.format](drift))
    if args.detailed_exitcode and drift.drifted:
        return exitcodes.CHANGES
    return exitcodes.OK


def _accept(
    args: argparse.Namespace, desired: list[Desired], settled: Settled, config: Path
) -> int:
    from opconf.drift.accept import Selection, accept

    selection = Selection(args.accept, args.exclude, _take(args.take))
    accepted = accept(desired, settled, config, selection)
    sys.stdout.write(accepted.report())
    return exitcodes.CHANGES if args.detailed_exitcode and accepted.conflicts else exitcodes.OK
