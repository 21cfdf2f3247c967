"""Syncing the children of many updated objects at once — group members, a template's
products, stages and steps — by key, keeping row ids.

A batch of updates costs one statement per table and action, however many objects it holds
(``executemany`` for the per-row values): no round trip per row. Positions are rewritten in
two phases: each parent's surviving rows are first *parked* above every position in use (one
UPDATE that can never collide), then set to their final positions, so the
``UNIQUE(…, position)`` constraints never trip whatever the reordering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Row, Table, bindparam, delete, func, select, update

from opconf.diagnostics import plural
from opconf.errors import StoreError
from opconf.store.children import insert_ids, park_renamed_stages, stage_row, step_row
from opconf.store.layout import Layout
from opconf.store.model import Obj

CHUNK = 5_000  # ids per IN (…) list: well below SQLite's 32,766 host parameters


@dataclass(frozen=True)
class TemplateSync:
    """What one updated template's children become (see ``Writer.update``)."""

    template_id: int
    product_ids: Sequence[int]
    stages: Sequence[Obj]
    renames: Mapping[str, str]
    moves: Mapping[str, str]


def chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def children_of(
    conn: Connection, columns: Sequence[Column[Any]], parent: Column[Any], ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    """The rows (``columns``, the parent's first) of each parent in ``ids``: one query."""
    out: dict[int, list[Row[Any]]] = {i: [] for i in ids}
    for part in chunks(ids):
        for row in conn.execute(select(parent, *columns).where(parent.in_(part))):
            out[row[0]].append(row)
    return out


def delete_ids(conn: Connection, table: Table, ids: Sequence[int]) -> None:
    for part in chunks(ids):
        conn.execute(delete(table).where(table.c.id.in_(part)))


def park(conn: Connection, table: Table, positions: Mapping[int, tuple[list[int], int]]) -> None:
    """Shift each template's rows (template id → their positions, how many it will hold)
    above both the old and the final positions (0 … wanted − 1), keeping them distinct;
    the CRM's rows may hold any positions, negative ones too."""
    rows = [
        {"b_parent": tid, "b_offset": max(max(used), wanted) - min(used) + 1}
        for tid, (used, wanted) in positions.items()
        if used
    ]
    if rows:
        shift = table.c.position + bindparam("b_offset")
        stmt = update(table).where(table.c.template_id == bindparam("b_parent"))
        conn.execute(stmt.values(position=shift), rows)


def sync_members(conn: Connection, t: Layout, groups: Sequence[tuple[int, Sequence[Obj]]]) -> None:
    """Members by user: removals first, then role changes, then additions."""
    m = t.coverage_member
    columns = (m.c.id, m.c.user_login, m.c.role_code)
    current = children_of(conn, columns, m.c.group_id, [gid for gid, _ in groups])
    gone: list[int] = []
    changed, new = [], []
    for gid, members in groups:
        have = {r.user_login: r for r in current[gid]}
        wanted = {x["user"]: x["role"] for x in members}
        gone += [r.id for user, r in have.items() if user not in wanted]
        changed += [
            {"b_id": r.id, "role_code": wanted[user]}
            for user, r in have.items()
            if user in wanted and r.role_code != wanted[user]
        ]
        new += [
            {"group_id": gid, "user_login": x["user"], "role_code": x["role"]}
            for x in members
            if x["user"] not in have
        ]
    delete_ids(conn, m, gone)
    if changed:
        conn.execute(update(m).where(m.c.id == bindparam("b_id")), changed)
    if new:
        conn.execute(m.insert(), new)


def sync_products(conn: Connection, t: Layout, templates: Sequence[TemplateSync]) -> None:
    """Each template sells its ``product_ids``, in that order."""
    tp = t.template_product
    columns = (tp.c.product_id, tp.c.position)
    current = children_of(conn, columns, tp.c.template_id, [s.template_id for s in templates])
    gone, kept, new = [], [], []
    parked: dict[int, tuple[list[int], int]] = {}
    for s in templates:
        tid, have = s.template_id, {r.product_id: r.position for r in current[s.template_id]}
        gone += [{"b_tid": tid, "b_pid": p} for p in have if p not in s.product_ids]
        parked[tid] = ([pos for p, pos in have.items() if p in s.product_ids], len(s.product_ids))
        for i, pid in enumerate(s.product_ids):
            if pid in have:
                kept.append({"b_tid": tid, "b_pid": pid, "position": i})
            else:
                new.append({"template_id": tid, "product_id": pid, "position": i})
    pair = (tp.c.template_id == bindparam("b_tid"), tp.c.product_id == bindparam("b_pid"))
    if gone:
        conn.execute(delete(tp).where(*pair), gone)
    park(conn, tp, parked)
    if kept:
        conn.execute(update(tp).where(*pair), kept)
    if new:
        conn.execute(tp.insert(), new)


def sync_stages(conn: Connection, t: Layout, templates: Sequence[TemplateSync]) -> None:
    """Stages and steps become each template's ``stages``; see ``Writer.update``."""
    ts = t.template_stage
    columns = (ts.c.id, ts.c.key, ts.c.position)
    current = children_of(conn, columns, ts.c.template_id, [s.template_id for s in templates])
    ids: dict[int, dict[str, int]] = {}
    parked: dict[int, tuple[list[int], int]] = {}
    renamed = []
    for s in templates:
        ids[s.template_id] = {r.key: r.id for r in current[s.template_id]}
        renamed += park_renamed_stages(ids[s.template_id], s.renames)
        parked[s.template_id] = ([r.position for r in current[s.template_id]], len(s.stages))
    if renamed:  # one statement for every template's renamed stages
        to_temp = update(ts).where(ts.c.id == bindparam("b_id")).values(key=bindparam("b_key"))
        conn.execute(to_temp, renamed)
    removed = {
        s.template_id: {k: i for k, i in ids[s.template_id].items() if k not in _keys(s.stages)}
        for s in templates
    }
    park(conn, ts, parked)
    _write_stages(conn, t, templates, ids)
    sync_steps(
        conn,
        t,
        [
            (s.template_id, [(ids[s.template_id][x["key"]], x["steps"]) for x in s.stages])
            for s in templates
        ],
    )
    move_opportunities(
        conn, t, [(removed[s.template_id], ids[s.template_id], s.moves) for s in templates]
    )
    delete_ids(conn, ts, [i for r in removed.values() for i in r.values()])


def _keys(objects: Sequence[Obj]) -> set[str]:
    return {o["key"] for o in objects}


def _write_stages(
    conn: Connection, t: Layout, templates: Sequence[TemplateSync], ids: dict[int, dict[str, int]]
) -> None:
    """Kept stages updated, new ones inserted (their ids added to ``ids``)."""
    ts = t.template_stage
    kept, new = [], []
    for s in templates:
        have = ids[s.template_id]
        for position, stage in enumerate(s.stages):
            if stage["key"] in have:
                kept.append({"b_id": have[stage["key"]], **stage_row(stage, position)})
            else:
                new.append((s.template_id, stage["key"], stage_row(stage, position)))
    if kept:
        conn.execute(update(ts).where(ts.c.id == bindparam("b_id")), kept)
    rows = [{"template_id": tid, **row} for tid, _, row in new]
    for (tid, key, _), stage_id in zip(new, insert_ids(conn, ts, rows), strict=True):
        ids[tid][key] = stage_id


def sync_steps(
    conn: Connection,
    t: Layout,
    templates: Sequence[tuple[int, Sequence[tuple[int, Sequence[Obj]]]]],
) -> None:
    """Steps by key within each template — (template id, [(stage id, steps)]) — a step may
    move to another stage."""
    ss = t.stage_step
    columns = (ss.c.id, ss.c.key, ss.c.position)
    current = children_of(conn, columns, ss.c.template_id, [tid for tid, _ in templates])
    gone: list[int] = []
    updates, inserts = [], []
    parked: dict[int, tuple[list[int], int]] = {}
    for tid, stages in templates:
        have = {r.key: r for r in current[tid]}
        wanted = [(sid, i, step) for sid, steps in stages for i, step in enumerate(steps)]
        keys = {step["key"] for _, _, step in wanted}
        gone += [r.id for key, r in have.items() if key not in keys]
        most = max((len(steps) for _, steps in stages), default=0)
        parked[tid] = ([r.position for key, r in have.items() if key in keys], most)
        for stage_id, position, step in wanted:
            values = step_row(step, stage_id, position)
            if step["key"] in have:
                updates.append({"b_id": have[step["key"]].id, **values})
            else:
                inserts.append({"template_id": tid, **values})
    delete_ids(conn, ss, gone)
    park(conn, ss, parked)
    if updates:
        conn.execute(update(ss).where(ss.c.id == bindparam("b_id")), updates)
    if inserts:
        conn.execute(ss.insert(), inserts)


Removal = tuple[dict[str, int], dict[str, int], Mapping[str, str]]  # removed, all ids, moves


def move_opportunities(conn: Connection, t: Layout, templates: Sequence[Removal]) -> None:
    """Open opportunities leave removed stages for the stages that replace them; a removed
    stage that still holds any is an error."""
    o = t.opportunity
    moving = []
    for removed, ids, moves in templates:
        for key in removed.keys() & moves.keys():
            if moves[key] not in ids or moves[key] in removed:
                raise StoreError(f"stage '{moves[key]}' replacing '{key}' is not in the template")
            moving.append({"b_from": removed[key], "b_to": ids[moves[key]]})
    if moving:
        where = (o.c.stage_id == bindparam("b_from"), o.c.status == "open")
        conn.execute(update(o).where(*where).values(stage_id=bindparam("b_to")), moving)
    keys = {stage_id: key for removed, _, _ in templates for key, stage_id in removed.items()}
    for part in chunks(list(keys)):
        held = select(o.c.stage_id, func.count()).where(
            o.c.stage_id.in_(part), o.c.status == "open"
        )
        for stage_id, count in conn.execute(held.group_by(o.c.stage_id)):
            raise StoreError(
                f"stage '{keys[stage_id]}' still holds "
                f"{plural(count, 'open opportunity', 'open opportunities')}",
                hint="name a surviving stage that `replaces` it",
            )
