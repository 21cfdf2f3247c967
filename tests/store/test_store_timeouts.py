"""PostgreSQL: a row the CRM holds locked bounds the apply by ``--statement-timeout``, then
fails in one line naming the row, with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from store_helpers import HOLDER, product, template

from opconf import exitcodes
from opconf.errors import StoreError
from opconf.store import Store
from opconf.store.url import driver_url

try:
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("store_url", ["postgresql"], indirect=True),
]
ROLLED_BACK = "nothing was written: the transaction was rolled back;"


@contextmanager
def crm_holds(url: str, statement: str) -> Iterator[None]:
    """Another session (the CRM) holds the rows ``statement`` locks until the block ends."""
    engine = create_engine(driver_url(url))
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text(statement))
            yield
    finally:
        engine.dispose()


def _update_savings(store: Store, statement_timeout: float) -> None:
    with store.writer(HOLDER, statement_timeout=statement_timeout) as writer:
        writer.create("Product", product("bonds"))  # written first, must be rolled back too
        row = writer.state.objects[("Product", "savings")]
        writer.update("Product", row.id, {**row.data, "name": "Savings v2"}, adopt=True)


def test_a_row_locked_by_the_crm_fails_the_apply(seeded: Store, store_url: str) -> None:
    before = seeded.read_state()
    with (
        crm_holds(store_url, "SELECT * FROM product WHERE key = 'savings' FOR UPDATE"),
        pytest.raises(StoreError) as caught,
    ):
        _update_savings(seeded, statement_timeout=0.5)
    assert caught.value.message == (
        f"writing the store failed on {seeded.display_url}: a row of product 'savings'"
        " is locked by another session (gave up after 0.5 s)"
    )
    assert caught.value.hint == (
        f"{ROLLED_BACK} retry when the other session has finished, or raise --statement-timeout"
    )
    assert seeded.read_state() == before
    _update_savings(seeded, statement_timeout=0.5)  # released: the same write goes through
    assert seeded.read_state().objects[("Product", "savings")].data["name"] == "Savings v2"


def test_a_reference_to_a_locked_row_is_bounded_too(seeded: Store, store_url: str) -> None:
    """Selling a product takes a key-share lock on its row (the foreign key check)."""
    before = seeded.read_state()
    with (
        crm_holds(store_url, "SELECT * FROM product WHERE key = 'trading' FOR UPDATE"),
        pytest.raises(StoreError) as caught,
        seeded.writer(HOLDER, statement_timeout=0.5) as writer,
    ):
        writer.create("OpportunityTemplate", template("retail", products=["trading"]))
    assert caught.value.message.endswith(
        "a row of product 'trading' is locked by another session (gave up after 0.5 s)"
    )
    assert seeded.read_state() == before


UNFINISHED = (
    "a statement did not finish within the statement timeout (0.2 s): it ran that long,"
    " or waited for a table another session holds locked"
)


def test_a_long_statement_is_cancelled(seeded: Store) -> None:
    before = seeded.read_state()
    with (
        pytest.raises(StoreError) as caught,
        seeded.writer(HOLDER, statement_timeout=0.2) as writer,
    ):
        writer.create("Product", product("bonds"))
        writer._conn.execute(text("SELECT pg_sleep(5)"))  # a statement that runs long
    assert caught.value.message == (
        f"writing the store failed on {seeded.display_url}: {UNFINISHED}"
    )
    assert caught.value.hint == f"{ROLLED_BACK} retry, or raise --statement-timeout (0: no limit)"
    assert seeded.read_state() == before


def test_a_table_locked_by_the_crm_is_bounded_too(seeded: Store, store_url: str) -> None:
    """A whole table locked (the CRM's DDL, say): the apply's first read of it gives up."""
    before = seeded.read_state()
    with (
        crm_holds(store_url, "LOCK TABLE product IN ACCESS EXCLUSIVE MODE"),
        pytest.raises(StoreError) as caught,
        seeded.writer(HOLDER, statement_timeout=0.2),
    ):
        pass
    assert caught.value.message == (
        f"writing the store failed on {seeded.display_url}: {UNFINISHED}"
    )
    assert seeded.read_state() == before


def test_apply_fails_in_one_line_exit_65(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write(h.small_config(tag=" v2"))
    before = env.dump()
    with crm_holds(env.url, "SELECT * FROM product WHERE key = 'checking' FOR UPDATE"):
        result = env.run("apply", "--auto-approve", "--statement-timeout", "0.5")
    assert (result.code, result.err) == (
        exitcodes.STORE,
        f"error: writing the store failed on {h.redact(env.url)}: a row of product 'checking'"
        " is locked by another session (gave up after 0.5 s)\n"
        f"hint: {ROLLED_BACK} retry when the other session has finished,"
        " or raise --statement-timeout\n",
    )
    assert env.dump() == before


def test_a_read_gives_up_on_a_locked_table(
    seeded: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers (plan, history) are bounded by the default statement timeout too."""
    monkeypatch.setattr(seeded._db, "read_timeout", 0.2)
    with (
        crm_holds(store_url, "LOCK TABLE product IN ACCESS EXCLUSIVE MODE"),
        pytest.raises(StoreError) as caught,
    ):
        seeded.read_state()
    assert caught.value.message == (
        f"reading the store failed on {seeded.display_url}:"
        " canceling statement due to statement timeout"
    )
    assert caught.value.hint == (
        "another session may hold a table locked (DDL, say): retry when it has finished"
    )
