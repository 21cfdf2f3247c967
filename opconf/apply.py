"""Apply (SPEC §6): one transaction, under the lock, refusing stale or unsafe plans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opconf.errors import PlanRefused, StalePlanError
from opconf.plan import row_digest
from opconf.plan.model import Change, Plan
from opconf.plan.returns import returns_of
from opconf.plan.snapshot import snapshot_after
from opconf.store.model import Holder, StoreState
from opconf.store.packing import pack
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT
from opconf.store.write import Update
from opconf.tree import TreeState, tree_state

if TYPE_CHECKING:
    from opconf.freeze import FreezeGuard, Override, Window
    from opconf.store import Store
    from opconf.store.write import Writer

Progress = Callable[[int, int, Change], None]


@dataclass(frozen=True)
class ApplyResult:
    revision: int
    summary: dict[str, int]
    changed: bool
    override: Override | None = None  # a freeze the apply went through (--override-freeze)


def _freeze_check(freeze: FreezeGuard | None, plan: Plan) -> Override | None:
    if freeze is None:
        return None
    return freeze.check(plan)


def refuse_unsafe(plan: Plan, allow_destructive: bool) -> None:
    """Raise :class:`PlanRefused` for a plan with errors, or destructive without the flag."""
    if plan.errors:
        first = plan.errors[0]
        more = f" (and {len(plan.errors) - 1} more)" if len(plan.errors) > 1 else ""
        raise PlanRefused(
            f"the plan has errors: {first.message}{more}", hint="fix them and plan again"
        )
    if plan.destructive and not allow_destructive:
        names = ", ".join(f"{c.kind} {c.key}" for c in plan.destructive[:3])
        more = f" and {len(plan.destructive) - 3} more" if len(plan.destructive) > 3 else ""
        raise PlanRefused(
            f"the plan deletes data ({names}{more})",
            hint="review it, then apply with --allow-destructive",
        )


def check_fresh(plan: Plan, state: StoreState) -> None:
    """Refuse a plan whose base no longer matches the store, naming what moved."""
    moved = []
    if state.revision != plan.base.revision:
        moved.append(f"revision {plan.base.revision} → {state.revision}")
    for ident, expected in sorted(plan.base.rows.items()):
        kind, key = ident.split("/", 1)
        if row_digest(state.objects.get((kind, key))) != expected:
            moved.append(f"{kind} {key} changed")
    if moved:
        shown = ", ".join(moved[:5]) + (f" and {len(moved) - 5} more" if len(moved) > 5 else "")
        raise StalePlanError(
            f"the plan is stale: the store moved since it was made ({shown})",
            hint="run `opconf plan` again; nothing was written",
        )


def apply_plan(
    store: Store,
    plan: Plan,
    *,
    holder: Holder,
    allow_destructive: bool = False,
    lock_timeout: float = 0.0,
    progress: Progress | None = None,
    config: Path | None = None,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    freeze: FreezeGuard | None = None,
) -> ApplyResult:
    """Apply ``plan`` exactly, all or nothing; records a new revision when anything changed.

    ``config`` is the configuration's folder: the revision records the git commit checked
    out there (the working directory may be anywhere). ``freeze`` is checked when the apply
    starts and again just before it commits (a window may have opened meanwhile).
    """
    refuse_unsafe(plan, allow_destructive)
    if not plan.changes:
        return ApplyResult(plan.base.revision, plan.summary(), changed=False)
    override = _freeze_check(freeze, plan)
    with store.writer(holder, lock_timeout, statement_timeout=statement_timeout) as writer:
        return write_plan(
            writer,
            plan,
            holder=holder,
            progress=progress,
            config=config,
            freeze=freeze,
            override=override,
        )


def write_plan(
    writer: Writer,
    plan: Plan,
    *,
    holder: Holder,
    progress: Progress | None = None,
    config: Path | None = None,
    freeze: FreezeGuard | None = None,
    override: Override | None = None,
) -> ApplyResult:
    """The writes of :func:`apply_plan`, in ``writer``'s transaction, for a plan already
    checked to be safe and not frozen (``override``: the freeze it overrides, if any)."""
    check_fresh(plan, writer.state)
    make_room(writer, plan)
    done = 0
    created: dict[tuple[str, str], int] = {}
    for batch in batches(plan.changes):
        created.update(perform(writer, batch))
        for change in batch:
            done += 1
            if progress:
                progress(done, len(plan.changes), change)
    override = _freeze_check(freeze, plan) or override
    tree = tree_state(config) if config is not None else None
    windows = (
        None if freeze is None else (freeze.windows if freeze.record is None else freeze.record)
    )
    revision = record(writer, plan, holder, created, tree=tree, override=override, windows=windows)
    return ApplyResult(revision, plan.summary(), changed=True, override=override)


def record(
    writer: Writer,
    plan: Plan,
    holder: Holder,
    created: dict[tuple[str, str], int],
    *,
    tree: TreeState | None = None,
    override: Override | None = None,
    windows: tuple[Window, ...] | None = None,
) -> int:
    """Record the revision ``plan`` made, with the snapshot of the configuration after it.

    The state read under the lock is dropped once the snapshot is packed: the largest objects
    of an apply are then never held beside the history row being written.
    """
    snapshot = pack(
        snapshot_after(writer.state, plan.changes, created, writer.stage_ids(), writer.moved)
    )
    writer.forget_state()
    return writer.record(
        actor=holder.actor,
        host=holder.host,
        git_commit=tree.commit if tree else None,
        plan_digest=plan.digest,
        summary={**recorded_summary(plan, tree), **_freeze_record(windows)},
        snapshot=snapshot,
        override=(override.windows, override.reason) if override else None,
    )


def recorded_summary(plan: Plan, tree: TreeState | None) -> dict[str, object]:
    """The counts of ``plan``; a rollback's revision, a partial plan's ``--select`` patterns,
    and the tree's changes when dirty."""
    rollback = {"rollback": plan.base.rollback} if plan.base.rollback is not None else {}
    select = {"select": list(plan.base.select)} if plan.base.select else {}
    dirty = {"tree": tree.record()} if tree and tree.dirty else {}
    return {**plan.summary(), **rollback, **select, **dirty}


def _freeze_record(windows: tuple[Window, ...] | None) -> dict[str, object]:
    """The windows in force, as the revision records them (freeze/record.py): none, nothing."""
    from opconf.freeze.record import entries

    return {"freeze": entries(windows)} if windows else {}


def make_room(writer: Writer, plan: Plan) -> None:
    """Free the unique codes and keys that pass from one row to another, before any write."""
    writer.release_product_codes(_moving_codes(plan, writer.state))
    for kind, row_ids in _moving_keys(plan, writer.state).items():
        writer.park_keys(kind, row_ids)


def _moving_codes(plan: Plan, state: StoreState) -> list[int]:
    """Products whose code is taken away (changed or deleted): released before any write."""
    ids = []
    for c in plan.changes:
        code = (c.before or {}).get("code") if c.kind == "Product" else None
        if code is not None and (c.after is None or c.after["code"] != code):
            ids.append(state.objects[(c.kind, c.store_key)].id)
    return ids


def _moving_keys(plan: Plan, state: StoreState) -> dict[str, list[int]]:
    """Rows whose key goes to another row, or that get another key: parked before any write."""
    taken = {(c.kind, c.key) for c in plan.changes if c.after is not None}
    out: dict[str, list[int]] = {}
    for c in plan.changes:
        if c.old_key or (c.action == "delete" and (c.kind, c.key) in taken):
            out.setdefault(c.kind, []).append(state.objects[(c.kind, c.store_key)].id)
    return out


def batches(changes: tuple[Change, ...]) -> list[list[Change]]:
    """Consecutive changes of one kind and one way of writing (create, delete, or update)
    go together: one statement per table and action for the whole batch."""
    batches: list[list[Change]] = []
    for change in changes:
        last = batches[-1][-1] if batches else None
        if last and change.kind == last.kind and _write(change) == _write(last):
            batches[-1].append(change)
        else:
            batches.append([change])
    return batches


def _write(change: Change) -> str:
    return change.action if change.action in ("create", "delete") else "update"


def perform(writer: Writer, batch: list[Change]) -> dict[tuple[str, str], int]:
    """Write one batch; the row ids of the objects it created."""
    kind, action = batch[0].kind, _write(batch[0])
    if action == "create":
        ids = writer.create_many(kind, [c.after for c in batch if c.after is not None])
        return {(c.kind, c.key): row_id for c, row_id in zip(batch, ids, strict=True)}
    rows = [writer.state.objects[(c.kind, c.store_key)] for c in batch]
    if action == "delete":
        writer.delete_many(kind, [row.id for row in rows])
        return {}
    writer.update_many(
        kind, [_update(c, row.id, row.managed) for c, row in zip(batch, rows, strict=True)]
    )
    if any(c.stage_returns for c in batch):
        writer.return_opportunities(returns_of(batch, writer.stage_ids()))
    return {}


def _update(change: Change, row_id: int, managed: bool) -> Update:
    assert change.after is not None
    release = change.action == "release"
    return Update(
        row_id,
        change.after,
        change.stage_renames,
        change.stage_moves,
        managed=(not managed) if not managed or release else None,
    )
