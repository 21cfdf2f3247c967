"""Which open opportunities a ``replaces`` moved, and moving them back (``opconf rollback``).

An apply records the open opportunities on each stage it removes, by id, before they move;
a rollback that creates such a stage again moves those still open on a stage it keeps back
to it. Every statement runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, select, update

from opconf.store.ids import RowId
from opconf.store.layout import DEFAULT, Layout
from opconf.store.softdelete import visible
from opconf.store.sync import chunks


class Return(NamedTuple):
    """Open opportunities ``ids`` on stage row ``source`` go to stage row ``target``."""

    source: RowId
    target: RowId
    ids: Sequence[RowId]


def open_on(
    conn: Connection, template_id: int, stage_keys: Iterable[str], layout: Layout = DEFAULT
) -> dict[int, list[int]]:
    """Stage row → the open opportunities on it, for the template's stages ``stage_keys``."""
    o, ts = layout.opportunity, layout.template_stage
    query = (
        select(ts.c.id, o.c.id)
        .join(o, o.c.stage_id == ts.c.id)
        .where(ts.c.template_id == template_id, ts.c.key.in_(list(stage_keys)))
        .where(o.c.status == "open")
        .order_by(o.c.id)
    )
    query = visible(query, o)
    out: dict[int, list[int]] = {}
    for stage_id, opportunity_id in conn.execute(query):
        out.setdefault(stage_id, []).append(opportunity_id)
    return out


def stages_of_open(
    conn: Connection, ids: Sequence[RowId], layout: Layout = DEFAULT
) -> dict[RowId, RowId]:
    """Opportunity id → its stage row, for those of ``ids`` that are open on a stage."""
    o = layout.opportunity
    out: dict[RowId, RowId] = {}
    for part in chunks(list(ids)):
        query = select(o.c.id, o.c.stage_id).where(o.c.id.in_(part), o.c.status == "open")
        query = visible(query, o)
        out.update({i: s for i, s in conn.execute(query) if s is not None})
    return out


def move_back(conn: Connection, returns: Iterable[Return], layout: Layout = DEFAULT) -> None:
    """Each return's opportunities that are still open on its source stage go to its target."""
    o = layout.opportunity
    for r in returns:
        for part in chunks(list(r.ids)):
            where = (o.c.id.in_(part), o.c.stage_id == r.source, o.c.status == "open")
            conn.execute(update(o).where(*where).values(stage_id=r.target))
