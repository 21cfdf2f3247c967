"""A command's PostgreSQL connections: its transactions share one, one the server dropped
between two transactions is replaced, and none is left open when the command ends."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from opconf import applying

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

pytestmark = pytest.mark.postgres
OPCONFS = "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'opconf%'"


@pytest.fixture
def opened() -> Any:
    """The connections opconf's engines open (application_name ``opconf``), counted."""
    count = [0]

    def connected(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.info.parameter_status("application_name") == "opconf":
            count[0] += 1

    event.listen(Pool, "connect", connected)
    yield count
    event.remove(Pool, "connect", connected)


def _gone(url: str) -> bool:
    """Every opconf session has ended (a closed session leaves the view a moment later)."""
    deadline = time.monotonic() + 30
    while h.sql(url, OPCONFS) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not h.sql(url, OPCONFS)


def test_an_apply_makes_one_connection_and_leaves_none(pg_env: h.Env, opened: Any) -> None:
    pg_env.write(h.small_config())
    pg_env.ok("plan", "--out", "plan.json")
    pg_env.ok("apply", "plan.json", "--auto-approve")  # a reading and a writing transaction
    assert opened[0] == 2  # one a command
    assert _gone(pg_env.url)


def test_a_connection_dropped_between_two_transactions_is_replaced(
    pg_env: h.Env, opened: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The apply read the store's freeze windows in one transaction; the server ends that
    session before the apply takes the lock in the next: the apply reconnects and succeeds."""
    real = applying.freeze_guard

    def then_dropped(*args: Any) -> Any:
        guard = real(*args)
        [(pid,)] = h.sql(pg_env.url, OPCONFS)
        h.sql(pg_env.url, "SELECT pg_terminate_backend(:pid)", pid=pid)
        return guard

    monkeypatch.setattr(applying, "freeze_guard", then_dropped)
    pg_env.write(h.small_config())
    out = pg_env.ok("apply", "--auto-approve")
    assert out.endswith("Apply complete: 3 created (revision 1).\n")
    assert opened[0] == 2 and h.revision(pg_env.url) == 1
