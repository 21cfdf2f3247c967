"""Writing configuration objects inside the locked apply transaction (``Store.writer``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update

from opconf.errors import StoreError
from opconf.jsontext import dumps
from opconf.store import bookkeeping, moves, refusals, softdelete
from opconf.store.children import insert_ids, insert_template_children
from opconf.store.layout import DEFAULT, Layout
from opconf.store.model import Obj, StoreState, Usage
from opconf.store.rows import object_row, same_scale
from opconf.store.sync import TemplateSync, chunks, sync_members, sync_products, sync_stages

TABLES = {  # kind → logical table
    "Product": "product",
    "CoverageGroup": "coverage_group",
    "OpportunityTemplate": "opportunity_template",
}


@dataclass(frozen=True)
class Update:
    """One object's new full form, for :meth:`Writer.update_many` (see :meth:`Writer.update`)."""

    row_id: int
    after: Obj
    stage_renames: Mapping[str, str] = field(default_factory=dict)
    stage_moves: Mapping[str, str] = field(default_factory=dict)
    managed: bool | None = None  # None: as it is; True: adopted; False: released


class Writer:
    """Changes to the store inside one transaction holding the write lock.

    ``after`` is always an object's full canonical form (opconf/canonical.py). Nothing is
    visible to others until the ``Store.writer`` block ends without an exception.
    """

    def __init__(self, conn: Connection, state: StoreState, layout: Layout = DEFAULT) -> None:
        self._conn = conn
        self._t = layout
        self.state = state
        """The store as read under the lock, at the start of the transaction."""
        self.moved: dict[int, list[int]] = {}
        """Removed stage row → the open opportunities a ``replaces`` moved off it."""

    def forget_state(self) -> None:
        """Drop :attr:`state` (an apply's largest object) once no step reads it any more."""
        self.state = StoreState(self.state.revision, {}, {}, {}, frozenset(), Usage())

    def attempt(self) -> AbstractContextManager[None]:
        """A savepoint: what the database refuses inside is rolled back and raised as
        :class:`~opconf.store.refusals.Refused` (``apply --dry-run``)."""
        return refusals.savepoint(self._conn)

    def deferred_violations(self, *, before: bool = False) -> set[tuple[Any, ...]]:
        """Check the deferred constraints now: PostgreSQL raises ``Refused``; SQLite returns
        the foreign key violations (see :func:`opconf.store.refusals.deferred_violations`)."""
        return refusals.deferred_violations(self._conn, before=before)

    def refusal_of(self, violation: tuple[Any, ...]) -> refusals.Refused:
        return refusals.sqlite_fk_refusal(self._conn, violation)

    def foreign_key_of(self, run: Callable[[], object]) -> str:
        """SQLite: the foreign key that ``run`` violates (rolled back); "" elsewhere."""
        if self._conn.dialect.name != "sqlite":
            return ""
        return refusals.sqlite_fk_violation(self._conn, run)

    def create(self, kind: str, after: Obj, *, managed: bool = True) -> int:
        """Insert a new object with its children; returns its row id."""
        return self.create_many(kind, [after], managed=managed)[0]

    def create_many(self, kind: str, objects: Sequence[Obj], *, managed: bool = True) -> list[int]:
        """Insert new objects of one kind with their children, one batch per table.

        An apply creating thousands of objects runs a handful of statements, not one per row.
        """
        table = self._table(kind)
        marked = softdelete.marked_keys(self._conn, table, [o["key"] for o in objects])
        if marked:
            return self._with_revived(kind, objects, marked, managed=managed)
        groups = self._ids(self._t.coverage_group, [o.get("defaultCoverageGroup") for o in objects])
        rows = [object_row(kind, o, groups) for o in objects]
        ids = insert_ids(self._conn, table, rows)
        if managed:
            bookkeeping.own(self._conn, self._t.opconf_owned, kind, ids)
        if kind == "CoverageGroup":
            members = [
                {"group_id": gid, "user_login": m["user"], "role_code": m["role"]}
                for gid, o in zip(ids, objects, strict=True)
                for m in o["members"]
            ]
            if members:
                self._conn.execute(self._t.coverage_member.insert(), members)
        elif kind == "OpportunityTemplate":
            products = self._ids(self._t.product, [k for o in objects for k in o["products"]])
            children = [
                (tid, [products[k] for k in o["products"]], o["stages"])
                for tid, o in zip(ids, objects, strict=True)
            ]
            insert_template_children(self._conn, self._t, children)
        return ids

    def _with_revived(
        self, kind: str, objects: Sequence[Obj], marked: dict[str, Any], *, managed: bool
    ) -> list[Any]:
        """Create ``objects`` whose keys deleted rows (softDelete) hold by reviving those rows:
        the mark cleared, every field and child written as an update, the row id kept."""
        table = self._table(kind)
        s = softdelete.spec(table)
        if s is not None and not s.revive:
            key = next(o["key"] for o in objects if o["key"] in marked)
            raise StoreError(
                f"{kind} '{key}' is held by a deleted row (id {marked[key]}) of {table.name}",
                hint="set softDelete.revive in the store mapping, or purge the row in the CRM",
            )
        softdelete.revive(self._conn, table, list(marked.values()))
        owned = True if managed else None
        self.update_many(
            kind,
            [Update(marked[o["key"]], o, managed=owned) for o in objects if o["key"] in marked],
        )
        fresh = [o for o in objects if o["key"] not in marked]
        new = iter(self.create_many(kind, fresh, managed=managed) if fresh else [])
        return [marked[o["key"]] if o["key"] in marked else next(new) for o in objects]

    def update(
        self,
        kind: str,
        row_id: int,
        after: Obj,
        *,
        stage_renames: Mapping[str, str] | None = None,
        stage_moves: Mapping[str, str] | None = None,
        adopt: bool = False,
        release: bool = False,
    ) -> None:
        """Make row ``row_id`` equal ``after``, including a new key (a rename keeps the id).

        Children are synced by key: members by user, products by key, stages by key (a stage
        whose old key is in ``stage_renames`` is renamed in place), steps by key within the
        template (a step may change stage). Before a removed stage is deleted, its open
        opportunities move to ``stage_moves[removed key]``. ``adopt`` marks the row managed,
        ``release`` unmanaged (the CRM's own again).
        """
        managed = adopt if adopt or release else None
        self.update_many(
            kind, [Update(row_id, after, stage_renames or {}, stage_moves or {}, managed)]
        )

    def update_many(self, kind: str, updates: Sequence[Update]) -> None:
        """:meth:`update` for many objects of one kind: one statement per table and action."""
        table = self._table(kind)
        groups = self._ids(
            self._t.coverage_group, [u.after.get("defaultCoverageGroup") for u in updates]
        )
        rows = [{"b_id": u.row_id, **object_row(kind, u.after, groups)} for u in updates]
        stmt = update(table).where(table.c.id == bindparam("b_id"))
        if kind == "Product":
            stmt = stmt.values(list_price=same_scale(table, rows))
        result = self._conn.execute(stmt, rows)
        counted = len(rows) == 1 or self._conn.dialect.supports_sane_multi_rowcount
        if counted and result.rowcount != len(rows):
            self._missing(kind, updates)
        owned = self._t.opconf_owned
        bookkeeping.own(self._conn, owned, kind, [u.row_id for u in updates if u.managed is True])
        released = [u.row_id for u in updates if u.managed is False]
        bookkeeping.disown(self._conn, owned, kind, released)
        if kind == "CoverageGroup":
            sync_members(self._conn, self._t, [(u.row_id, u.after["members"]) for u in updates])
        elif kind == "OpportunityTemplate":
            self._sync_templates(updates)

    def _sync_templates(self, updates: Sequence[Update]) -> None:
        for u in updates:
            if u.stage_moves:
                self.moved.update(moves.open_on(self._conn, u.row_id, u.stage_moves, self._t))
        products = self._ids(self._t.product, [k for u in updates for k in u.after["products"]])
        syncs = [
            TemplateSync(
                u.row_id,
                [products[k] for k in u.after["products"]],
                u.after["stages"],
                u.stage_renames,
                u.stage_moves,
            )
            for u in updates
        ]
        sync_products(self._conn, self._t, syncs)
        sync_stages(self._conn, self._t, syncs)

    def _missing(self, kind: str, updates: Sequence[Update]) -> None:
        table = self._table(kind)
        ids = [u.row_id for u in updates]
        found = {
            i
            for part in chunks(ids)
            for i in self._conn.execute(select(table.c.id).where(table.c.id.in_(part))).scalars()
        }
        gone = next(u for u in updates if u.row_id not in found)
        raise StoreError(f"{kind} '{gone.after['key']}' (id {gone.row_id}) is not in the store")

    def stage_ids(self) -> dict[str, dict[str, int]]:
        """Template key → stage key → stage row id, as the transaction sees them now."""
        ot, ts = self._t.opportunity_template, self._t.template_stage
        query = select(ot.c.key, ts.c.key, ts.c.id).join(ot, ts.c.template_id == ot.c.id)
        query = softdelete.visible(query, ot)
        out: dict[str, dict[str, int]] = {}
        for template, stage, stage_id in self._conn.execute(query):
            out.setdefault(template, {})[stage] = stage_id
        return out

    def return_opportunities(self, returns: Sequence[moves.Return]) -> None:
        """Move open opportunities back to the stages a ``replaces`` moved them off."""
        moves.move_back(self._conn, returns, self._t)

    def release_product_codes(self, row_ids: Sequence[int]) -> None:
        """Clear the codes of these products first, so that codes can move between products
        (or pass from a deleted product to a new one) without tripping ``UNIQUE(code)``; the
        following updates set the final codes."""
        if row_ids:
            p = self._t.product
            self._conn.execute(update(p).where(p.c.id.in_(row_ids)).values(code=None))

    def park_keys(self, kind: str, row_ids: Sequence[int]) -> None:
        """Give these rows temporary keys first, so that a key can pass from one row to
        another (a rollback renames a row back to a key that a row it deletes holds) without
        tripping ``UNIQUE(key)``; the following writes set the final keys."""
        if row_ids:
            table = self._table(kind)
            rows = [{"b_id": i, "key": f"~parked~{i}"} for i in row_ids]
            self._conn.execute(update(table).where(table.c.id == bindparam("b_id")), rows)

    def delete(self, kind: str, row_id: int) -> None:
        """Delete an object; its children go with it (ON DELETE CASCADE)."""
        self.delete_many(kind, [row_id])

    def delete_many(self, kind: str, row_ids: Sequence[int]) -> None:
        """Delete objects of one kind (and their children): one statement. A table that marks
        deletions (softDelete) has its rows marked instead, their children left as they are."""
        deleted = softdelete.remove(self._conn, self._table(kind), row_ids)
        bookkeeping.disown(self._conn, self._t.opconf_owned, kind, row_ids)
        if deleted != len(row_ids):
            found = {o.id for (k, _), o in self.state.objects.items() if k == kind}
            missing = next((i for i in row_ids if i not in found), row_ids[0])
            raise StoreError(f"{kind} with id {missing} is not in the store")

    def record(
        self,
        actor: str,
        host: str,
        git_commit: str | None,
        plan_digest: str,
        summary: Mapping[str, Any],
        snapshot: str,
        override: tuple[Sequence[str], str] | None = None,
    ) -> int:
        """Bump the revision and record it in the history; returns the new revision.

        Call it only when the apply changed something: the revision counts changes.
        ``snapshot``: the configuration after the revision, as :func:`~opconf.store.packing.pack`
        writes it.
        ``override``: the freeze windows the apply went through, and the reason given.
        """
        meta = self._t.opconf_meta
        self._conn.execute(update(meta).values(revision=meta.c.revision + 1))
        revision = int(self._conn.execute(select(meta.c.revision)).scalar_one())
        self._conn.execute(
            self._t.opconf_history.insert().values(
                revision=revision,
                applied_at=datetime.now(UTC),
                actor=actor,
                host=host,
                git_commit=git_commit,
                plan_digest=plan_digest,
                summary=dumps(summary),
                snapshot=snapshot,
                override_windows=", ".join(override[0]) if override else None,
                override_reason=override[1] if override else None,
            )
        )
        return revision

    def _table(self, kind: str) -> Table:
        if kind not in TABLES:
            raise ValueError(f"unknown kind {kind!r}")
        table: Table = getattr(self._t, TABLES[kind])
        return table

    def _ids(self, table: Table, keys: Sequence[str | None]) -> dict[str, int]:
        """Row id by key for ``keys`` (None ignored); one query. A missing key is an error."""
        wanted = {k for k in keys if k is not None}
        if not wanted:
            return {}
        query = select(table.c.key, table.c.id).where(table.c.key.in_(wanted))
        rows = self._conn.execute(softdelete.visible(query, table))
        ids = {r.key: r.id for r in rows}
        missing = sorted(wanted - set(ids))
        if missing:
            what = "product" if table is self._t.product else "coverage group"
            raise StoreError(f"{what} '{missing[0]}' is not in the store")
        return ids
