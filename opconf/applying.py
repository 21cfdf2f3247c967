"""The whole apply as one core sequence — freeze windows in force, safety, lock, plan under the
lock (unattended), freeze again, write, record — for ``apply``, ``rollback``, the dry run and
any other caller (an editor's server). The command line only confirms and renders.

Two ways in, as Terraform has them: :func:`apply_unattended` locks first and plans against the
store it reads under the lock (one read; the plan cannot go stale), and
:func:`apply_reviewed` applies a plan already shown (or saved and reviewed), after the
confirmation the caller asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from opconf.apply import ApplyResult, Progress, apply_plan, refuse_unsafe, write_plan
from opconf.dryrun import dry_run as run_dry
from opconf.errors import FrozenError, PlanRefused, StoreError
from opconf.freeze import FreezeGuard, Override, Window, WindowProblem
from opconf.freeze.record import in_force, recorded
from opconf.plan.model import Plan
from opconf.project import Project
from opconf.store import Store
from opconf.store.model import Holder, StoreState
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT
from opconf.store.write import Writer
from opconf.tree import tree_state


@dataclass(frozen=True)
class ApplyOptions:
    """Who applies, what the apply may do, how long it waits, which project it is of (its
    freeze windows, and the configuration's folder whose git state the revision records)."""

    holder: Holder
    project: Project
    allow_destructive: bool = False
    lock_timeout: float = 0.0
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    override_reason: str | None = None  # --override-freeze --reason TEXT
    progress: Progress | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened: the plan, and the apply's result (None: nothing to write, or the person
    asked said no)."""

    plan: Plan
    result: ApplyResult | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class DryRun:
    """``apply --dry-run``: what would stop the apply (the freeze first), or the override a
    freeze would need."""

    problems: tuple[str, ...]
    frozen: bool
    refused: bool  # the database (or the plan's own checks) refuses something
    override: Override | None


def apply_unattended(
    store: Store,
    options: ApplyOptions,
    make_plan: Callable[[StoreState], Plan],
    show: Callable[[Plan], object],
) -> Outcome:
    """Lock, plan against the store read under the lock, ``show`` the plan, then check and
    write it in the same transaction."""
    guard = freeze_guard(options.project, store, options.override_reason)
    with store.writer(
        options.holder, options.lock_timeout, statement_timeout=options.statement_timeout
    ) as writer:
        plan = make_plan(writer.state)
        show(plan)
        return _write(writer, plan, options, guard)


def apply_reviewed(
    store: Store, plan: Plan, options: ApplyOptions, confirm: Callable[[], bool] | None = None
) -> Outcome:
    """Apply ``plan`` as shown: safety and freeze checked before ``confirm`` is asked (when
    given), then under the lock the plan must still match the store, the freeze is checked
    again just before the commit, and the revision is recorded."""
    guard = freeze_guard(options.project, store, options.override_reason)
    if not plan.changes:
        return Outcome(plan)
    refuse_unsafe(plan, options.allow_destructive)
    guard.check(plan)  # before asking; apply_plan checks again, and before it commits
    if confirm is not None and not confirm():
        return Outcome(plan, cancelled=True)
    result = apply_plan(
        store,
        plan,
        holder=options.holder,
        allow_destructive=options.allow_destructive,
        lock_timeout=options.lock_timeout,
        progress=options.progress,
        config=options.project.config,
        statement_timeout=options.statement_timeout,
        freeze=guard,
    )
    return Outcome(plan, result)


def dry_run(store: Store, plan: Plan, options: ApplyOptions) -> DryRun:
    """The real writes under the lock, rolled back: every reason the apply would fail."""
    refuse_unsafe(plan, options.allow_destructive)
    guard = freeze_guard(options.project, store, options.override_reason)
    problems, frozen, override = [], False, None
    try:
        override = guard.check(plan)
    except FrozenError as exc:
        problems.append(exc.message)
        frozen = True
    refusals = run_dry(
        store,
        plan,
        holder=options.holder,
        allow_destructive=options.allow_destructive,
        lock_timeout=options.lock_timeout,
        statement_timeout=options.statement_timeout,
    )
    problems += [f"{r.kind} {r.key}: {r.message}" if r.kind else r.message for r in refusals]
    return DryRun(tuple(problems), frozen, bool(refusals), override)


def dirty_tree(project: Project, default_target: bool) -> str | None:
    """Uncommitted changes in the configuration's work tree, applied to any target but the
    default: a warning to show, or refused with ``requireCleanTree``. The revision records
    them (``dirty``) either way."""
    if default_target:
        return None
    tree = tree_state(project.config)
    if not tree.dirty:
        return None
    where = f"the configuration's work tree has {tree.describe()}"
    if project.require_clean_tree:
        raise PlanRefused(
            f"{project.file}: requireCleanTree: {where}",
            hint="commit them (or stash them), then apply; nothing was applied",
        )
    return f"{where}; the revision records {(tree.commit or '')[:12]} as dirty"


def freeze_guard(project: Project, store: Store, override_reason: str | None) -> FreezeGuard:
    """The windows in force — the project's and those the store's last revision recorded —
    checked against the clock, with the override asked for (docs/freeze.md)."""
    stored = store_windows(store)
    record = project.freeze if project.freeze_declared or stored is None else stored
    windows = in_force(project.freeze, stored or ())
    return FreezeGuard(windows, override_reason=override_reason, record=record)


def store_windows(store: Store) -> tuple[Window, ...] | None:
    """The freeze windows the store's last revision recorded (None: none recorded)."""
    last = store.last_entry()
    try:
        return recorded(last.summary if last else None)
    except WindowProblem as problem:
        raise StoreError(
            f"the freeze windows revision {last.revision if last else 0} recorded cannot be "
            f"read: {problem}",
            hint="apply from the project whose opconf.yaml declares the windows (freeze:)",
        ) from None


def _write(writer: Writer, plan: Plan, options: ApplyOptions, guard: FreezeGuard) -> Outcome:
    if not plan.changes:
        return Outcome(plan)
    refuse_unsafe(plan, options.allow_destructive)
    override = guard.check(plan)
    result = write_plan(
        writer,
        plan,
        holder=options.holder,
        progress=options.progress,
        config=options.project.config,
        freeze=guard,
        override=override,
    )
    return Outcome(plan, result)
