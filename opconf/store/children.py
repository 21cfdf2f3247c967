"""A template's children — products, stages, steps — as rows: inserting new templates' in
one batch per table, renaming stages in place. Syncing updated ones: opconf/store/sync.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
)

from opconf.store.layout import Layout
from opconf.store.model import Obj

_TEMP_KEY = "~renaming~"  # never a valid key (opconf.keys: no "~")


def insert_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert many rows in one batch; their new ids, in the order of ``rows``."""
    if not rows:
        return []
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return [r.id for r in conn.execute(statement, rows)]


def insert_template_children(
    conn: Connection, t: Layout, templates: Sequence[tuple[int, Sequence[int], Sequence[Obj]]]
) -> None:
    """New templates' products, stages and steps — (template id, product ids, stages) each —
    in one batch per table: there is nothing to sync yet."""
    products = [
        {"template_id": tid, "product_id": pid, "position": i}
        for tid, product_ids, _ in templates
        for i, pid in enumerate(product_ids)
    ]
    if products:
        conn.execute(t.template_product.insert(), products)
    stages = [(tid, p, s) for tid, _, ss in templates for p, s in enumerate(ss)]
    rows = [{"template_id": tid, **stage_row(s, p)} for tid, p, s in stages]
    stage_ids = insert_ids(conn, t.template_stage, rows)
    steps = [
        {"template_id": tid, **step_row(step, stage_id, position)}
        for stage_id, (tid, _, stage) in zip(stage_ids, stages, strict=True)
        for position, step in enumerate(stage["steps"])
    ]
    if steps:
        conn.execute(t.stage_step.insert(), steps)


def park_renamed_stages(ids: dict[str, int], renames: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rename stages in ``ids`` (key → row id, ids kept); the rows to give temporary keys
    first (``b_id``, ``b_key``), so that the keys written next, swaps included, never collide.

    A stage that is not renamed but holds a key another stage is renamed to (a rollback past
    "rename, then reuse the old key") keeps its temporary key, and so is removed. The new keys
    themselves are written with the rest of each kept stage's row.
    """
    todo = {old: new for old, new in renames.items() if old in ids and old != new}
    blocking = [new for new in todo.values() if new in ids and new not in todo]
    parked = [{"b_id": ids[k], "b_key": f"{_TEMP_KEY}{ids[k]}"} for k in [*todo, *blocking]]
    for key in blocking:
        row = ids.pop(key)
        ids[f"{_TEMP_KEY}{row}"] = row
    ids.update({new: ids.pop(old) for old, new in todo.items()})
    return parked


def stage_row(stage: Obj, position: int) -> dict[str, Any]:
    return {
        "key": stage["key"],
        "name": stage["name"],
        "position": position,
        "probability": stage["probability"],
        "outcome": stage["outcome"],
        "guidance": stage["guidance"],
    }


def step_row(step: Obj, stage_id: int, position: int) -> dict[str, Any]:
    assignee = step["assignee"]
    kind, value = ("owner", None) if assignee == "owner" else next(iter(assignee.items()))
    return {
        "stage_id": stage_id,
        "key": step["key"],
        "name": step["name"],
        "position": position,
        "type": step["type"],
        "required": step["required"],
        "due_days": step["dueDays"],
        "assignee_kind": kind,
        "assignee_value": value,
    }
