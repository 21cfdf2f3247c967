"""The pipeline behind plan, apply and rollback: load → validate → plan against a store."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from opconf.diagnostics import Diagnostic
from opconf.load.yamlread import Document
from opconf.plan import build_plan, digest, returns, rollback
from opconf.plan.desired import from_index, from_snapshot, released
from opconf.plan.diff import Desired
from opconf.plan.model import Obj, Plan, PlanError
from opconf.plan.snapshot import Snapshot, upgrade
from opconf.reference_data import References
from opconf.selection import EVERYTHING, Selection
from opconf.validate import ValidationResult, locate, today, validate_paths
from opconf.validate.index import Index
from opconf.validate.policy import Policy
from opconf.validate.policy import apply as apply_policy
from opconf.validate.rules import refdata

if TYPE_CHECKING:
    from opconf.store import Store
    from opconf.store.model import StoreState


def validate_config(config: Path, policy: Policy | None = None) -> ValidationResult:
    """Validate the configuration under the project's rules and waivers (``policy``);
    reference data is checked live by the plan instead. A ``config/`` folder without
    documents yet is an empty configuration: the plan then lists what the store holds (the
    start of adopting a CRM); no folder at all is an error saying where it was looked for."""
    if not config.exists():
        from opconf.project import missing_config

        raise missing_config(config)
    return validate_paths(
        [config], refs=None, note_skipped_refs=False, policy=policy, allow_empty=True
    )


def live_reference_problems(
    result: ValidationResult, state: StoreState, select: Selection = EVERYTHING
) -> list[Diagnostic]:
    """Users, roles and product types checked against the store itself (under the same
    rules and waivers as validation); of the ``select``-ed objects only."""
    refs = References(state.users, state.roles, state.product_types)
    findings = [f for f in refdata.check(result.index, refs) if _selected(f.doc, select)]
    if result.policy:
        findings, _ = apply_policy(result.policy, findings, today())
    return locate(findings, result.sources)


def plan_problem(d: Diagnostic) -> PlanError:
    """A diagnostic in a plan: a waived one says so, with its reason."""
    return PlanError.of(replace(d, message=d.message + d.reason) if d.waived else d)


def plan_config(
    result: ValidationResult,
    store: Store,
    prune: bool,
    state: StoreState | None = None,
    select: Selection = EVERYTHING,
) -> Plan:
    """The plan for a valid configuration against ``store`` (this empties ``result.index``):
    against ``state`` when given (the store as a writer read it under the lock), else
    against the store read now; of the ``select``-ed objects only, when there is a selection
    (a pattern that selects nothing is an error: a typo must not read as "no changes")."""
    state = store.read_state() if state is None else state
    live = live_reference_problems(result, state, select)
    desired = from_index(result.index)
    if select:
        _check_selects(select, desired, state)
    errors = [plan_problem(d) for d in live if d.severity == "error" and d.counts]
    shown = [d for d in result.diagnostics + live if d.severity == "warning" or d.waived]
    warnings = [plan_problem(d) for d in shown]
    return build_plan(
        desired,
        state,
        store=store.display_url,
        config_digest=result.config_digest,
        prune=prune,
        errors=errors,
        warnings=warnings,
        last=(lambda: store.snapshot(state.revision)) if state.revision else None,
        select=select,
    )


def _selected(doc: Document, select: Selection) -> bool:
    """A document of a selected object (by its key or one it had)."""
    kind, keys = doc.data.get("kind"), [doc.data.get("key"), *doc.data.get("previousKeys", ())]
    return not select or any(isinstance(k, str) and select.matches(str(kind), k) for k in keys)


def _check_selects(select: Selection, desired: list[Desired], state: StoreState) -> None:
    from opconf.errors import UsageError

    named = [(d.kind, k) for d in desired for k in (d.key, *d.previous_keys)]
    idle = select.idle([*named, *state.objects])
    if idle:
        quoted = ", ".join(f"'{text}'" for text in idle)
        verb = "matches" if len(idle) == 1 else "match"
        raise UsageError(
            f"--select {quoted} {verb} no object of the configuration or the store",
            hint="patterns are Kind/key-glob (kinds as documents spell them) or a key glob",
        )


def plan_rollback(store: Store, revision: int, state: StoreState | None = None) -> Plan:
    """The plan that brings the store back to the snapshot of ``revision`` (against
    ``state`` when given, as :func:`plan_config`).

    Objects and stages are matched by row; rows adopted since are released, never deleted;
    opportunities moved by a ``replaces`` since go back to the stage they left (the whole
    stage when the rollback removes the replacing one, else exactly those recorded); users,
    roles and product types are checked live, as a plan of the configuration checks them.
    The snapshots after ``revision`` are read only when their records are needed, once.
    """
    from opconf.errors import UsageError

    snapshot = store.snapshot(revision)
    if snapshot is None:
        raise UsageError(f"revision {revision} is not in the history", hint="see `opconf history`")
    if "refs" not in snapshot:  # written before snapshots recorded references by row
        snapshot = upgrade(snapshot, store.snapshot(revision - 1))
    state = store.read_state() if state is None else state
    desired = from_snapshot(snapshot, state)
    later = range(revision + 1, state.revision + 1)
    since = functools.cache(lambda: rollback.since(store.snapshot(r) for r in later))
    release = released(snapshot, state)
    if rollback.unknown_then(snapshot, state):  # created or adopted since: which?
        release |= rollback.adopted_since(since(), snapshot, state)
    plan = _rollback_plan(store, snapshot, state, desired, release)
    if any(e.code == "OPC302" for e in plan.errors):
        desired = rollback.move_back(desired, snapshot, state, since().moves)
        plan = _rollback_plan(store, snapshot, state, desired, release)
    if returns.recreates_stages(plan, snapshot, state):
        plan = returns.with_returns(plan, snapshot, state, since().moved, store.open_stages)
    lost = rollback.lost_references(snapshot, state, revision)
    base = replace(plan.base, rollback=revision)
    return rollback.explain(replace(plan, base=base, errors=(*plan.errors, *lost)), revision)


def _rollback_plan(
    store: Store,
    snapshot: Snapshot,
    state: StoreState,
    desired: list[Desired],
    release: dict[tuple[str, int], Obj],
) -> Plan:
    return build_plan(
        desired,
        state,
        store=store.display_url,
        config_digest=digest(snapshot),
        prune=False,
        errors=snapshot_reference_errors(desired, release, state),
        release=release,
    )


def snapshot_reference_errors(
    desired: list[Desired], release: dict[tuple[str, int], Obj], state: StoreState
) -> list[PlanError]:
    """Users, roles and product types of a snapshot's objects, checked against the store."""
    index, kinds = Index(), {}
    objects = [(d.kind, d.data) for d in desired] + [(k, o) for (k, _), o in release.items()]
    for kind, data in objects:
        doc = Document("", 0, 0, 0, data)
        index.add(kind, doc)
        kinds[id(doc)] = kind
    refs = References(state.users, state.roles, state.product_types)
    out = []
    for f in refdata.check(index, refs):
        where = Diagnostic(f.code, "error", f.message, path=f.path).dotted
        kind, key = kinds[id(f.doc)], f.doc.data["key"]
        out.append(PlanError(f.code, f"{kind} '{key}': {f.message} ({where})", kind, key))
    return out
