"""Applying a plan from the command line (apply, rollback): confirm, apply unattended under
the lock, dry run, progress and the closing line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from opconf import exitcodes
from opconf.commands._common import PAST, freeze_guard

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from opconf.apply import ApplyResult, Progress
    from opconf.freeze import FreezeGuard
    from opconf.plan.model import Change, Plan
    from opconf.store import Store
    from opconf.store.model import StoreState
    from opconf.store.write import Writer


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
    word: str | None = None,
) -> int:
    """Confirm when asked to, apply, print the summary line.

    ``config`` is the project's config folder: the revision records its git commit.
    ``writer``: the locked transaction ``plan`` was made in, to apply it in (unattended).
    ``word``: what the person types to confirm (None: y/N).
    """
    from opconf.apply import apply_plan, refuse_unsafe, write_plan
    from opconf.errors import PlanRefused
    from opconf.store.model import Holder

    guard = freeze_guard(args, store)
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
        if not confirm(word, store.display_url):
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

    problems, frozen = [], False
    try:
        override = guard.check(plan)
    except FrozenError as exc:
        problems.append(exc.message)
        frozen = True
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
            "the apply would fail; nothing was written", hint=_dry_hint(frozen, refusals)
        )
    counts = ", ".join(f"{n} to {a}" for a, n in plan.summary().items() if n)
    print(f"\nDry run: the apply would succeed ({counts}); nothing was written.")
    return exitcodes.OK


def _dry_hint(frozen: bool, refusals: Sequence[object]) -> str:
    """What to do about what blocks the apply: the freeze, the data, or both."""
    freeze = "wait for the freeze to end, or pass --override-freeze --reason TEXT"
    data = "fix the configuration or the CRM's data, then plan again"
    if frozen and not refusals:
        return freeze
    return f"{freeze}; {data}" if frozen else data


def confirm(word: str | None, where: str) -> bool:
    """Ask on the terminal: y/N (anything but y/yes is no), or, with ``word``, to type it
    exactly (anything else is no)."""
    if word is None:
        sys.stdout.write("\nApply these changes? [y/N] ")
    else:
        sys.stdout.write(f"\nApply these changes to {where}? Type {word} to confirm: ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip()
    return answer == word if word is not None else answer.lower() in ("y", "yes")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


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
