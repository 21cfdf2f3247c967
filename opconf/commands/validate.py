"""``opconf validate [PATH...]``: check documents against the schemas and the rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opconf import exitcodes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="check documents against the schemas and the rules")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    p.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        default="text",
        help="output format (default: text)",
    )
    p.add_argument("--strict", action="store_true", help="warnings fail validation too")
    p.add_argument("--refs", metavar="FILE", type=Path, help="reference data snapshot")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.project import load_project
    from opconf.references import load_references
    from opconf.report import REPORTERS
    from opconf.validate import validate_paths

    project = load_project(args.project)
    refs = load_references(args.refs or project.refs_file)
    if args.refs and refs is None:
        from opconf.errors import UsageError

        raise UsageError(f"reference data file {args.refs} does not exist")
    result = validate_paths(args.paths or [project.config], refs)
    sys.stdout.write(REPORTERS[args.format](result, args.strict))
    return exitcodes.OK if result.valid(args.strict) else exitcodes.PROBLEMS
