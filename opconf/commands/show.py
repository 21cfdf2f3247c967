"""``opconf show FILE``: render a saved plan (checked like one that is applied)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opconf import exitcodes
from opconf.commands._common import PLAN_FORMATS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("show", help="render a saved plan")
    p.add_argument("planfile", type=Path, metavar="FILE")
    p.add_argument("--format", choices=PLAN_FORMATS, default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.plan import saved
    from opconf.plan.render import render

    sys.stdout.write(render(saved.load(args.planfile), args.format))
    return exitcodes.OK
