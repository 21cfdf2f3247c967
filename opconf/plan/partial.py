"""A partial plan (``--select``), as Terraform's ``-target``: only the selected objects'
changes, everything else left as the store has it.

A change is selected by its key or, for a rename, by the key it had. A selected template
that sells a product (or defaults to a group) that only a left-out change brings into the
store cannot be applied alone: OPC308 names what to add. Deleting what a left-out template
change would stop using is the safety rules' OPC304, as in any plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from opconf.plan.model import Change, PlanError
from opconf.selection import Selection

_BRINGS = ("create", "rename", "release")  # actions that put a key into the store


def selected(change: Change, select: Selection) -> bool:
    keys = (change.key, change.old_key) if change.old_key else (change.key,)
    return any(select.matches(change.kind, key) for key in keys)


def restrict(changes: Iterable[Change], select: Selection) -> tuple[list[Change], list[PlanError]]:
    """The selected changes (in apply order) and what they need from the others."""
    if not select:
        return list(changes), []
    kept: list[Change] = []
    brought: dict[tuple[str, str], Change] = {}
    for change in changes:
        if selected(change, select):
            kept.append(change)
        elif change.action in _BRINGS:
            brought[(change.kind, change.key)] = change
    return kept, list(_needs(kept, brought))


def _needs(kept: list[Change], brought: dict[tuple[str, str], Change]) -> Iterator[PlanError]:
    for change in kept:
        if change.kind != "OpportunityTemplate" or change.after is None:
            continue
        used = [("Product", p) for p in dict.fromkeys(change.after.get("products") or ())]
        used.append(("CoverageGroup", change.after.get("defaultCoverageGroup")))
        for kind, key in used:
            other = brought.get((kind, key))
            if other is None:
                continue
            yield PlanError(
                "OPC308",
                f"template '{change.key}' uses {kind} '{key}', which this plan "
                f"{_verb(other)} but --select leaves out: add --select {kind}/{key}",
                change.kind,
                change.key,
            )


def _verb(change: Change) -> str:
    if change.action == "rename":
        return f"renames from '{change.old_key}'"
    return {"create": "creates", "release": "releases"}[change.action]
