"""Options and helpers shared by the commands that talk to a store."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from opconf import exitcodes
from opconf.project import Project, load_project, resolve_store

if TYPE_CHECKING:
    from opconf.apply import ApplyResult, Progress
    from opconf.plan.model import Change, Plan
    from opconf.store import Store
    from opconf.validate import ValidationResult


# The renderers of opconf.plan.render, named here so that building the parser does not
# import the plan package (and the store behind it).
PLAN_FORMATS = ("text", "json", "markdown")
PAST = {
    "create": "created",
    "update": "updated",
    "rename": "renamed",
    "delete": "deleted",
    "adopt": "adopted",
    "release": "released",
}


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, at least 0 (``nan`` or ``inf`` would
    make a lock wait loop forever)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (finite, >= 0)")
    return value


def add_store_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("store selection (strongest first)")
    group.add_argument(
        "--store", metavar="URL", help="store URL (sqlite:///file or postgresql://…)"
    )
    group.add_argument("--target", metavar="NAME", help="a target named in opconf.yaml")


def open_store(args: argparse.Namespace) -> tuple[Project, Store]:
    from opconf.store import Store

    project = load_project(args.project)
    return project, Store(resolve_store(project, args.store, args.target))


def confirm(question: str) -> bool:
    """Ask on the terminal; anything but y/yes is no."""
    sys.stdout.write(f"{question} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def add_apply_options(p: argparse.ArgumentParser) -> None:
    """The options of the commands that apply a plan (apply, rollback)."""
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--allow-destructive", action="store_true", help="allow deleting objects, stages, steps"
    )
    p.add_argument(
        "--lock-timeout",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another apply to finish (default: 0)",
    )
    p.add_argument("--actor", help="who applies (default: $OPCONF_ACTOR, else the OS user)")
    p.add_argument(
        "--statement-timeout",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="PostgreSQL: give up when a statement runs, or waits for a row another session"
        " locked, this long (default: 60; 0: the database's own settings)",
    )


def add_output_options(p: argparse.ArgumentParser, out_help: str) -> None:
    """``--format`` and ``--out`` of the commands that make a plan (plan, rollback)."""
    p.add_argument("--format", choices=PLAN_FORMATS, default="text", help="output format")
    p.add_argument("--out", metavar="FILE", type=Path, help=out_help)


def show_plan(plan: Plan, fmt: str, out: Path | None) -> None:
    """Print ``plan`` in ``fmt``; save it to ``out`` (saying so after a text plan)."""
    from opconf.plan.render import render
    from opconf.plan.saved import save

    sys.stdout.write(render(plan, fmt))
    if out:
        save(plan, out)
        if fmt == "text":
            print(f"\nSaved the plan to {out}; apply exactly it with `opconf apply {out}`.")


def print_invalid(result: ValidationResult) -> None:
    """Validation diagnostics on stderr, then the summary: plan refuses invalid config."""
    from opconf.report import text

    for d in result.diagnostics:
        print(text.line(d), file=sys.stderr)
    print(text.summary(result), file=sys.stderr)


def execute(
    store: Store,
    plan: Plan,
    args: argparse.Namespace,
    *,
    ask: bool,
    config: Path,
    progress: Progress | None = None,
) -> int:
    """Confirm when asked to, apply, print the summary line.

    ``config`` is the project's config folder: the revision records its git commit.
    """
    from opconf.apply import apply_plan, refuse_unsafe
    from opconf.errors import PlanRefused
    from opconf.store.model import Holder

    if not plan.changes:
        return exitcodes.PROBLEMS if plan.errors else exitcodes.OK
    refuse_unsafe(plan, args.allow_destructive)
    if ask:
        if not interactive():
            raise PlanRefused(
                "no terminal to confirm on", hint="pass --auto-approve, or apply a saved plan"
            )
        if not confirm("\nApply these changes?"):
            print("Apply cancelled; nothing was changed.")
            return exitcodes.PROBLEMS
    result = apply_plan(
        store,
        plan,
        holder=Holder.local(args.actor),
        allow_destructive=args.allow_destructive,
        lock_timeout=args.lock_timeout,
        progress=progress,
        config=config,
        statement_timeout=args.statement_timeout,
    )
    print(f"\n{complete_line(result)}")
    return exitcodes.OK


def complete_line(result: ApplyResult) -> str:
    parts = [f"{n} {PAST[action]}" for action, n in result.summary.items() if n]
    return f"Apply complete: {', '.join(parts) or 'nothing changed'} (revision {result.revision})."


def progress_line(stream: TextIO) -> Progress | None:
    """One self-overwriting status line on a terminal; none when ``stream`` is not one.

    With ``NO_COLOR`` set or ``TERM=dumb`` it holds no escape sequence: spaces clear the rest.
    """
    if not stream.isatty():
        return None
    plain = bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
    width = 0

    def show(done: int, total: int, change: Change) -> None:
        nonlocal width
        text = f"[{done}/{total}] {change.action} {change.kind} {change.key}"
        erase, pad = ("", " " * max(0, width - len(text))) if plain else ("\033[K", "")
        width = len(text)
        end = "\n" if done == total else ""
        stream.write(f"\r{erase}{text}{pad}{end}")
        stream.flush()

    return show
