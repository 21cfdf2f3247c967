"""What the database refuses, in words: integrity errors mapped back to the object.

Used by ``apply --dry-run``: each change runs in a savepoint; when the database refuses it,
the constraint (named by PostgreSQL, or found with ``PRAGMA foreign_key_check`` and the
message on SQLite) is described for the object, and the savepoint is rolled back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from opconf.errors import StoreError

Obj = dict[str, Any]
_NOUN = {"Product": "product", "CoverageGroup": "coverage group", "OpportunityTemplate": "template"}
_SQLITE_NAMED = re.compile(r"(UNIQUE|NOT NULL) constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")


class Refused(Exception):
    """The database refused a change: ``constraint`` (its name, or "") and the driver's text."""

    def __init__(self, constraint: str, detail: str) -> None:
        super().__init__(detail)
        self.constraint = constraint
        self.detail = detail


def describe(refused: Refused, kind: str, key: str, after: Obj | None) -> str:
    """``code 'ABC' is already used by another product``: the constraint in words."""
    obj = after or {}
    words: dict[str, Callable[[], str]] = {
        "uq_product_code": lambda: f"code '{obj.get('code')}' is already used by another product",
        "fk_product_type": lambda: f"product type '{obj.get('type')}' is not in the CRM",
        "fk_coverage_member_user_login": lambda: "a member's user is not in the CRM",
        "fk_coverage_member_role_code": lambda: "a member's coverage role is not in the CRM",
        "fk_opportunity_template_id": lambda: "opportunities still use it",
        "fk_opportunity_product_id": lambda: "opportunities still use it",
        "fk_template_product_product_id": lambda: (
            "templates still sell it" if after is None else "a product it sells is not in the store"
        ),
        "fk_opportunity_template_default_coverage_group_id": lambda: (
            "templates still default to it"
            if after is None
            else "its default coverage group is not in the store"
        ),
    }
    name = refused.constraint
    if name in words:
        return words[name]()
    if name.startswith("uq_") and name.endswith("_key"):
        return f"key '{key}' is already used by another {_NOUN.get(kind, kind)}"
    shown = f" ({name})" if name else f": {refused.detail}"
    return f"the database refuses it{shown}"


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """Run the block in a savepoint; a refusal rolls back to it and raises :class:`Refused`."""
    nested = conn.begin_nested()
    try:
        yield
    except IntegrityError as exc:
        nested.rollback()
        raise _refused(conn, exc) from None
    except StoreError as exc:  # a reference to an object that a refused change left out
        nested.rollback()
        raise Refused("", exc.message) from None
    nested.commit()


def deferred_violations(conn: Connection, *, before: bool = False) -> set[tuple[Any, ...]]:
    """Check the deferred constraints now. PostgreSQL: ``SET CONSTRAINTS ALL IMMEDIATE``
    (:class:`Refused` when one fails), only after the writes (``not before``): the setting
    lasts for the transaction, and the writes must run as apply runs them. SQLite: the rows
    ``PRAGMA foreign_key_check`` finds (compare with those found before the writes: the
    CRM's data may hold some already)."""
    if conn.dialect.name == "postgresql":
        if before:
            return set()
        with savepoint(conn):
            conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        return set()
    return {tuple(row) for row in conn.exec_driver_sql("PRAGMA foreign_key_check")}


def sqlite_fk_refusal(conn: Connection, row: tuple[Any, ...]) -> Refused:
    """The refusal a ``foreign_key_check`` row stands for."""
    return Refused(_sqlite_fk_name(conn, row), f"FOREIGN KEY constraint failed ({row[0]})")


def _refused(conn: Connection, exc: IntegrityError) -> Refused:
    orig: Any = exc.orig
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg: PostgreSQL names the constraint
        return Refused(diag.constraint_name or "", first)
    named = _SQLITE_NAMED.search(first)
    if named:
        prefix = "uq" if named.group(1) == "UNIQUE" else "nn"
        columns = [c.rsplit(".", 1)[-1] for c in named.group(3).split(", ")]
        return Refused(f"{prefix}_{named.group(2)}_{'_'.join(columns)}", first)
    if "CHECK constraint failed: " in first:
        return Refused(first.split("CHECK constraint failed: ", 1)[1].strip(), first)
    return Refused("", first)


def sqlite_fk_violation(conn: Connection, run: Callable[[], object]) -> str:
    """SQLite names no foreign key in its error: run ``run`` again with the keys deferred (in
    a savepoint, rolled back) and ask ``PRAGMA foreign_key_check`` which one fails."""
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    nested = conn.begin_nested()
    try:
        run()
        rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    finally:
        nested.rollback()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = OFF")
    return _sqlite_fk_name(conn, rows[0]) if rows else ""


def _sqlite_fk_name(conn: Connection, row: Any) -> str:
    """``fk_<table>_<columns>`` (tables.NAMING) of a ``foreign_key_check`` row."""
    table, _rowid, _parent, fkid = row
    keys = conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
    columns = [k[3] for k in keys if k[0] == fkid]
    return f"fk_{table}_{'_'.join(columns)}"
