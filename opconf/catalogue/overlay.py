"""A saved plan as marks on the catalogue: what each pending change does to what is shown.

A :class:`~opconf.plan.model.Change` lists field-level :class:`~opconf.plan.model.Detail`
values with paths such as ``name``, ``stages[qualify]``, ``stages[qualify].probability``,
``steps[kyc]`` or ``members[jdoe].role``. Here they are regrouped by the element they are
about (a stage, a step, a member, a product link), keyed as the configuration names it now,
so the view model can mark each element where it is drawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from opconf.plan.model import Change, Detail, Obj, Plan

_ELEMENT = re.compile(r"^(?P<list>\w+)\[(?P<key>[^\]]+)\](?:\.(?P<field>\w+))?$")

# What a change does to an object, as one word for the list and the details header.
MARKS = {
    "create": "new",
    "update": "changed",
    "rename": "renamed",
    "delete": "deleted",
    "adopt": "adopted",
    "release": "released",
}


@dataclass(frozen=True)
class Element:
    """The plan's changes to one stage, step, member or product link."""

    ops: tuple[Detail, ...] = ()  # add, remove, move, rename
    was: dict[str, Any] = field(default_factory=dict)  # changed field → its old value

    def op(self, name: str) -> Detail | None:
        return next((d for d in self.ops if d.op == name), None)


@dataclass(frozen=True)
class Overlay:
    """One change, regrouped for drawing: object fields, then elements by (list, key)."""

    change: Change
    was: dict[str, Any]  # changed top-level field → old value
    elements: dict[tuple[str, str], Element]

    @property
    def mark(self) -> str:
        return MARKS[self.change.action]

    def element(self, name: str, key: str) -> Element | None:
        return self.elements.get((name, key))

    def removed(self, name: str) -> set[str]:
        """Keys (as in the store) of the elements of list ``name`` the plan removes."""
        return {k for (n, k), e in self.elements.items() if n == name and e.op("remove")}


def overlay(change: Change) -> Overlay:
    """Regroup ``change``'s details by the element they are about."""
    was: dict[str, Any] = {}
    ops: dict[tuple[str, str], list[Detail]] = {}
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    for d in change.details:
        match = _ELEMENT.match(d.path)
        if match is None:
            was[d.path] = d.old
            continue
        # A stage rename is named by its old key; everything else by the key it has now.
        where = (match["list"], str(d.new) if d.op == "rename" else match["key"])
        if match["field"]:
            fields.setdefault(where, {})[match["field"]] = d.old
        else:
            ops.setdefault(where, []).append(d)
    elements = {
        where: Element(tuple(ops.get(where, ())), fields.get(where, {}))
        for where in sorted(ops.keys() | fields.keys())
    }
    return Overlay(change, was, elements)


def overlays(plan: Plan) -> dict[tuple[str, str], Overlay]:
    """Each change of ``plan`` by (kind, key): the key as the configuration names it."""
    return {(c.kind, c.key): overlay(c) for c in plan.changes}


def deleted_objects(plan: Plan) -> list[tuple[str, str, Obj]]:
    """(kind, key, data as in the store) of the objects the plan deletes."""
    return [
        (c.kind, c.key, c.before)
        for c in plan.changes
        if c.action == "delete" and c.before is not None
    ]
