"""Syncing a template's children — products, stages, steps — by key, keeping row ids.

Positions are rewritten in two phases: the surviving rows are first *parked* above every
position in use (one UPDATE that can never collide), then set to their final positions, so the
``UNIQUE(…, position)`` constraints never trip whatever the reordering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    bindparam,
    delete,
    func,
    select,
    update,
)

from opconf.diagnostics import plural
from opconf.errors import StoreError
from opconf.store import tables as t
from opconf.store.model import Obj

_TEMP_KEY = "~renaming~"  # never a valid key (keys match ^[a-z][a-z0-9_]*$)


def insert_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one batch; their new ids, in the order of ``rows``."""
    if not rows:
        return []
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return [int(r.id) for r in conn.execute(statement, rows)]


def insert_template_children(
    conn: Connection, templates: Sequence[tuple[int, Sequence[int], Sequence[Obj]]]
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
    rows = [{"template_id": tid, **_stage_row(s, p)} for tid, p, s in stages]
    stage_ids = insert_ids(conn, t.template_stage, rows)
    steps = [
        {"template_id": tid, **_step_row(step, stage_id, position)}
        for stage_id, (tid, _, stage) in zip(stage_ids, stages, strict=True)
        for position, step in enumerate(stage["steps"])
    ]
    if steps:
        conn.execute(t.stage_step.insert(), steps)


def sync_products(conn: Connection, template_id: int, product_ids: Sequence[int]) -> None:
    """The template sells ``product_ids``, in that order."""
    tp = t.template_product
    where = tp.c.template_id == template_id
    current = {r.product_id: r.position for r in conn.execute(select(tp).where(where))}
    gone = set(current) - set(product_ids)
    if gone:
        conn.execute(delete(tp).where(where, tp.c.product_id.in_(gone)))
    _park(conn, tp, where, [p for k, p in current.items() if k not in gone], len(product_ids))
    kept = [{"b_pid": pid, "position": i} for i, pid in enumerate(product_ids) if pid in current]
    if kept:
        stmt = update(tp).where(where, tp.c.product_id == bindparam("b_pid"))
        conn.execute(stmt, kept)
    new = [
        {"template_id": template_id, "product_id": pid, "position": i}
        for i, pid in enumerate(product_ids)
        if pid not in current
    ]
    if new:
        conn.execute(tp.insert(), new)


def sync_stages(
    conn: Connection,
    template_id: int,
    stages: Sequence[Obj],
    renames: Mapping[str, str],
    moves: Mapping[str, str],
) -> None:
    """Stages and steps become ``stages``; see ``Writer.update`` for renames and moves."""
    ts = t.template_stage
    where = ts.c.template_id == template_id
    rows = conn.execute(select(ts.c.id, ts.c.key, ts.c.position).where(where)).all()
    ids = {r.key: r.id for r in rows}
    _rename_stages(conn, ids, renames)
    wanted = {s["key"] for s in stages}
    removed = {key: sid for key, sid in ids.items() if key not in wanted}
    _park(conn, ts, where, [r.position for r in rows], len(stages))
    kept = [
        {"b_id": ids[stage["key"]], **_stage_row(stage, position)}
        for position, stage in enumerate(stages)
        if stage["key"] in ids
    ]
    if kept:
        conn.execute(update(ts).where(ts.c.id == bindparam("b_id")), kept)
    new = [(p, s) for p, s in enumerate(stages) if s["key"] not in ids]
    inserts = [{"template_id": template_id, **_stage_row(s, p)} for p, s in new]
    ids.update(zip((s["key"] for _, s in new), insert_ids(conn, ts, inserts), strict=True))
    _sync_steps(conn, template_id, [(ids[s["key"]], s["steps"]) for s in stages])
    _move_opportunities(conn, removed, ids, moves)
    if removed:
        conn.execute(delete(ts).where(ts.c.id.in_(removed.values())))


def _rename_stages(conn: Connection, ids: dict[str, int], renames: Mapping[str, str]) -> None:
    """Rename in place (ids kept), via temporary keys so that swaps cannot collide.

    A stage that is not renamed but holds a key another stage is renamed to (a rollback past
    "rename, then reuse the old key") keeps its temporary key, and so is removed.
    """
    todo = {old: new for old, new in renames.items() if old in ids and old != new}
    blocking = [new for new in todo.values() if new in ids and new not in todo]
    ts = t.template_stage
    for old in [*todo, *blocking]:
        temp = f"{_TEMP_KEY}{ids[old]}"
        conn.execute(update(ts).where(ts.c.id == ids[old]).values(key=temp))
    for key in blocking:
        row = ids.pop(key)
        ids[f"{_TEMP_KEY}{row}"] = row
    moved = {new: ids.pop(old) for old, new in todo.items()}
    for new, sid in moved.items():
        conn.execute(update(ts).where(ts.c.id == sid).values(key=new))
    ids.update(moved)


def _stage_row(stage: Obj, position: int) -> dict[str, Any]:
    return {
        "key": stage["key"],
        "name": stage["name"],
        "position": position,
        "probability": stage["probability"],
        "outcome": stage["outcome"],
        "guidance": stage["guidance"],
    }


def _sync_steps(
    conn: Connection, template_id: int, stages: Sequence[tuple[int, Sequence[Obj]]]
) -> None:
    """Steps by key within the template; a step may move to another stage."""
    ss = t.stage_step
    where = ss.c.template_id == template_id
    current = {
        r.key: r for r in conn.execute(select(ss.c.id, ss.c.key, ss.c.position).where(where))
    }
    wanted = [(sid, i, step) for sid, steps in stages for i, step in enumerate(steps)]
    gone = set(current) - {step["key"] for _, _, step in wanted}
    if gone:
        conn.execute(delete(ss).where(ss.c.id.in_([current[k].id for k in gone])))
    kept = [r.position for k, r in current.items() if k not in gone]
    _park(conn, ss, where, kept, max((len(steps) for _, steps in stages), default=0))
    updates, inserts = [], []
    for stage_id, position, step in wanted:
        values = _step_row(step, stage_id, position)
        if step["key"] in current:
            updates.append({"b_id": current[step["key"]].id, **values})
        else:
            inserts.append({"template_id": template_id, **values})
    if updates:
        conn.execute(update(ss).where(ss.c.id == bindparam("b_id")), updates)
    if inserts:
        conn.execute(ss.insert(), inserts)


def _step_row(step: Obj, stage_id: int, position: int) -> dict[str, Any]:
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


def _move_opportunities(
    conn: Connection, removed: dict[str, int], ids: dict[str, int], moves: Mapping[str, str]
) -> None:
    """Open opportunities leave removed stages for the stages that replace them."""
    o = t.opportunity
    for key, stage_id in removed.items():
        if key in moves:
            if moves[key] not in ids or moves[key] in removed:
                raise StoreError(f"stage '{moves[key]}' replacing '{key}' is not in the template")
            target = ids[moves[key]]
            where = (o.c.stage_id == stage_id, o.c.status == "open")
            conn.execute(update(o).where(*where).values(stage_id=target))
    if not removed:
        return
    held = select(o.c.stage_id, func.count()).where(
        o.c.stage_id.in_(removed.values()), o.c.status == "open"
    )
    for stage_id, count in conn.execute(held.group_by(o.c.stage_id)):
        key = next(k for k, v in removed.items() if v == stage_id)
        raise StoreError(
            f"stage '{key}' still holds {plural(count, 'open opportunity', 'open opportunities')}",
            hint="name a surviving stage that `replaces` it",
        )


def _park(
    conn: Connection,
    table: Table,
    where: ColumnElement[bool],
    positions: Sequence[int],
    wanted: int,
) -> None:
    """Shift the rows' positions above both the old and the final ones, keeping them distinct."""
    if not positions:
        return
    offset = max(positions) - min(min(positions), 0) + wanted + 1
    conn.execute(update(table).where(where).values(position=table.c.position + offset))
