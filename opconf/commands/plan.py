"""``opconf plan``: what apply would change, for review (text, JSON, Markdown).

In JSON and Markdown (a PR comment) a configuration that cannot be planned still gets its
output: the validation problems, linked to their lines inside GitHub Actions.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import (
    add_output_options,
    add_select_option,
    add_store_options,
    freeze_note,
    open_store,
    print_invalid,
    selection,
    show_plan,
)

if TYPE_CHECKING:
    from opconf.errors import InvalidFileError
    from opconf.plan.model import Plan
    from opconf.sourcelinks import SourceLinks
    from opconf.validate import ValidationResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("plan", help="show what apply would change in the store")
    add_output_options(p, "save the plan for `opconf apply FILE`")
    p.add_argument("--prune", action="store_true", default=None, help="delete unmanaged objects")
    add_select_option(p, "the changes")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there are no changes, 1 on errors, 2 when there are changes",
    )
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.errors import InvalidFileError
    from opconf.workflow import plan_config, validate_config

    select = selection(args)
    try:
        project, store = open_store(args)
    except InvalidFileError as exc:  # opconf.yaml: the comment says why, the CLI exits 64
        if args.format != "text":
            _write_invalid(args, _result_of(exc))
        raise
    result = validate_config(project.config, project.policy)
    if not result.valid():
        if args.format == "text":
            print_invalid(result)
        else:
            _write_invalid(args, result)
        print("error: the configuration is invalid; nothing was planned", file=sys.stderr)
        return exitcodes.PROBLEMS
    prune = project.prune if args.prune is None else args.prune
    plan = plan_config(result, store, prune, select=select)
    _show(plan, args, freeze_note(project, plan, store))
    if plan.errors:
        return exitcodes.PROBLEMS
    if args.detailed_exitcode and plan.changes:
        return exitcodes.CHANGES
    return exitcodes.OK


def _show(plan: Plan, args: argparse.Namespace, freeze: str | None) -> None:
    """Print (and save) the plan; the Markdown comment names its target and links lines.

    ``freeze``: the line saying that a freeze window blocks the apply now, if one does.
    """
    if args.format != "markdown":
        show_plan(plan, args.format, args.out, freeze)
        return
    from opconf.plan import render_markdown
    from opconf.plan.saved import save

    comment = render_markdown.render(plan, target=args.target, links=_links())
    sys.stdout.write(render_markdown.with_freeze(comment, freeze) if freeze else comment)
    if args.out:
        save(plan, args.out)


def _result_of(exc: InvalidFileError) -> ValidationResult:
    from opconf.validate import ValidationResult

    result = ValidationResult(files=1)  # the project file
    result.include(exc.diagnostics)
    return result


def _write_invalid(args: argparse.Namespace, result: ValidationResult) -> None:
    """The validation problems as the plan's output (JSON, or the Markdown comment)."""
    from opconf.plan.render_markdown import marker
    from opconf.report import json, markdown

    if args.format == "json":
        sys.stdout.write(json.render(result, False, links=_links()))
        return
    title, target = "opconf plan", marker(args.target)
    sys.stdout.write(markdown.render(result, False, title=title, marker=target, links=_links()))


def _links() -> SourceLinks | None:
    from opconf.sourcelinks import SourceLinks

    return SourceLinks.from_env(os.environ, Path.cwd())
