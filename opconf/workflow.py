"""The pipeline behind plan, apply and rollback: load → validate → plan against a store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from opconf.plan import build_plan, digest
from opconf.plan.desired import from_index, from_snapshot, released
from opconf.plan.model import Plan, PlanError
from opconf.plan.snapshot import upgrade
from opconf.references import References
from opconf.validate import ValidationResult, locate, validate_paths
from opconf.validate.rules import refdata

if TYPE_CHECKING:
    from opconf.store import Store
    from opconf.store.model import StoreState


def validate_config(config: Path) -> ValidationResult:
    """Validate the configuration; reference data is checked live by the plan instead."""
    return validate_paths([config], refs=None, note_skipped_refs=False)


def live_reference_errors(result: ValidationResult, state: StoreState) -> list[PlanError]:
    """Users, roles and product types checked against the store itself."""
    refs = References(state.users, state.roles, state.product_types)
    findings = list(refdata.check(result.index, refs))
    return [PlanError.of(d) for d in locate(findings, result.sources)]


def plan_config(result: ValidationResult, store: Store, prune: bool) -> Plan:
    """The plan for a valid configuration against ``store`` (this empties ``result.index``)."""
    state = store.read_state()
    errors = live_reference_errors(result, state)
    warnings = [PlanError.of(d) for d in result.diagnostics if d.severity == "warning"]
    return build_plan(
        from_index(result.index),
        state,
        store=store.display_url,
        config_digest=result.config_digest,
        prune=prune,
        errors=errors,
        warnings=warnings,
    )


def plan_rollback(store: Store, revision: int) -> Plan:
    """The plan that brings the store back to the snapshot of ``revision``."""
    from opconf.errors import UsageError

    snapshot = store.snapshot(revision)
    if snapshot is None:
        raise UsageError(f"revision {revision} is not in the history", hint="see `opconf history`")
    if "refs" not in snapshot:  # written before snapshots recorded references by row
        snapshot = upgrade(snapshot, store.snapshot(revision - 1))
    state = store.read_state()
    return build_plan(
        from_snapshot(snapshot, state),
        state,
        store=store.display_url,
        config_digest=digest(snapshot),
        prune=False,
        release=released(snapshot, state),
    )
