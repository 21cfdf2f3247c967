"""``opconf plan``: what apply would change, for review (text, JSON, Markdown)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store

if TYPE_CHECKING:
    from opconf.plan.model import Plan
    from opconf.validate import ValidationResult

FORMATS = ("text", "json", "markdown")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("plan", help="show what apply would change in the store")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--out", metavar="FILE", type=Path, help="save the plan for `opconf apply FILE`")
    p.add_argument("--prune", action="store_true", default=None, help="delete unmanaged objects")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there are no changes, 1 on errors, 2 when there are changes",
    )
    add_store_options(p)
    p.set_defaults(run=run)


def render(plan: Plan, fmt: str) -> str:
    from opconf.plan import render_markdown, render_text

    if fmt == "json":
        return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown.render(plan)
    return render_text.render(plan)


def save(plan: Plan, path: Path) -> None:
    from opconf.errors import UsageError

    try:
        path.write_text(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the plan to {path}: {exc.strerror}") from None


def print_invalid(result: ValidationResult) -> None:
    """Validation diagnostics on stderr, then the summary: plan refuses invalid config."""
    from opconf.report import text

    for d in result.diagnostics:
        print(text.line(d), file=sys.stderr)
    print(text.summary(result), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from opconf.workflow import plan_config, validate_config

    project, store = open_store(args)
    result = validate_config(project.config)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; nothing was planned", file=sys.stderr)
        return exitcodes.PROBLEMS
    prune = project.prune if args.prune is None else args.prune
    plan = plan_config(result, store, prune)
    sys.stdout.write(render(plan, args.format))
    if args.out:
        save(plan, args.out)
        if args.format == "text":
            print(
                f"\nSaved the plan to {args.out}; apply exactly it with `opconf apply {args.out}`."
            )
    if plan.errors:
        return exitcodes.PROBLEMS
    if args.detailed_exitcode and plan.changes:
        return exitcodes.CHANGES
    return exitcodes.OK
