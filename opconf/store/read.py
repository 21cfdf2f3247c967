"""Reading the store: configuration rows → canonical objects (opconf/canonical.py).

One query per table, whatever the number of objects: plan stays O(objects).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from sys import intern
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from opconf.errors import StoreError
from opconf.store import bookkeeping
from opconf.store.layout import DEFAULT, Layout
from opconf.store.model import Obj, ObjectId, RefData, StoredObject, StoreState, Usage
from opconf.store.softdelete import of_live_parent, visible


def read_state(
    conn: Connection, revision: int, *, bookkept: bool = True, layout: Layout = DEFAULT
) -> StoreState:
    """The store's configuration, reference data and usage at ``revision``; without
    ``bookkept`` (opconf's tables not made yet) nothing is managed."""
    owned = bookkeeping.owned(conn, layout.opconf_owned) if bookkept else bookkeeping.none_owned()
    objects = _Objects(owned)
    t = layout
    product_keys = _read_products(conn, t, objects)
    group_keys = _read_groups(conn, t, objects)
    template_keys, stage_keys = _read_templates(conn, t, objects, product_keys, group_keys)
    user_cols = visible(select(t.crm_user.c.login, t.crm_user.c.active), t.crm_user)
    users = {r.login: r.active for r in conn.execute(user_cols)}
    role_cols = select(t.crm_coverage_role.c.code, t.crm_coverage_role.c.is_unique)
    roles = {r.code: r.is_unique for r in conn.execute(visible(role_cols, t.crm_coverage_role))}
    type_codes = visible(select(t.crm_product_type.c.code), t.crm_product_type)
    types = frozenset(conn.execute(type_codes).scalars())
    usage = _read_usage(conn, t, template_keys, stage_keys, product_keys)
    return StoreState(revision, objects.objects, users, roles, types, usage)


def reference_data(conn: Connection, t: Layout = DEFAULT) -> RefData:
    """Users, coverage roles and product types, sorted by login / code."""
    u, r, p = t.crm_user.c, t.crm_coverage_role.c, t.crm_product_type.c
    users = [
        {"login": x.login, "displayName": x.display_name, "email": x.email, "active": x.active}
        for x in conn.execute(
            visible(select(u.login, u.display_name, u.email, u.active), t.crm_user)
        )
    ]
    roles = [
        {"code": x.code, "name": x.name, "unique": x.is_unique}
        for x in conn.execute(visible(select(r.code, r.name, r.is_unique), t.crm_coverage_role))
    ]
    type_rows = conn.execute(visible(select(p.code, p.name), t.crm_product_type))
    types = [{"code": x.code, "name": x.name} for x in type_rows]
    # Sorted here, not by ORDER BY: database collations disagree with each other.
    return RefData(
        users=sorted(users, key=lambda x: x["login"]),
        coverageRoles=sorted(roles, key=lambda x: x["code"]),
        productTypes=sorted(types, key=lambda x: x["code"]),
    )


_BATCH = 10_000  # rows fetched at a time


def _stream(conn: Connection, query: Select[Any]) -> Iterator[Row[Any]]:
    """The rows of ``query``; on PostgreSQL fetched a batch at a time (a server-side cursor),
    so that psycopg never holds a whole table of 100,000 objects' steps beside the objects made
    from them. SQLite's cursor hands rows out one by one already: batching there only costs.
    The cursor is closed however the reading ends (a value the mapping cannot decode raises
    in the middle of it)."""
    if conn.dialect.name == "postgresql":
        query = query.execution_options(yield_per=_BATCH)
    with conn.execute(query) as result:
        yield from result


class _Objects:
    """The objects read so far; managed: owned by opconf (opconf/store/bookkeeping.py)."""

    def __init__(self, owned: dict[str, set[int]]) -> None:
        self.objects: dict[ObjectId, StoredObject] = {}
        self._owned = owned

    def add(
        self, kind: str, row: Row[Any], data: Obj, stage_ids: dict[str, int] | None = None
    ) -> None:
        managed = row.id in self._owned[kind]
        stored = StoredObject(kind, row.key, row.id, managed, data, stage_ids or {})
        self.objects[(kind, row.key)] = stored


def _read_products(conn: Connection, t: Layout, objects: _Objects) -> dict[int, str]:
    keys: dict[int, str] = {}
    for row in _stream(conn, visible(select(t.product), t.product)):
        keys[row.id] = row.key
        data = {
            "key": row.key,
            "name": row.name,
            "description": _text(row.description),
            "type": row.type,
            "active": row.active,
            "listPrice": row.list_price,
            "code": _text(row.code),
            "unitOfMeasure": _text(row.unit_of_measure),
        }
        objects.add("Product", row, data)
    return keys


def _read_groups(conn: Connection, t: Layout, objects: _Objects) -> dict[int, str]:
    members: dict[int, list[Obj]] = defaultdict(list)
    m = t.coverage_member.c
    query = of_live_parent(
        select(m.group_id, m.user_login, m.role_code), m.group_id, t.coverage_group
    )
    for group_id, user, role in _stream(conn, query):
        members[group_id].append({"user": intern(user), "role": intern(role)})
    keys: dict[int, str] = {}
    for row in _stream(conn, visible(select(t.coverage_group), t.coverage_group)):
        keys[row.id] = row.key
        data = {
            "key": row.key,
            "name": row.name,
            "description": _text(row.description),
            "visibility": row.visibility,
            "members": sorted(members[row.id], key=lambda x: x["user"]),
        }
        objects.add("CoverageGroup", row, data)
    _require(members, keys, "coverage_member", "a member row names coverage group id {}")
    return keys


def _read_templates(
    conn: Connection,
    t: Layout,
    objects: _Objects,
    product_keys: dict[int, str],
    group_keys: dict[int, str],
) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    products = _read_template_products(conn, t, product_keys)
    stages, stage_of = _read_stages(conn, t)
    stage_ids: dict[int, dict[str, int]] = defaultdict(dict)
    for sid, (tid, key) in stage_of.items():
        stage_ids[tid][key] = sid
    template_keys: dict[int, str] = {}
    for row in _stream(conn, visible(select(t.opportunity_template), t.opportunity_template)):
        template_keys[row.id] = row.key
        data = {
            "key": row.key,
            "name": row.name,
            "description": _text(row.description),
            "category": row.category,
            "entityType": row.entity_type,
            "active": row.active,
            "defaultCoverageGroup": _default_group(row, group_keys),
            "products": products.get(row.id, []),
            "stages": stages.get(row.id, []),
        }
        objects.add("OpportunityTemplate", row, data, stage_ids.get(row.id))
    _require(stages, template_keys, "template_stage", "a stage row names template id {}")
    stage_keys = {sid: (template_keys[tid], key) for sid, (tid, key) in stage_of.items()}
    return template_keys, stage_keys


def _default_group(row: Row[Any], group_keys: dict[int, str]) -> str | None:
    group_id = row.default_coverage_group_id
    if group_id is not None and group_id not in group_keys:
        what = f"the default coverage group of template id {row.id} is coverage group id {{}}"
        _require([group_id], group_keys, "opportunity_template", what)
    return None if group_id is None else group_keys[group_id]


def _require(children: Iterable[int], parents: Container[int], table: str, what: str) -> None:
    """Refuse rows of ``table`` pointing at a parent that does not exist (``children``: the
    parent ids they name): possible where the CRM writes with foreign keys off (SQLite).
    ``what`` describes such a row, ``{}`` standing for the missing parent's id."""
    missing = next((id for id in children if id not in parents), None)
    if missing is not None:
        raise StoreError(
            f"the store is inconsistent: {what.format(missing)}, which does not exist"
            f" (table {table})",
            hint="repair the row in the CRM's database; opconf writes nothing until then",
        )


def _read_template_products(
    conn: Connection, t: Layout, product_keys: dict[int, str]
) -> dict[int, list[str]]:
    tp = t.template_product.c
    products: dict[int, list[str]] = defaultdict(list)
    query = select(tp.template_id, tp.product_id).order_by(tp.template_id, tp.position)
    query = of_live_parent(query, tp.template_id, t.opportunity_template)
    for row in _stream(conn, query):
        if row.product_id not in product_keys:
            what = f"template id {row.template_id} sells product id {{}}"
            _require([row.product_id], product_keys, "template_product", what)
        products[row.template_id].append(product_keys[row.product_id])
    return products


def _read_stages(
    conn: Connection, t: Layout
) -> tuple[dict[int, list[Obj]], dict[int, tuple[int, str]]]:
    """Stages (with steps) by template id, and stage id → (template id, stage key)."""
    steps = _read_steps(conn, t)
    stages: dict[int, list[Obj]] = defaultdict(list)
    stage_of: dict[int, tuple[int, str]] = {}
    sc = t.template_stage.c
    columns = (sc.id, sc.template_id, sc.key, sc.name, sc.probability, sc.outcome, sc.guidance)
    query = select(*columns).order_by(sc.template_id, sc.position)
    query = of_live_parent(query, sc.template_id, t.opportunity_template)
    # Unpacked tuples, not attribute access: a fraction of the cost per row.
    for sid, tid, key, name, probability, outcome, guidance in _stream(conn, query):
        stage_of[sid] = (tid, key)
        stage = {"key": intern(key), "name": intern(name), "probability": probability}
        stage |= {"outcome": intern(outcome), "guidance": _s(_text(guidance)), "steps": steps[sid]}
        stages[tid].append(stage)
    _require(steps, stage_of, "stage_step", "a step row names stage id {}")
    return stages, stage_of


def _read_steps(conn: Connection, t: Layout) -> dict[int, list[Obj]]:
    steps: dict[int, list[Obj]] = defaultdict(list)
    sc = t.stage_step.c
    columns = (sc.stage_id, sc.key, sc.name, sc.type, sc.required, sc.due_days)
    query = select(*columns, sc.assignee_kind, sc.assignee_value)
    query = of_live_parent(query, sc.template_id, t.opportunity_template)
    for sid, key, name, kind, required, due, who, value in _stream(
        conn, query.order_by(sc.stage_id, sc.position)
    ):
        steps[sid].append(
            {
                "key": intern(key),
                "name": intern(name),
                "type": intern(kind),
                "required": required,
                "dueDays": due,
                "assignee": _assignee(who, _s(value)),
            }
        )
    return steps


def _text(value: str | None) -> str | None:
    """An optional text: an empty one (a UI that saves ``''``) is no text, as in the YAML."""
    return value or None


def _s(value: str | None) -> str | None:
    """Interned: stages, steps and members repeat the same few strings many times over."""
    return None if value is None else intern(value)


def _assignee(kind: str, value: str | None) -> str | dict[str, str]:
    return "owner" if kind == "owner" or value is None else {kind: value}


def _read_usage(
    conn: Connection,
    t: Layout,
    template_keys: dict[int, str],
    stage_keys: dict[int, tuple[str, str]],
    product_keys: dict[int, str],
) -> Usage:
    o = t.opportunity.c
    query = select(o.template_id, o.stage_id, o.product_id, o.status, func.count()).group_by(
        o.template_id, o.stage_id, o.product_id, o.status
    )
    query = visible(query, t.opportunity)
    usage = Usage()
    for template_id, stage_id, product_id, status, count in conn.execute(query):
        is_open = status == "open"
        _bump(usage.template_total, template_keys.get(template_id), count)
        _bump(usage.product_total, product_keys.get(product_id), count)
        if is_open:
            _bump(usage.template_open, template_keys.get(template_id), count)
            _bump(usage.stage_open, stage_keys.get(stage_id), count)
            _bump(usage.product_open, product_keys.get(product_id), count)
    return usage


def _bump(counts: dict[Any, int], key: Any, count: int) -> None:
    if key is not None:
        counts[key] = counts.get(key, 0) + count
