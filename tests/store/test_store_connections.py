"""A command's PostgreSQL connections: its transactions share one, one the server dropped
between two transactions is replaced, and none is left open when the command ends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
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


@pytest.fixture
def connections() -> Iterator[Counter[str]]:
    """How many connections opconf's engines (application_name ``opconf``) opened and closed."""
    counted: Counter[str] = Counter()

    def counter(what: str) -> Any:
        def count(dbapi_connection: Any, _record: Any) -> None:
            if dbapi_connection.info.parameter_status("application_name") == "opconf":
                counted[what] += 1

        return count

    listeners = [("connect", counter("opened")), ("close", counter("closed"))]
    for name, listener in listeners:
        event.listen(Pool, name, listener)
    yield counted
    for name, listener in listeners:
        event.remove(Pool, name, listener)


def test_an_apply_makes_one_connection_and_leaves_none(
    pg_env: h.Env, connections: Counter[str]
) -> None:
    pg_env.write(h.small_config())
    pg_env.ok("plan", "--out", "plan.json")
    pg_env.ok("apply", "plan.json", "--auto-approve")  # a reading and a writing transaction
    assert connections == {"opened": 2, "closed": 2}  # one a command, closed when it ends


def test_a_connection_dropped_between_two_transactions_is_replaced(
    pg_env: h.Env, connections: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The apply read the store's freeze windows in one transaction; the server ends that
    session before the apply takes the lock in the next: the apply reconnects and succeeds."""
    real = applying.freeze_guard

    def then_dropped(*args: Any) -> Any:
        guard = real(*args)
        [(pid,)] = h.sql(
            pg_env.url, "SELECT pid FROM pg_stat_activity WHERE application_name = 'opconf'"
        )
        # with a timeout, pg_terminate_backend returns once the server process has exited
        assert h.sql(pg_env.url, "SELECT pg_terminate_backend(:pid, 30000)", pid=pid) == [(True,)]
        return guard

    monkeypatch.setattr(applying, "freeze_guard", then_dropped)
    pg_env.write(h.small_config())
    out = pg_env.ok("apply", "--auto-approve")
    assert out.endswith("Apply complete: 3 created (revision 1).\n")
    assert connections == {"opened": 2, "closed": 2} and h.revision(pg_env.url) == 1
