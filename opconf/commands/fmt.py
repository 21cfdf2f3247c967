"""``opconf fmt [--check] [PATH...]``: rewrite documents in canonical form (SPEC §3).

Without ``--check`` changed files are rewritten (``reformatted PATH`` each); with it nothing is
written and a unified diff is shown for each file that would change. Files that are not YAML
are reported (``path:line:col: cannot format: reason``) and skipped; the others are still done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes

if TYPE_CHECKING:
    from opconf.fmt import FmtResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``fmt`` command."""
    p = sub.add_parser(
        "fmt",
        help="rewrite documents with canonical key order and indentation",
        description="Rewrite YAML documents in canonical form: key order, 2-space indentation; "
        "comments, quoting and folded text are kept. Only files that change are written.",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; show a diff and exit 1 when a file is not formatted",
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: the project's config folder)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Format the files; exit 1 when ``--check`` finds changes or a file cannot be read."""
    from opconf.fmt import format_paths
    from opconf.project import load_project

    paths = args.paths or [load_project(args.project).config]
    result = format_paths(paths, check=args.check)
    for failure in result.failures:
        print(failure, file=sys.stderr)
    for path, diff in result.changed:
        sys.stdout.write(diff if args.check else f"reformatted {path}\n")
    print(summary(result, args.check))
    failed = bool(result.failures) or (args.check and bool(result.changed))
    return exitcodes.PROBLEMS if failed else exitcodes.OK


def summary(result: FmtResult, check: bool) -> str:
    """``2 files reformatted, 5 files left unchanged`` and the like."""
    changed, unchanged = len(result.changed), len(result.unchanged)
    if check:
        parts = [f"{_files(changed)} would be reformatted"] if changed else []
        parts += [f"{_files(unchanged)} already formatted"] if unchanged or not changed else []
    else:
        parts = [f"{_files(changed)} reformatted", f"{_files(unchanged)} left unchanged"]
    if result.failures:
        parts.append(f"{_files(len(result.failures))} could not be formatted")
    return ", ".join(parts)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"
