"""Batched writes: updating or deleting many objects costs the same statements as one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from store_helpers import HOLDER, data, group, product, sql, stage, template

from opconf.apply import batches
from opconf.errors import StoreError
from opconf.plan.model import Change
from opconf.store import Store
from opconf.store.write import Update, Writer

Obj = dict[str, Any]


def _step(key: str) -> Obj:
    return {
        "key": key,
        "name": key.title(),
        "type": "task",
        "required": False,
        "dueDays": None,
        "assignee": "owner",
    }


def _template(i: int, first: str, second: str, steps: list[str]) -> Obj:
    stages = [
        stage(first, 10, steps=[_step(f"{first}_{k}") for k in steps]),
        stage(second, 20, steps=[_step(f"{second}_{k}") for k in steps]),
        stage("won", 100, outcome="won"),
        stage("lost", 0, outcome="lost"),
    ]
    return template(f"t{i}", stages, products=["p1", "p2"] if i % 2 else ["p2"])


def _group(i: int, users: list[str], role: str) -> Obj:
    return group(f"g{i}", members=[{"user": u, "role": role} for u in users])


@contextmanager
def _counting(store: Store) -> Iterator[list[str]]:
    """The SQL statements the store's connections execute meanwhile (executemany counts once)."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = store._db.engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _seed(store: Store, n: int) -> None:
    with store.writer(HOLDER) as w:
        w.create_many("Product", [product("p1"), product("p2")])
        w.create_many("CoverageGroup", [_group(i, ["alice", "bob"], "advisor") for i in range(n)])
        w.create_many("OpportunityTemplate", [_template(i, "a", "b", ["x", "y"]) for i in range(n)])


def _update_all(store: Store, indices: range) -> list[str]:
    """Swap members and roles, reorder stages, drop and add steps, change products: counted."""
    groups = [_group(i, ["bob", "carol"], "analyst") for i in indices]
    templates = [{**_template(i, "b", "a", ["y", "z"]), "products": ["p2", "p1"]} for i in indices]
    with store.writer(HOLDER) as w, _counting(store) as statements:
        w.update_many("CoverageGroup", [_update(w, "CoverageGroup", o) for o in groups])
        w.update_many(
            "OpportunityTemplate", [_update(w, "OpportunityTemplate", o) for o in templates]
        )
    for obj in groups:
        assert data(store, "CoverageGroup", obj["key"]) == obj
    for obj in templates:
        assert data(store, "OpportunityTemplate", obj["key"]) == obj
    return statements


def _update(writer: Writer, kind: str, obj: Obj) -> Update:
    return Update(writer.state.objects[(kind, obj["key"])].id, obj)


def test_updating_many_objects_costs_the_statements_of_one(seeded_empty: Store) -> None:
    store = seeded_empty
    _seed(store, 12)
    one = _update_all(store, range(1))
    many = _update_all(store, range(1, 12))
    assert len(many) == len(one), many


def _swap_stage_keys(store: Store, indices: range) -> list[str]:
    """Stages a and b renamed to each other (previousKeys) in each template: counted."""
    renamed = [_template(i, "b", "a", ["x", "y"]) for i in indices]
    with store.writer(HOLDER) as w, _counting(store) as statements:
        swap = {"a": "b", "b": "a"}
        row = w.state.objects
        updates = [
            Update(row[("OpportunityTemplate", o["key"])].id, o, stage_renames=swap)
            for o in renamed
        ]
        w.update_many("OpportunityTemplate", updates)
    for obj in renamed:
        assert data(store, "OpportunityTemplate", obj["key"]) == obj
    return statements


def test_renaming_stages_in_many_templates_costs_the_statements_of_one(
    seeded_empty: Store, store_url: str
) -> None:
    """A swap of two stage keys in every template: the rows keep their ids (and opportunities),
    and one statement parks all the renamed keys, however many templates."""
    store = seeded_empty
    _seed(store, 12)
    before = dict(sql(store_url, "SELECT id, key FROM template_stage"))
    one = _swap_stage_keys(store, range(1))
    many = _swap_stage_keys(store, range(1, 12))
    assert len(many) == len(one), many
    after = dict(sql(store_url, "SELECT id, key FROM template_stage"))
    swapped = {"a": "b", "b": "a", "won": "won", "lost": "lost"}
    assert after == {row: swapped[key] for row, key in before.items()}


def test_deleting_many_objects_is_one_statement_and_their_ownership_another(
    seeded_empty: Store,
) -> None:
    store = seeded_empty
    _seed(store, 5)
    with store.writer(HOLDER) as w, _counting(store) as statements:
        ids = [o.id for (k, _), o in w.state.objects.items() if k == "OpportunityTemplate"]
        w.delete_many("OpportunityTemplate", ids)
    assert [s.split()[:3] for s in statements] == [
        ["DELETE", "FROM", "opportunity_template"],
        ["DELETE", "FROM", "opconf_owned"],
    ]
    kinds = {k for k, _ in store.read_state().objects}
    assert "OpportunityTemplate" not in kinds


def test_deleting_a_missing_row_is_an_error(seeded_empty: Store) -> None:
    store = seeded_empty
    _seed(store, 2)
    missing = "OpportunityTemplate with id 999999 is not in the store"
    with pytest.raises(StoreError, match=missing), store.writer(HOLDER) as w:
        ids = [o.id for (k, _), o in w.state.objects.items() if k == "OpportunityTemplate"]
        w.delete_many("OpportunityTemplate", [*ids, 999999])
    assert len([k for k, _ in store.read_state().objects if k == "OpportunityTemplate"]) == 2


def test_updating_a_missing_row_is_an_error(seeded_empty: Store) -> None:
    store = seeded_empty
    _seed(store, 2)
    missing = r"CoverageGroup 'g9' \(id 999999\) is not in the store"
    with pytest.raises(StoreError, match=missing), store.writer(HOLDER) as w:
        ok = _update(w, "CoverageGroup", _group(0, ["carol"], "advisor"))
        w.update_many("CoverageGroup", [ok, Update(999999, _group(9, ["dave"], "advisor"))])
    assert data(store, "CoverageGroup", "g0")["members"][0]["user"] == "alice"


def _change(action: str, kind: str, key: str) -> Change:
    return Change(action, kind, key, before=None, after=None)  # type: ignore[arg-type]


def test_batches_group_consecutive_writes_of_one_kind_and_way() -> None:
    changes = (
        _change("create", "Product", "a"),
        _change("create", "Product", "b"),
        _change("update", "Product", "c"),
        _change("rename", "Product", "d"),
        _change("adopt", "Product", "e"),
        _change("update", "CoverageGroup", "f"),
        _change("delete", "Product", "g"),
        _change("delete", "Product", "h"),
    )
    assert [[c.key for c in b] for b in batches(changes)] == [
        ["a", "b"],
        ["c", "d", "e"],
        ["f"],
        ["g", "h"],
    ]
