"""``opconf catalogue``: the configuration as one HTML page to look at (SPEC §10)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opconf import exitcodes
from opconf.commands._common import print_invalid


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("catalogue", help="write the configuration as a browsable HTML page")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("catalogue"),
        metavar="DIR",
        help="folder to write index.html into (default: ./catalogue)",
    )
    p.add_argument(
        "--plan",
        type=Path,
        metavar="PLANFILE",
        help="mark the pending changes of a saved plan (`opconf plan --out FILE`)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="draw a plan made from another configuration anyway (its marks may not match)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.catalogue import build, render, write
    from opconf.catalogue.labels import from_snapshot
    from opconf.catalogue.waived import by_object
    from opconf.diagnostics import plural
    from opconf.errors import PlanRefused
    from opconf.plan import saved
    from opconf.plan.desired import from_index
    from opconf.project import load_project
    from opconf.workflow import validate_config

    project = load_project(args.project)
    plan = saved.load(args.plan) if args.plan else None
    result = validate_config(project.config, project.policy)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; no catalogue was written", file=sys.stderr)
        return exitcodes.PROBLEMS
    if plan and plan.base.config_digest != result.config_digest:
        if not args.force:
            raise PlanRefused(
                f"{args.plan} was planned from another configuration than {project.config}",
                hint=f"plan again (`opconf plan --out {args.plan}`), or pass --force to draw"
                " its marks anyway",
            )
        print(
            f"warning: {args.plan} was planned from another configuration; "
            "its marks may not match what is shown",
            file=sys.stderr,
        )
    objects = from_index(result.index)
    waived = by_object(objects, result.diagnostics)
    catalogue = build(objects, plan, from_snapshot(project.refs_file), waived)
    path = write(render(catalogue), args.out)
    counts = ", ".join(t.count for t in catalogue.tabs)
    marked = f"; {plural(len(plan.changes), 'pending change')} marked" if plan else ""
    if catalogue.waived:
        marked += f"; {catalogue.waived_summary}"
    print(f"Wrote {path}: {counts}{marked}.")
    return exitcodes.OK
