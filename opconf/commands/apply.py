"""``opconf apply [PLANFILE]``: make the store match — one transaction, under the lock."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from opconf import exitcodes
from opconf.commands._common import (
    PAST,
    add_store_options,
    confirm,
    interactive,
    open_store,
    seconds,
)

MAX_PLAN_BYTES = 1024 * 1024 * 1024  # far above any real plan; bounds a runaway file

if TYPE_CHECKING:
    from opconf.apply import ApplyResult
    from opconf.plan.model import Change, Plan
    from opconf.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("apply", help="apply the configuration (or a saved plan) to the store")
    p.add_argument("planfile", nargs="?", type=Path, metavar="PLANFILE", help="a saved plan")
    add_apply_options(p)
    p.add_argument("--prune", action="store_true", default=None, help="delete unmanaged objects")
    add_store_options(p)
    p.set_defaults(run=run)


def add_apply_options(p: argparse.ArgumentParser) -> None:
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


def load_plan(path: Path) -> Plan:
    import json

    from opconf.errors import UsageError
    from opconf.fsio import read_bytes
    from opconf.plan.model import FORMAT_VERSION, Plan

    if not os.path.lexists(path):
        raise UsageError(f"plan file {path} does not exist")
    try:  # a regular file within the cap, or a FileError
        data = json.loads(read_bytes(path, MAX_PLAN_BYTES))
    except ValueError as exc:
        raise UsageError(f"cannot read plan file {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise UsageError(
            f"{path} is not an opconf plan (format_version {FORMAT_VERSION})",
            hint="save one with `opconf plan --out FILE`",
        )
    try:
        return Plan.from_dict(data)
    except (KeyError, TypeError) as exc:
        raise UsageError(f"{path}: malformed plan ({exc})") from None


def check_origin(plan: Plan, store_url: str) -> None:
    """A saved plan applies only to the store it was made for, by the same opconf."""
    from opconf import __version__
    from opconf.errors import StalePlanError

    if plan.base.store != store_url:
        raise StalePlanError(
            f"the plan was made for {plan.base.store}, not {store_url}",
            hint="select the same store with --store or --target",
        )
    if plan.base.tool_version != __version__:
        raise StalePlanError(
            f"the plan was made by opconf {plan.base.tool_version}; this is {__version__}",
            hint="plan again with this version",
        )


def run(args: argparse.Namespace) -> int:
    from opconf.commands.plan import print_invalid, render
    from opconf.workflow import plan_config, validate_config

    project, store = open_store(args)
    if args.planfile:
        plan = load_plan(args.planfile)
        check_origin(plan, store.display_url)
        store.ensure_ready(auto_init=False)
        sys.stdout.write(render(plan, "text"))
        return execute(store, plan, args, ask=False)
    result = validate_config(project.config)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; nothing was applied", file=sys.stderr)
        return exitcodes.PROBLEMS
    store.ensure_ready(auto_init=True)
    plan = plan_config(result, store, project.prune if args.prune is None else args.prune)
    sys.stdout.write(render(plan, "text"))
    return execute(store, plan, args, ask=not args.auto_approve)


def execute(store: Store, plan: Plan, args: argparse.Namespace, ask: bool) -> int:
    """Confirm when asked to, apply, print the summary line."""
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
        progress=_progress(sys.stderr),
    )
    print(f"\n{complete_line(result)}")
    return exitcodes.OK


def _progress(stream: TextIO) -> Callable[[int, int, Change], None] | None:
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


def complete_line(result: ApplyResult) -> str:
    parts = [f"{n} {PAST[action]}" for action, n in result.summary.items() if n]
    return f"Apply complete: {', '.join(parts) or 'nothing changed'} (revision {result.revision})."
