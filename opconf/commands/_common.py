"""Options and helpers shared by the commands that talk to a store."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from opconf.project import Project, load_project
from opconf.targets import resolve_mapping, resolve_store

if TYPE_CHECKING:
    from opconf.plan.model import Plan
    from opconf.selection import Selection
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


def add_select_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--select Kind/key-glob`` (repeatable): a partial plan or export."""
    p.add_argument(
        "--select",
        action="append",
        metavar="KIND/GLOB",
        help=f"only {what} of objects matching Kind/key-glob (or a key glob); repeatable",
    )


def selection(args: argparse.Namespace) -> Selection:
    from opconf.selection import parse

    return parse(args.select)


def add_store_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("store selection (strongest first)")
    group.add_argument(
        "--store", metavar="URL", help="store URL (sqlite:///file or postgresql://…)"
    )
    group.add_argument("--target", metavar="NAME", help="a target named in opconf.yaml")
    group.add_argument(
        "--mapping",
        metavar="FILE",
        help="a StoreMapping file for the store (default: the target's mapping, or"
        " $OPCONF_MAPPING with --store or $OPCONF_STORE)",
    )


def open_store(args: argparse.Namespace) -> tuple[Project, Store]:
    """The project and the store the options name. The store stays open until the command
    ends (``closing_stores``, around every command): its transactions share a connection."""
    from opconf.store import Store

    project = load_project(args.project)
    url = resolve_store(project, args.store, args.target)
    mapping = resolve_mapping(project, args.store, args.target, getattr(args, "mapping", None))
    if mapping is None:
        store = Store(url)
    else:
        from opconf.store.mapping import load
        from opconf.store.url import backend_of

        store = Store(url, load(mapping, backend_of(url)))
    _opened.append(store)
    return project, store


_opened: list[Store] = []


@contextlib.contextmanager
def closing_stores() -> Iterator[None]:
    """Close every store opened in the block, however it ends."""
    try:
        yield
    finally:
        while _opened:
            _opened.pop().close()


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


def freeze_note(project: Project, plan: Plan, store: Store) -> str | None:
    """``apply blocked by freeze 'Q4 close' until …`` when a window in force blocks ``plan``."""
    from datetime import UTC, datetime

    from opconf.applying import store_windows
    from opconf.freeze import blocked_line, decide, touched_by
    from opconf.freeze.record import in_force

    windows = in_force(project.freeze, store_windows(store) or ())
    if not windows or not plan.changes:
        return None
    decision = decide(windows, touched_by(plan), datetime.now(UTC))
    return None if decision.allowed else blocked_line(decision)


def add_output_options(p: argparse.ArgumentParser, out_help: str) -> None:
    """``--format`` and ``--out`` of the commands that make a plan (plan, rollback)."""
    p.add_argument("--format", choices=PLAN_FORMATS, default="text", help="output format")
    p.add_argument("--out", metavar="FILE", type=Path, help=out_help)


def show_plan(
    plan: Plan,
    fmt: str,
    out: Path | None,
    freeze: str | None = None,
    *,
    destructive_allowed: bool = False,
) -> None:
    """Print ``plan`` in ``fmt``; save it to ``out`` (saying so after a text plan).

    ``freeze``: the line saying that a freeze window blocks the apply now, if one does.
    ``destructive_allowed``: the apply about to run has ``--allow-destructive``.
    """
    from opconf.plan.render import render
    from opconf.plan.saved import save

    sys.stdout.write(render(plan, fmt, freeze=freeze, destructive_allowed=destructive_allowed))
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
