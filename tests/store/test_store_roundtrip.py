"""Property: whatever canonical objects are written (created, then updated), reading returns them.

Also: reading is one query per table, whatever the number of objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event
from store_helpers import HOLDER, create, product, template

from opconf.canonical import canonical, decimal_text
from opconf.store import Store

USERS = ["alice", "bob", "carol", "dave"]
ROLES = ["advisor", "lead", "analyst"]
TYPES = ["brokerage", "deposit"]
KINDS = ("Product", "CoverageGroup", "OpportunityTemplate")
Config = dict[str, list[dict[str, Any]]]

keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
# Any text a database can hold: no lone surrogates, no NUL (PostgreSQL rejects it).
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)
names = texts.filter(bool)
optional_text = st.none() | texts.filter(bool)
prices = st.none() | st.decimals(min_value=0, max_value=Decimal("1e12"), places=4).map(decimal_text)


def products(prefix: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.fixed_dictionaries(
        {
            "key": keys.map(lambda k: prefix + k),
            "name": names,
            "description": optional_text,
            "type": st.sampled_from(TYPES),
            "active": st.booleans(),
            "listPrice": prices,
            "code": st.none() | keys.map(lambda k: prefix + k),
            "unitOfMeasure": optional_text,
        }
    )
    return st.lists(one, max_size=3, unique_by=lambda p: p["key"]).map(_unique_codes)


def _unique_codes(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for item in items:
        if item["code"] in seen:
            item["code"] = None
        seen.add(item["code"])
    return [canonical("Product", p) for p in items]


def groups(prefix: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    member = st.fixed_dictionaries({"user": st.sampled_from(USERS), "role": st.sampled_from(ROLES)})
    one = st.fixed_dictionaries(
        {
            "key": keys.map(lambda k: prefix + k),
            "name": names,
            "description": optional_text,
            "visibility": st.sampled_from(["public", "private"]),
            "members": st.lists(member, max_size=4, unique_by=lambda m: m["user"]),
        }
    )
    items = st.lists(one, max_size=2, unique_by=lambda g: g["key"])
    return items.map(lambda gs: [canonical("CoverageGroup", g) for g in gs])


assignees = (
    st.just("owner")
    | st.builds(lambda r: {"role": r}, st.sampled_from(ROLES))
    | st.builds(lambda u: {"user": u}, st.sampled_from(USERS))
)
step = st.fixed_dictionaries(
    {
        "key": keys,
        "name": names,
        "type": st.sampled_from(["task", "document", "call", "meeting"]),
        "required": st.booleans(),
        "dueDays": st.none() | st.integers(0, 400),
        "assignee": assignees,
    }
)
stage = st.fixed_dictionaries(
    {
        "key": keys,
        "name": names,
        "probability": st.integers(0, 100),
        "outcome": st.sampled_from(["open", "won", "lost"]),
        "guidance": optional_text,
        "steps": st.lists(step, max_size=3),
    }
)


@st.composite
def templates(
    draw: st.DrawFn, prefix: str, product_keys: list[str], group_keys: list[str]
) -> list[dict[str, Any]]:
    out = []
    for key in draw(st.lists(keys, max_size=2, unique=True)):
        stages = draw(st.lists(stage, min_size=1, max_size=4, unique_by=lambda s: s["key"]))
        _unique_step_keys(stages)
        doc = {
            "key": prefix + key,
            "name": draw(names),
            "description": draw(optional_text),
            "category": draw(st.sampled_from(["product", "parent"])),
            "entityType": draw(st.sampled_from(["contact", "company", "household"])),
            "active": draw(st.booleans()),
            "defaultCoverageGroup": draw(st.sampled_from([None, *group_keys])),
            "products": draw(st.permutations(product_keys))[: draw(st.integers(0, 3))],
            "stages": stages,
        }
        out.append(canonical("OpportunityTemplate", doc))
    return out


def _unique_step_keys(stages: list[dict[str, Any]]) -> None:
    """Step keys are unique within a template: drop repeats."""
    seen: set[str] = set()
    for s in stages:
        steps = []
        for x in s["steps"]:
            if x["key"] not in seen:
                seen.add(x["key"])
                steps.append(x)
        s["steps"] = steps


@st.composite
def configs(draw: st.DrawFn, prefix: str) -> dict[str, list[dict[str, Any]]]:
    ps = draw(products(prefix))
    gs = draw(groups(prefix))
    ts = draw(templates(prefix, [p["key"] for p in ps], [g["key"] for g in gs]))
    return {"Product": ps, "CoverageGroup": gs, "OpportunityTemplate": ts}


def _write(store: Store, before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    """Update the i-th object of each kind to the i-th of ``after``; create/delete the rest."""
    with store.writer(HOLDER) as writer:
        rows = {
            kind: [writer.state.objects[(kind, o["key"])].id for o in before[kind]]
            for kind in KINDS
        }
        for kind in KINDS:
            for i, obj in enumerate(after[kind]):
                if i < len(rows[kind]):
                    writer.update(kind, rows[kind][i], obj)
                else:
                    writer.create(kind, obj)
        for kind in reversed(KINDS):
            for row_id in rows[kind][len(after[kind]) :]:
                writer.delete(kind, row_id)


def _stored(store: Store) -> dict[str, list[Any]]:
    objects = store.read_state().objects
    assert all(o.managed for o in objects.values())
    return {
        kind: sorted((o.data for k, o in objects.items() if k[0] == kind), key=lambda o: o["key"])
        for kind in KINDS
    }


def _sorted(config: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {kind: sorted(objs, key=lambda o: o["key"]) for kind, objs in config.items()}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=configs("a"), second=configs("b"))
def test_write_then_read_returns_the_same_objects(
    seeded_empty: Store, first: Config, second: Config
) -> None:
    empty: Config = {kind: [] for kind in KINDS}
    _write(seeded_empty, empty, first)
    assert _stored(seeded_empty) == _sorted(first)
    _write(seeded_empty, first, second)
    assert _stored(seeded_empty) == _sorted(second)
    _write(seeded_empty, second, empty)
    assert seeded_empty.read_state().objects == {}


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_read_state_is_one_query_per_table(seeded: Store) -> None:
    with _counting() as few:
        seeded.read_state()
    for i in range(20):
        create(seeded, "Product", product(f"p{i}"))
        create(seeded, "OpportunityTemplate", template(f"t{i}", products=[f"p{i}"]))
    with _counting() as many:
        state = seeded.read_state()
    assert len(state.objects) == 44
    assert len(many) == len(few)
    selects = [s for s in many if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 14
