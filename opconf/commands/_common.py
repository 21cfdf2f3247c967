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
    from collections.abc import Callable

    from opconf.apply import ApplyResult, Progress
    from opconf.freeze import FreezeGuard
    from opconf.plan.model import Change, Plan
    from opconf.store import Store
    from opconf.store.model import StoreState
    from opconf.store.write import Writer
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
    p.add_argument(
        "--override-freeze",
        action="store_true",
        help="apply even while a freeze window blocks it (needs --reason; recorded in history)",
    )
    p.add_argument("--reason", metavar="TEXT", help="why the freeze is overridden")


def check_freeze_options(args: argparse.Namespace) -> str | None:
    """The reason ``--override-freeze`` asks for (None without it); a usage error for a
    missing or stray ``--reason``. Commands call it first, before anything is printed."""
    from opconf.errors import UsageError

    reason = (args.reason or "").strip()
    if args.override_freeze and not reason:
        raise UsageError(
            "--override-freeze needs --reason TEXT", hint="say why: it is recorded in history"
        )
    if args.reason is not None and not args.override_freeze:
        raise UsageError("--reason is only for --override-freeze")
    return reason if args.override_freeze else None


def freeze_guard(args: argparse.Namespace) -> FreezeGuard:
    """The project's freeze windows, checked against the clock, with the override asked for."""
    from opconf.freeze import FreezeGuard

    reason = check_freeze_options(args)
    return FreezeGuard(load_project(args.project).freeze, override_reason=reason)


def freeze_note(project: Project, plan: Plan) -> str | None:
    """``apply blocked by freeze 'Q4 close' until …`` when a window blocks ``plan`` now."""
    from datetime import UTC, datetime

    from opconf.freeze import blocked_line, decide, touched_by

    if not project.freeze or not plan.changes:
        return None
    decision = decide(project.freeze, touched_by(plan), datetime.now(UTC))
    return None if decision.allowed else blocked_line(decision)


def add_output_options(p: argparse.ArgumentParser, out_help: str) -> None:
    """``--format`` and ``--out`` of the commands that make a plan (plan, rollback)."""
    p.add_argument("--format", choices=PLAN_FORMATS, default="text", help="output format")
    p.add_argument("--out", metavar="FILE", type=Path, help=out_help)


def show_plan(plan: Plan, fmt: str, out: Path | None, freeze: str | None = None) -> None:
    """Print ``plan`` in ``fmt``; save it to ``out`` (saying so after a text plan).

    ``freeze``: the line saying that a freeze window blocks the apply now, if one does.
    """
    from opconf.plan.render import render
    from opconf.plan.saved import save

    sys.stdout.write(render(plan, fmt, freeze=freeze))
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


def apply_unattended(
    store: Store,
    args: argparse.Namespace,
    *,
    make_plan: Callable[[StoreState], Plan],
    show: Callable[[Plan], object],
    config: Path,
    progress: Progress | None,
) -> int:
    """``--auto-approve``, as Terraform does: lock, plan against the store read under the
    lock, show the plan, apply it in the same transaction. The store is read once, and what
    a writer this one waited for committed is in the plan, which cannot go stale."""
    from opconf.store.model import Holder

    holder, timeout = Holder.local(args.actor), args.statement_timeout
    with store.writer(holder, args.lock_timeout, statement_timeout=timeout) as writer:
        plan = make_plan(writer.state)
        show(plan)
        return execute(
            store, plan, args, ask=False, config=config, progress=progress, writer=writer
        )


def execute(
    store: Store,
    plan: Plan,
    args: argparse.Namespace,
    *,
    ask: bool,
    config: Path,
    progress: Progress | None = None,
    writer: Writer | None = None,
) -> int:
    """Confirm when asked to, apply, print the summary line.

    ``config`` is the project's config folder: the revision records its git commit.
    ``writer``: the locked transaction ``plan`` was made in, to apply it in (unattended).
    """
    from opconf.apply import apply_plan, refuse_unsafe, write_plan
    from opconf.errors import PlanRefused
    from opconf.store.model import Holder

    guard = freeze_guard(args)
    if not plan.changes:
        return exitcodes.PROBLEMS if plan.errors else exitcodes.OK
    refuse_unsafe(plan, args.allow_destructive)
    if getattr(args, "dry_run", False):
        return dry_run(store, plan, args, guard)
    override = guard.check(plan)  # before asking; apply checks again, and before it commits
    if writer is not None:
        holder = Holder.local(args.actor)
        result = write_plan(
            writer,
            plan,
            holder=holder,
            progress=progress,
            config=config,
            freeze=guard,
            override=override,
        )
        return _applied(result, args)
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
        freeze=guard,
    )
    return _applied(result, args)


def _applied(result: ApplyResult, args: argparse.Namespace) -> int:
    """The freeze override, if any, and the ``Apply complete`` line."""
    from opconf.store.model import Holder

    if result.override:
        names = ", ".join(f"'{name}'" for name in result.override.windows)
        print(
            f"\nFreeze {names} overridden by {Holder.local(args.actor).actor}: "
            f"{result.override.reason} (recorded in history)."
        )
    print(f"\n{complete_line(result)}")
    return exitcodes.OK


def dry_run(store: Store, plan: Plan, args: argparse.Namespace, guard: FreezeGuard) -> int:
    """``apply --dry-run``: the real writes, rolled back; exit 0 when apply would succeed."""
    from opconf.dryrun import dry_run as run_dry
    from opconf.errors import FrozenError, PlanRefused
    from opconf.store.model import Holder

    problems = []
    try:
        override = guard.check(plan)
    except FrozenError as exc:
        problems.append(exc.message)
    else:
        if override:
            names = ", ".join(f"'{name}'" for name in override.windows)
            print(f"\nFreeze {names} would be overridden: {override.reason}.")
    refusals = run_dry(
        store,
        plan,
        holder=Holder.local(args.actor, action="dry-run"),
        allow_destructive=args.allow_destructive,
        lock_timeout=args.lock_timeout,
        statement_timeout=args.statement_timeout,
    )
    problems += [f"{r.kind} {r.key}: {r.message}" if r.kind else r.message for r in refusals]
    if problems:
        print(
            f"\nDry run: the apply would fail ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}):"
        )
        for problem in problems:
            print(f"  {problem}")
        raise PlanRefused(
            "the apply would fail; nothing was written",
            hint="fix the configuration or the CRM's data, then plan again",
        )
    counts = ", ".join(f"{n} to {a}" for a, n in plan.summary().items() if n)
    print(f"\nDry run: the apply would succeed ({counts}); nothing was written.")
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
