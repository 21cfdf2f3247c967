"""The store's unique constraints, predicted by the plan rather than met by the apply.

Validation sees only the configuration; the store also holds rows opconf does not manage
(made in the CRM's UI, or released by a rollback). The plan works out every row as it will be
after the plan — untouched rows as they are, changed rows as the plan leaves them, deleted
rows gone — and reports what two rows would share: an object key (``UNIQUE(key)`` per kind,
reachable only by a rename) or a product code (``UNIQUE(code)``).

Stage and step keys are unique within a template, which validation checks and the writer keeps
(renames go through temporary keys); names carry no store constraint.
"""

from __future__ import annotations

from collections.abc import Iterator

from opconf.plan.model import Change, Obj, PlanError
from opconf.store.model import StoreState

_Row = tuple[str, int | str]  # ("row", id) for a stored row, ("new", key) for a created one


def check(changes: list[Change], state: StoreState) -> Iterator[PlanError]:
    final, changed = _final(changes, state)
    for kind, rows in sorted(final.items()):
        yield from _shared(kind, "key", rows, changed)
        if kind == "Product":
            yield from _shared(kind, "code", rows, changed)


def _final(
    changes: list[Change], state: StoreState
) -> tuple[dict[str, dict[_Row, tuple[Obj, bool]]], dict[_Row, Change]]:
    """Kind → row → (data, managed) once the plan is applied; the rows the plan changes."""
    final: dict[str, dict[_Row, tuple[Obj, bool]]] = {}
    for o in state.objects.values():
        final.setdefault(o.kind, {})[("row", o.id)] = (o.data, o.managed)
    changed: dict[_Row, Change] = {}
    for c in changes:
        stored = state.objects.get((c.kind, c.store_key)) if c.before is not None else None
        row: _Row = ("row", stored.id) if stored else ("new", c.key)
        rows = final.setdefault(c.kind, {})
        if c.after is None:
            rows.pop(row, None)
        else:
            rows[row] = (c.after, c.action != "release")
            changed[row] = c
    return final, changed


def _shared(
    kind: str, field: str, rows: dict[_Row, tuple[Obj, bool]], changed: dict[_Row, Change]
) -> Iterator[PlanError]:
    holders: dict[str, list[_Row]] = {}
    for row, (data, _) in rows.items():
        if data.get(field) is not None:
            holders.setdefault(data[field], []).append(row)
    for value, held in sorted(holders.items()):
        for row in (r for r in held if r in changed and len(held) > 1):
            other = next(r for r in held if r != row)
            data, managed = rows[other]
            holder = f"{kind} '{data['key']}'" + ("" if managed else " (unmanaged)")
            yield _error(changed[row], field, value, holder)
            break


def _error(change: Change, field: str, value: str, holder: str) -> PlanError:
    if field == "code":
        message = (
            f"code '{value}' of Product '{change.key}' is already the code of {holder}; "
            "choose another code: product codes are unique across the store"
        )
        return PlanError("OPC305", message, change.kind, change.key)
    message = (
        f"cannot rename {change.kind} '{change.store_key}' to '{value}': "
        f"{holder} already has that key"
    )
    return PlanError("OPC306", message, change.kind, change.key)
