"""Safety rules (SPEC §5): what a plan must never do, reported as plan errors."""

from __future__ import annotations

from collections.abc import Iterator

from opconf.diagnostics import plural
from opconf.plan import unique
from opconf.plan.diff import by_kind, follow_renames, keys_after
from opconf.plan.model import Change, Obj, PlanError
from opconf.store.model import StoredObject, StoreState

_REFERENCED = ("Product", "CoverageGroup")  # what templates refer to


def check(changes: list[Change], state: StoreState) -> Iterator[PlanError]:
    current = by_kind(state)
    meaning = {kind: keys_after(kind, current[kind], changes) for kind in _REFERENCED}
    final = _final_templates(changes, current["OpportunityTemplate"], meaning)
    users = _users(final) if any(c.action == "delete" for c in changes) else {}
    for change in changes:
        if change.action == "delete":
            yield from _delete(change, state, users, meaning.get(change.kind, {}))
        elif change.before is not None and change.after is not None:
            yield from _visibility(change)
            yield from _stage_removals(change)
    yield from unique.check(changes, state)


def _opportunities(n: int, which: str = "") -> str:
    return plural(n, f"{which}opportunity", f"{which}opportunities")


def _final_templates(
    changes: list[Change],
    templates: dict[str, StoredObject],
    meaning: dict[str, dict[str, str]],
) -> dict[str, Obj]:
    """Every template as it will be after the plan (key → canonical form, references by the
    keys after the plan)."""
    kind = "OpportunityTemplate"
    out = {k: follow_renames(kind, o.data, meaning) for k, o in templates.items()}
    for c in changes:
        if c.kind == kind:
            out.pop(c.store_key, None)
            if c.after is not None:
                out[c.key] = c.after
    return out


def _users(final: dict[str, Obj]) -> dict[tuple[str, str], list[str]]:
    """(kind, key) → the templates that use that product or coverage group after the plan,
    built once: a plan deleting many objects stays linear."""
    out: dict[tuple[str, str], list[str]] = {}
    for template in final.values():
        used = [("Product", p) for p in dict.fromkeys(template.get("products") or ())]
        if template.get("defaultCoverageGroup") is not None:
            used.append(("CoverageGroup", template["defaultCoverageGroup"]))
        for ident in used:
            out.setdefault(ident, []).append(template["key"])
    return out


def _delete(
    change: Change,
    state: StoreState,
    users: dict[tuple[str, str], list[str]],
    meaning: dict[str, str],
) -> Iterator[PlanError]:
    kind, key = change.kind, change.key
    row = meaning.get(key, key)  # what templates call the row after the plan
    usage = state.usage
    total = {"OpportunityTemplate": usage.template_total, "Product": usage.product_total}
    used = total.get(kind, {}).get(key, 0)
    if used:
        yield PlanError(
            "OPC301",
            f"cannot delete {kind} '{key}': {_opportunities(used)} "
            f"{'references' if used == 1 else 'reference'} it; "
            "set `active: false` to retire it instead",
            kind,
            key,
        )
    for template in users.get((kind, row), ()):
        yield PlanError(
            "OPC304",
            f"cannot delete {kind} '{key}': template '{template}' still uses it",
            kind,
            key,
        )


def _visibility(change: Change) -> Iterator[PlanError]:
    assert change.before is not None and change.after is not None
    if change.kind == "CoverageGroup" and change.before["visibility"] != change.after["visibility"]:
        old, new = change.before["visibility"], change.after["visibility"]
        yield PlanError(
            "OPC303",
            f"visibility of coverage group '{change.key}' cannot change ({old} → {new}); "
            "create a group with a new key instead",
            change.kind,
            change.key,
        )


def _stage_removals(change: Change) -> Iterator[PlanError]:
    for detail in change.details:
        if detail.op != "remove" or not detail.path.startswith("stages[") or not detail.impact:
            continue
        stage = detail.path[len("stages[") : -1]
        if stage not in change.stage_moves:
            yield PlanError(
                "OPC302",
                f"stage '{stage}' of template '{change.key}' holds "
                f"{_opportunities(detail.impact, 'open ')}; "
                f"add `replaces: [{stage}]` to the stage that should take them",
                change.kind,
                change.key,
            )
