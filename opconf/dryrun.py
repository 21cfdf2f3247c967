"""``apply --dry-run`` (SPEC §11): apply's own writes, under its lock, then rolled back.

Each batch of writes runs in a savepoint; when the database refuses one, each change of the
batch is retried alone to name the object, and the constraint is described in words
(:mod:`opconf.store.refusals`). Then the revision is recorded and the deferred constraints
are checked, as the commit would; then everything is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The very writes apply makes: its batching, its per-batch writer, its freeing of codes and keys.
from opconf.apply import batches, check_fresh, make_room, perform, record, refuse_unsafe
from opconf.plan.model import Change, Plan
from opconf.store.model import Holder
from opconf.store.refusals import Refused, describe
from opconf.store.timeouts import DEFAULT_STATEMENT_TIMEOUT

if TYPE_CHECKING:
    from opconf.store import Store
    from opconf.store.write import Writer


@dataclass(frozen=True)
class Refusal:
    """A change the database would refuse (``apply --dry-run``), the constraint in words."""

    kind: str
    key: str
    message: str


def dry_run(
    store: Store,
    plan: Plan,
    *,
    holder: Holder,
    allow_destructive: bool = False,
    lock_timeout: float = 0.0,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
) -> tuple[Refusal, ...]:
    """Run apply's writes under the lock, each batch in a savepoint, record the revision,
    check the deferred constraints, then roll everything back: what the database would
    refuse, per object.

    Refuses what apply refuses (errors, deletes without the flag, a stale plan); writes
    nothing, so no revision stays recorded.
    """
    refuse_unsafe(plan, allow_destructive)
    if not plan.changes:
        return ()
    with store.writer(
        holder, lock_timeout, statement_timeout=statement_timeout, dry_run=True
    ) as writer:
        check_fresh(plan, writer.state)
        already = writer.deferred_violations(before=True)  # the CRM's data may hold some
        make_room(writer, plan)
        created: dict[tuple[str, str], int] = {}
        refused = [r for batch in batches(plan.changes) for r in _probe(writer, batch, created)]
        if not refused:
            refused += _record(writer, plan, holder, created)
        if not refused:
            refused += _deferred(writer, already)
    return tuple(refused)


def _probe(
    writer: Writer, batch: list[Change], created: dict[tuple[str, str], int]
) -> list[Refusal]:
    """Write ``batch`` in a savepoint; when refused, each change alone (to name which)."""
    try:
        with writer.attempt():
            created.update(perform(writer, batch))
        return []
    except Refused as refused:
        if len(batch) > 1:
            return [r for change in batch for r in _probe(writer, [change], created)]
        return [_refusal(writer, batch[0], refused)]


def _record(
    writer: Writer, plan: Plan, holder: Holder, created: dict[tuple[str, str], int]
) -> list[Refusal]:
    """The revision apply would record (rolled back with the rest)."""
    try:
        with writer.attempt():
            record(writer, plan, holder, created)
    except Refused as refused:
        return [Refusal("", "", f"recording the revision would be refused: {refused.detail}")]
    return []


def _refusal(writer: Writer, change: Change, refused: Refused) -> Refusal:
    if not refused.constraint and "FOREIGN KEY" in refused.detail:
        refused.constraint = writer.foreign_key_of(lambda: perform(writer, [change]))
    return Refusal(
        change.kind, change.key, describe(refused, change.kind, change.key, change.after)
    )


def _deferred(writer: Writer, already: set[tuple[Any, ...]]) -> list[Refusal]:
    """What the commit would refuse: the deferred constraints, checked now."""
    try:
        found = [writer.refusal_of(v) for v in sorted(writer.deferred_violations() - already)]
    except Refused as refused:
        found = [refused]
    return [
        Refusal(
            "", "", f"the commit would be refused: {r.constraint or 'a constraint'} ({r.detail})"
        )
        for r in found
    ]
