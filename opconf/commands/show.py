"""``opconf show FILE``: render a saved plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opconf import exitcodes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("show", help="render a saved plan")
    p.add_argument("planfile", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.commands.apply import load_plan
    from opconf.commands.plan import render

    sys.stdout.write(render(load_plan(args.planfile), args.format))
    return exitcodes.OK
