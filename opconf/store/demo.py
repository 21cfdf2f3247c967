"""Demo data for ``opconf store init --demo``: a CRM as it was before opconf managed it.

The file (``demo.yaml`` beside this module by default) holds ``users``, ``coverageRoles``,
``productTypes``, then ``products``, ``coverageGroups`` and ``templates`` in canonical form —
seeded as *unmanaged* rows, as if created in the CRM's UI — and ``opportunities``
(``{name, template, stage, product?, status, amount}``, referring to keys). Seeding is
idempotent: rows whose login, code, key (or opportunity name within its template) exist are
left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from opconf.canonical import canonical, decimal_text
from opconf.errors import StoreError
from opconf.load.yamlread import read_mapping
from opconf.store import tables as t
from opconf.store.model import Obj
from opconf.store.write import Writer

DEMO_FILE = Path(__file__).with_name("demo.yaml")
_OBJECTS = (
    ("products", "Product", "product"),
    ("coverageGroups", "CoverageGroup", "coverage group"),
    ("templates", "OpportunityTemplate", "template"),
)


def load(path: Path) -> Obj:
    """The demo file as plain data, read like every YAML file of opconf's (YAML 1.2 with JSON
    semantics: ``yes`` and ``0x10`` stay strings; duplicate keys are located errors)."""
    return read_mapping(path, hint="the demo data file must be valid opconf YAML")


def seed(conn: Connection, writer: Writer, data: Obj) -> str:
    """Insert what is missing; returns what was added, e.g. ``3 products, 7 opportunities``."""
    added: dict[str, int] = {}
    added["user"] = _reference(
        conn,
        t.crm_user,
        "login",
        [
            {
                "login": u["login"],
                "display_name": u.get("displayName"),
                "email": u.get("email"),
                "active": u.get("active", True),
            }
            for u in data.get("users", ())
        ],
    )
    roles = [
        {"code": r["code"], "name": r.get("name"), "is_unique": r.get("unique", False)}
        for r in data.get("coverageRoles", ())
    ]
    added["coverage role"] = _reference(conn, t.crm_coverage_role, "code", roles)
    types = [{"code": p["code"], "name": p.get("name")} for p in data.get("productTypes", ())]
    added["product type"] = _reference(conn, t.crm_product_type, "code", types)
    for section, kind, label in _OBJECTS:
        added[label] = _objects(writer, kind, data.get(section, ()))
    added["opportunity"] = _opportunities(conn, data.get("opportunities", ()))
    parts = [_count(n, what) for what, n in added.items() if n]
    return ", ".join(parts) if parts else "nothing new"


def _count(n: int, what: str) -> str:
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    return f"{n} {what if n == 1 else plural}"


def _reference(conn: Connection, table: Table, pk: str, rows: list[dict[str, Any]]) -> int:
    have = set(conn.execute(select(table.c[pk])).scalars())
    new = [row for row in rows if row[pk] not in have]
    if new:
        conn.execute(table.insert(), new)
    return len(new)


def _objects(writer: Writer, kind: str, docs: Any) -> int:
    count = 0
    for doc in docs:
        obj = canonical(kind, doc)
        if (kind, obj["key"]) not in writer.state.objects:
            writer.create(kind, obj, managed=False)
            count += 1
    return count


def _opportunities(conn: Connection, items: Any) -> int:
    templates = _ids(conn, t.opportunity_template)
    products = _ids(conn, t.product)
    s, o = t.template_stage.c, t.opportunity.c
    stages = {
        (r.template_id, r.key): r.id for r in conn.execute(select(s.id, s.template_id, s.key))
    }
    have = {(r.template_id, r.name) for r in conn.execute(select(o.template_id, o.name))}
    new = []
    for item in items:
        template = _lookup(templates, item["template"], "template")
        if (template, item["name"]) in have:
            continue
        stage = item.get("stage")
        product = item.get("product")
        new.append(
            {
                "name": item["name"],
                "template_id": template,
                "stage_id": None if stage is None else _lookup(stages, (template, stage), "stage"),
                "product_id": None if product is None else _lookup(products, product, "product"),
                "status": item.get("status", "open"),
                "amount": decimal_text(item.get("amount")),
            }
        )
    if new:
        conn.execute(t.opportunity.insert(), new)
    return len(new)


def _ids(conn: Connection, table: Table) -> dict[Any, int]:
    return {r.key: r.id for r in conn.execute(select(table.c.key, table.c.id))}


def _lookup(ids: dict[Any, int], key: Any, what: str) -> int:
    if key not in ids:
        shown = key[1] if isinstance(key, tuple) else key
        raise StoreError(f"demo data: opportunity refers to unknown {what} '{shown}'")
    return ids[key]
