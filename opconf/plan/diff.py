"""Desired vs current, per kind: create, update, rename, adopt, delete (or leave unmanaged).

Alembic's shape: desired keys and current keys partitioned three ways, processed in a stable
order; a comparison is kept only when it is non-empty. Comparing is ``==`` on canonical forms;
field-level details are computed only for objects that differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from opconf.canonical import KIND_ORDER
from opconf.plan.details import ADOPTED, object_details
from opconf.plan.model import Action, Change, Detail, Obj
from opconf.store.model import StoredObject, StoreState


@dataclass(frozen=True)
class Desired:
    """One object as the configuration wants it."""

    kind: str
    key: str
    data: Obj  # canonical form
    previous_keys: tuple[str, ...] = ()
    stage_previous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stage → old keys
    replaces: dict[str, str] = field(default_factory=dict)  # removed stage → replacing stage
    source: str = ""  # file:line:column, for messages
    row_id: int | None = None  # rollback: the store row this object was (identity by row)


@dataclass(frozen=True)
class Diff:
    changes: list[Change]
    unmanaged: list[tuple[str, str]]


def compute(
    desired: Iterable[Desired],
    state: StoreState,
    prune: bool,
    release: dict[tuple[str, int], Obj] | None = None,
) -> Diff:
    """The changes that make the store match ``desired``, in apply order.

    ``release`` (rollback only): managed objects, by (kind, row id), that go back to being
    unmanaged with the given data instead of being deleted.
    """
    release = release or {}
    wanted: dict[str, dict[str, Desired]] = {kind: {} for kind in KIND_ORDER}
    for d in desired:
        wanted[d.kind][d.key] = d
    current = by_kind(state)
    changes: list[Change] = []
    deletes: list[Change] = []
    unmanaged: list[tuple[str, str]] = []
    meaning: dict[str, dict[str, str]] = {}  # kind → store key → the key it names after
    for kind in KIND_ORDER:
        rows = _Rows(current[kind], wanted[kind].values())
        for key in sorted(wanted[kind]):
            change = _compare(wanted[kind][key], rows, state, meaning)
            if change is not None:
                changes.append(change)
        for key in sorted(set(current[kind]) - rows.claimed):
            obj = current[kind][key]
            if obj.managed and (kind, obj.id) in release:
                changes.append(_release(obj, release[(kind, obj.id)], state))
            elif obj.managed or prune:
                deletes.append(_delete(obj, state))
            else:
                unmanaged.append((kind, key))
        meaning[kind] = keys_after(kind, current[kind], changes)
    return Diff(changes + deletes[::-1], unmanaged)


def by_kind(state: StoreState) -> dict[str, dict[str, StoredObject]]:
    """The store's objects: kind → key → object."""
    out: dict[str, dict[str, StoredObject]] = {kind: {} for kind in KIND_ORDER}
    for obj in state.objects.values():
        out[obj.kind][obj.key] = obj
    return out


class _Rows:
    """The store's rows of one kind, as desired objects claim them.

    A desired object with a ``row_id`` (rollback) claims that row whatever its key now;
    otherwise its key, or one of its previous keys, names the row — never a row that another
    desired object claims by identity.
    """

    def __init__(self, current: dict[str, StoredObject], wanted: Iterable[Desired]) -> None:
        self.current = current
        self.by_id = {o.id: o for o in current.values()}
        self.reserved = {self.by_id[d.row_id].key for d in wanted if d.row_id in self.by_id}
        self.claimed: set[str] = set()

    def match(self, want: Desired) -> tuple[StoredObject | None, str | None]:
        """The row ``want`` becomes, and its key now when that differs (a rename)."""
        have = self.by_id.get(want.row_id) if want.row_id is not None else None
        if have is None:
            have = self._free(want.key)
        if have is None:
            old = next((k for k in want.previous_keys if self._free(k)), None)
            have = self.current[old] if old else None
        self.claimed.add(have.key if have else want.key)
        return have, (have.key if have and have.key != want.key else None)

    def _free(self, key: str) -> StoredObject | None:
        if key in self.claimed or key in self.reserved:
            return None
        return self.current.get(key)


def keys_after(
    kind: str, current: Mapping[str, StoredObject], changes: Iterable[Change]
) -> dict[str, str]:
    """Store key → the key the same row has after the plan, for the keys that change.

    A key whose row is deleted while another row takes the key over (rollback past "rename,
    then reuse the old key") names no row of the plan's result: it maps to a label no
    configuration key can equal, so that a template selling that row shows the change.
    """
    out = {c.old_key: c.key for c in changes if c.old_key and c.kind == kind}
    for key in set(out.values()) - set(out):
        if key in current:
            out[key] = f"{key} (row {current[key].id})"
    return out


def _compare(
    want: Desired, rows: _Rows, state: StoreState, meaning: dict[str, dict[str, str]]
) -> Change | None:
    have, old_key = rows.match(want)
    if have is None:
        return Change("create", want.kind, want.key, None, want.data)
    renames = _stage_renames(want, have.data)
    seen = follow_renames(want.kind, have.data, meaning)
    if have.managed and old_key is None and seen == want.data:
        return None
    action: Action = "rename" if old_key else ("update" if have.managed else "adopt")
    details = object_details(want.kind, seen, want.data, renames, state.usage)
    if old_key and not have.managed:  # renaming the CRM's own object adopts it: say so
        details.insert(0, Detail("set", ADOPTED, False, True))
    return Change(
        action,
        want.kind,
        want.key,
        have.data,
        want.data,
        old_key=old_key,
        details=tuple(details),
        impact=_impact(want.kind, have.key, state),
        stage_renames=renames,
        stage_moves={k: v for k, v in want.replaces.items() if _has_stage(have.data, k)},
    )


def follow_renames(kind: str, data: Obj, meaning: Mapping[str, Mapping[str, str]]) -> Obj:
    """A template as the store will see it once renamed products and groups are renamed.

    References are row ids in the store, so renaming a product changes nothing in the
    templates that sell it; comparing with the new keys keeps such templates out of the plan.
    """
    products, groups = meaning.get("Product", {}), meaning.get("CoverageGroup", {})
    if kind != "OpportunityTemplate" or not (products or groups):
        return data
    group = data["defaultCoverageGroup"]
    return {
        **data,
        "products": [products.get(k, k) for k in data["products"]],
        "defaultCoverageGroup": groups.get(group, group),
    }


def _stage_renames(want: Desired, before: Obj) -> dict[str, str]:
    """Old stage key → new key, for stages renamed through their previousKeys."""
    if want.kind != "OpportunityTemplate":
        return {}
    live = {s["key"] for s in before["stages"]}
    wanted = {s["key"] for s in want.data["stages"]}
    by_row = want.row_id is not None  # rollback: a stage is its row, whatever holds its key
    renames = {}
    for stage, olds in want.stage_previous.items():
        if stage in live and not by_row:
            continue
        for old in olds:
            if old in live and (by_row or old not in wanted) and old not in renames:
                renames[old] = stage
                break
    return renames


def _has_stage(template: Obj, key: str) -> bool:
    return any(s["key"] == key for s in template["stages"])


def _impact(kind: str, key: str, state: StoreState) -> int:
    if kind == "OpportunityTemplate":
        return state.usage.template_open.get(key, 0)
    if kind == "Product":
        return state.usage.product_open.get(key, 0)
    return 0


def _release(obj: StoredObject, data: Obj, state: StoreState) -> Change:
    details = object_details(obj.kind, obj.data, data, {}, state.usage)
    impact = _impact(obj.kind, obj.key, state)
    old_key = obj.key if obj.key != data["key"] else None
    return Change("release", obj.kind, data["key"], obj.data, data, old_key, tuple(details), impact)


def _delete(obj: StoredObject, state: StoreState) -> Change:
    return Change(
        "delete", obj.kind, obj.key, obj.data, None, impact=_impact(obj.kind, obj.key, state)
    )
