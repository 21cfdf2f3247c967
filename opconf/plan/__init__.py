"""Plan (SPEC §5): from the desired objects and the store's state to a reviewable Plan."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from opconf import __version__
from opconf.jsontext import digest as digest  # the digest of plans, rows and snapshots
from opconf.plan import outside, partial, safety
from opconf.plan.diff import Desired, compute
from opconf.plan.model import Base, Obj, Plan, PlanError
from opconf.plan.snapshot import Snapshot
from opconf.selection import EVERYTHING, Selection
from opconf.store.model import StoredObject, StoreState


def row_digest(obj: StoredObject | None) -> str:
    """What a saved plan remembers of a store object it touches."""
    return "absent" if obj is None else digest([obj.managed, obj.data])


def _located(errors: Iterable[PlanError], desired: list[Desired]) -> list[PlanError]:
    """Safety errors about objects in the configuration point at their documents."""
    sources = {(d.kind, d.key): d.source for d in desired if d.source}
    out = []
    for error in errors:
        source = sources.get((error.kind, error.key))
        if source:
            file, line, column = source.rsplit(":", 2)
            error = replace(error, file=file, line=int(line), column=int(column))
        out.append(error)
    return out


def build_plan(
    desired: list[Desired],
    state: StoreState,
    *,
    store: str,
    config_digest: str,
    prune: bool,
    errors: Iterable[PlanError] = (),
    warnings: Iterable[PlanError] = (),
    release: dict[tuple[str, int], Obj] | None = None,
    last: Callable[[], Snapshot | None] | None = None,
    select: Selection = EVERYTHING,
) -> Plan:
    """Compare ``desired`` with ``state``; safety errors are added to ``errors``.

    ``config_digest`` identifies where ``desired`` came from (the files, or a snapshot).
    ``last``: reads the snapshot of the store's last revision: the fields edited in the CRM
    since that the plan changes are marked (:mod:`opconf.plan.outside`).
    ``select``: a partial plan, of the selected objects only (:mod:`opconf.plan.partial`).
    """
    diff = compute(desired, state, prune, release)
    changes, needs = partial.restrict(diff.changes, select)
    touched = {}
    for change in changes:
        for key in {change.store_key, change.key}:
            ident = f"{change.kind}/{key}"
            touched[ident] = row_digest(state.objects.get((change.kind, key)))
    base = Base(
        revision=state.revision,
        store=store,
        rows=touched,
        config_digest=config_digest,
        tool_version=__version__,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        select=select.texts,
    )
    wanted = [d for d in desired if select.matches(d.kind, d.key)] if select else desired
    return Plan(
        changes=outside.mark(changes, state, last),
        base=base,
        errors=(*errors, *_located([*needs, *safety.check(changes, state)], desired)),
        warnings=tuple(warnings),
        unmanaged=tuple(u for u in diff.unmanaged if select.matches(*u)),
        prune=prune,
        unchanged=max(
            0, len(wanted) - sum(1 for c in changes if c.action not in ("delete", "release"))
        ),
    )
