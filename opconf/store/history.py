"""Reading the history table inside a caller's transaction: revisions and their snapshots."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from opconf.store import bookkeeping
from opconf.store.model import HistoryEntry
from opconf.store.packing import unpack

MAX_REVISION = 2**31 - 1  # opconf_history.revision is an INTEGER (32 bits on PostgreSQL)


def entries(
    conn: Connection, revision: int | None = None, table: Table = bookkeeping.opconf_history
) -> list[HistoryEntry]:
    """Applied revisions, oldest first; only ``revision`` when given. ``table``: the store
    layout's opconf_history."""
    h = table.c
    cols = [h.revision, h.applied_at, h.actor, h.host, h.git_commit, h.plan_digest, h.summary]
    cols += [h.override_windows, h.override_reason]
    query = select(*cols).order_by(h.revision)
    if revision is not None:
        query = query.where(h.revision == revision)
    return [
        HistoryEntry(
            revision=r.revision,
            applied_at=_utc(r.applied_at),
            actor=r.actor,
            host=r.host,
            git_commit=r.git_commit,
            plan_digest=r.plan_digest,
            summary=json.loads(r.summary),
            override_windows=r.override_windows,
            override_reason=r.override_reason,
        )
        for r in conn.execute(query).all()
    ]


def snapshot(
    conn: Connection, revision: int, table: Table = bookkeeping.opconf_history
) -> dict[str, Any] | None:
    """The snapshot recorded by ``revision`` (docs/store.md), or None."""
    if not 0 < revision <= MAX_REVISION:  # beyond the column: a driver error
        return None
    h = table.c
    text = conn.execute(select(h.snapshot).where(h.revision == revision)).scalar()
    return None if text is None else unpack(text, revision)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
