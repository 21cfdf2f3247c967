"""Applying a plan from the command line (apply, rollback): the options, the confirmation,
the dry run's report, progress and the closing line. The sequence itself is the core's
(:mod:`opconf.applying`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, TextIO

from opconf import exitcodes
from opconf.commands._common import PAST, check_freeze_options

if TYPE_CHECKING:
    from collections.abc import Callable

    from opconf.apply import ApplyResult, Progress
    from opconf.applying import ApplyOptions, Outcome
    from opconf.plan.model import Change, Plan
    from opconf.project import Project
    from opconf.store import Store
    from opconf.store.model import StoreState


def options(
    args: argparse.Namespace,
    project: Project,
    progress: Progress | None = None,
    action: str = "apply",
) -> ApplyOptions:
    """The core's apply options from the command line's."""
    from opconf.applying import ApplyOptions
    from opconf.store.model import Holder

    return ApplyOptions(
        holder=Holder.local(args.actor, action=action),
        project=project,
        allow_destructive=args.allow_destructive,
        lock_timeout=args.lock_timeout,
        statement_timeout=args.statement_timeout,
        override_reason=check_freeze_options(args),
        progress=progress,
    )


def apply_unattended(
    store: Store,
    args: argparse.Namespace,
    project: Project,
    *,
    make_plan: Callable[[StoreState], Plan],
    show: Callable[[Plan], object],
    progress: Progress | None,
) -> int:
    """``--auto-approve``, as Terraform does: the core locks, plans against the store read
    under the lock, shows the plan, applies it in the same transaction."""
    from opconf import applying

    chosen = options(args, project, progress)
    return _ended(applying.apply_unattended(store, chosen, make_plan, show), args)


def execute(
    store: Store,
    plan: Plan,
    args: argparse.Namespace,
    project: Project,
    *,
    ask: bool,
    progress: Progress | None = None,
    word: str | None = None,
) -> int:
    """Apply a plan already shown: confirm when asked to (``word``: what the person types;
    None: y/N), or run it dry; then the closing line."""
    from opconf import applying
    from opconf.errors import PlanRefused

    if getattr(args, "dry_run", False):
        if not plan.changes:
            return exitcodes.PROBLEMS if plan.errors else exitcodes.OK
        return dry_run(store, plan, options(args, project, action="dry-run"))

    def confirmed() -> bool:
        if not interactive():
            raise PlanRefused(
                "no terminal to confirm on", hint="pass --auto-approve, or apply a saved plan"
            )
        return confirm(word, store.display_url)

    chosen = options(args, project, progress)
    return _ended(applying.apply_reviewed(store, plan, chosen, confirmed if ask else None), args)


def _ended(outcome: Outcome, args: argparse.Namespace) -> int:
    """The exit code, and what the person reads last: cancelled, or the freeze override and
    the ``Apply complete`` line."""
    from opconf.store.model import Holder

    if outcome.cancelled:
        print("Apply cancelled; nothing was changed.")
        return exitcodes.PROBLEMS
    result = outcome.result
    if result is None:
        return exitcodes.PROBLEMS if outcome.plan.errors else exitcodes.OK
    if result.override:
        names = ", ".join(f"'{name}'" for name in result.override.windows)
        print(
            f"\nFreeze {names} overridden by {Holder.local(args.actor).actor}: "
            f"{result.override.reason} (recorded in history)."
        )
    print(f"\n{complete_line(result)}")
    return exitcodes.OK


def dry_run(store: Store, plan: Plan, chosen: ApplyOptions) -> int:
    """``apply --dry-run``: exit 0 when the apply would succeed, else what would stop it."""
    from opconf import applying
    from opconf.errors import PlanRefused

    found = applying.dry_run(store, plan, chosen)
    if found.override:
        names = ", ".join(f"'{name}'" for name in found.override.windows)
        print(f"\nFreeze {names} would be overridden: {found.override.reason}.")
    if found.problems:
        n = len(found.problems)
        print(f"\nDry run: the apply would fail ({n} problem{'s' if n > 1 else ''}):")
        for problem in found.problems:
            print(f"  {problem}")
        hint = _dry_hint(found.frozen, found.refused)
        raise PlanRefused("the apply would fail; nothing was written", hint=hint)
    counts = ", ".join(f"{n} to {a}" for a, n in plan.summary().items() if n)
    print(f"\nDry run: the apply would succeed ({counts}); nothing was written.")
    return exitcodes.OK


def _dry_hint(frozen: bool, refused: bool) -> str:
    """What to do about what blocks the apply: the freeze, the data, or both."""
    freeze = "wait for the freeze to end, or pass --override-freeze --reason TEXT"
    data = "fix the configuration or the CRM's data, then plan again"
    if frozen and not refused:
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
