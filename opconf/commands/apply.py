"""``opconf apply [PLANFILE]``: make the store match — one transaction, under the lock."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import (
    add_apply_options,
    add_select_option,
    add_store_options,
    check_freeze_options,
    open_store,
    print_invalid,
    selection,
)
from opconf.commands._execute import apply_unattended, execute, progress_line
from opconf.visible import visible

if TYPE_CHECKING:
    from opconf.plan.model import Plan
    from opconf.store import Store
    from opconf.store.model import StoreState


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("apply", help="apply the configuration (or a saved plan) to the store")
    p.add_argument("planfile", nargs="?", type=Path, metavar="PLANFILE", help="a saved plan")
    add_apply_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="run the real writes under the lock, then roll back: would the apply succeed?",
    )
    p.add_argument(
        "--expect-digest",
        type=_digest,
        metavar="sha256:HEX",
        help="apply PLANFILE only if it is the plan with this digest (the one reviewed)",
    )
    p.add_argument("--prune", action="store_true", default=None, help="delete unmanaged objects")
    add_select_option(p, "the changes")
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.applying import dirty_tree
    from opconf.errors import UsageError
    from opconf.plan import saved
    from opconf.plan.render import render
    from opconf.targets import confirm_word, embedded_default, is_default_store
    from opconf.workflow import plan_config, validate_config

    check_freeze_options(args)
    if args.expect_digest and not args.planfile:
        raise UsageError(
            "--expect-digest needs a saved plan: opconf apply PLANFILE --expect-digest …",
            hint="save the reviewed plan with `opconf plan --out FILE`",
        )
    if args.select and args.planfile:
        raise UsageError(
            "--select chooses what a plan computed now changes; PLANFILE is already planned",
            hint="plan the subset with `opconf plan --select … --out FILE`, then apply that file",
        )
    select = selection(args)
    project, store = open_store(args)
    if not args.dry_run:
        warning = dirty_tree(project, is_default_store(project, args.store, args.target))
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
    progress = progress_line(sys.stderr)

    def show(plan: Plan) -> None:
        sys.stdout.write(render(plan, "text", destructive_allowed=args.allow_destructive))

    if args.planfile:
        plan = saved.load(args.planfile)
        if args.expect_digest:
            saved.expect_digest(plan, args.planfile, args.expect_digest)
        saved.check_origin(plan, store.display_url)
        store.ensure_ready(auto_init=False)
        if not args.dry_run:  # judged, shown and written under the lock: one read, no race
            return apply_unattended(
                store,
                args,
                project,
                make_plan=lambda state: _as_it_writes(plan, store, state),
                show=show,
                progress=progress,
            )
        plan = _as_it_writes(plan, store, store.read_state())
        show(plan)
        return execute(store, plan, args, project, ask=False, progress=progress)
    result = validate_config(project.config, project.policy)
    if not result.valid():
        print_invalid(result)
        print("error: the configuration is invalid; nothing was applied", file=sys.stderr)
        return exitcodes.PROBLEMS
    store.ensure_ready(auto_init=store.file == embedded_default(project))
    prune = project.prune if args.prune is None else args.prune
    if args.auto_approve and not args.dry_run:
        return apply_unattended(
            store,
            args,
            project,
            make_plan=lambda state: plan_config(result, store, prune, state, select),
            show=show,
            progress=progress,
        )
    plan = plan_config(result, store, prune, select=select)
    show(plan)
    ask = not args.auto_approve and not args.dry_run
    word = confirm_word(project, args.store, args.target)
    return execute(store, plan, args, project, ask=ask, progress=progress, word=word)


def _as_it_writes(plan: Plan, store: Store, state: StoreState) -> Plan:
    """A saved plan shown and judged as it writes against ``state`` (stale: refused)."""
    from opconf.apply import check_fresh
    from opconf.plan import saved

    check_fresh(plan, state)
    last = (lambda: store.snapshot(state.revision)) if state.revision else None
    return saved.with_store(plan, state, last)


def _digest(value: str) -> str:
    """``--expect-digest``: ``sha256:`` and 64 hexadecimal digits, as every plan prints it."""
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", value.strip().lower()):
        raise argparse.ArgumentTypeError(
            f"{visible(value)!r} is not a plan digest (sha256: and 64 hexadecimal digits)"
        )
    return value.strip().lower()
