"""One writer at a time: a second writer fails naming the holder, or waits for the lock."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_helpers import DEMO_REFS, HOLDER, product

from opconf.errors import LockError
from opconf.store import Holder, Store
from opconf.store.lock import app_name, parse_app_name

try:
    from tests.plan import helpers as h
except ImportError:  # tests/ on sys.path
    from plan import helpers as h  # type: ignore[no-redef]

ALICE = Holder("alice", "host-a", 4242)
SINCE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_second_writer_fails_naming_the_holder(seeded: Store, store_url: str) -> None:
    with h.lock_held(store_url, ALICE, writing=product("held")):
        started = time.monotonic()
        with pytest.raises(LockError) as caught, seeded.writer(Holder.local("bob")):
            pass
        assert time.monotonic() - started < 2
    expected = rf"store is locked by an apply: actor alice, host host-a, pid 4242, since {SINCE}"
    assert re.fullmatch(expected, caught.value.message)
    assert caught.value.hint == "wait and retry, or pass --lock-timeout 60"
    with seeded.writer(HOLDER) as writer:  # released: the holder's work is committed
        assert ("Product", "held") in writer.state.objects


def test_second_writer_waits_for_the_lock(seeded: Store, store_url: str) -> None:
    with h.lock_held(store_url, ALICE, writing=product("held")) as release:
        threading.Timer(0.5, release.set).start()
        started = time.monotonic()
        with seeded.writer(HOLDER, lock_timeout=20) as writer:
            assert ("Product", "held") in writer.state.objects
        assert 0.3 < time.monotonic() - started < 15


def test_timeout_is_honoured(seeded: Store, store_url: str) -> None:
    with h.lock_held(store_url, ALICE, writing=product("held")):
        started = time.monotonic()
        with pytest.raises(LockError), seeded.writer(HOLDER, lock_timeout=0.6):
            pass
        assert 0.5 < time.monotonic() - started < 5


def test_readers_are_not_blocked_by_a_writer(seeded: Store, store_url: str) -> None:
    with h.lock_held(store_url, ALICE, writing=product("held")):
        assert ("Product", "held") not in seeded.read_state().objects
        seeded.check_ready()


def test_sqlite_sidecar_lives_only_while_the_lock_is_held(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    Store(url).init(demo=True, demo_file=DEMO_REFS)
    sidecar = tmp_path / "store.db.lock.json"
    with h.lock_held(url, ALICE, writing=product("held")):
        assert '"actor": "alice"' in sidecar.read_text()
    assert not sidecar.exists()
    sidecar.write_text('{"actor": "ghost", "host": "h", "pid": 1, "since": null}')
    with Store(url).writer(HOLDER):  # a stale sidecar is harmless
        pass
    assert not sidecar.exists()


CRASHER = """
import sys, time
from opconf.store import Holder, Store
with Store(sys.argv[1]).writer(Holder.local("crasher")) as writer:
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_killed_writer_leaves_no_stuck_lock(seeded: Store, store_url: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHER, store_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        match = rf"actor crasher, host \S+, pid {child.pid}, since"
        with pytest.raises(LockError, match=match), seeded.writer(HOLDER):
            pass
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    with seeded.writer(HOLDER, lock_timeout=10) as writer:
        assert writer.state.revision == 0


def test_application_name_fits_postgresql() -> None:
    holder = Holder("A Very Long Actor Name " * 3, "host.example.internal.long", 1234567)
    name = app_name(holder)
    assert len(name.encode()) <= 63
    assert name.startswith("opconf apply 1234567 host.example.internal.lo A Very")
    parsed = parse_app_name(name, None)
    assert parsed is not None and (parsed.pid, parsed.host) == (1234567, "host.example.internal.lo")
    assert parse_app_name("psql", None) is None


def test_a_reader_sees_the_apply_whose_lock_it_saw_released(
    seeded: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder commits and releases at the very moment a settled reader looks at the lock:
    the reader's snapshot is taken after that look, so it holds the whole apply (a snapshot
    taken before the look missed it on PostgreSQL, and SQLite removed the sidecar before the
    commit)."""
    import opconf.store.transactions as transactions

    name = "pg_holder" if seeded.backend == "postgresql" else "sqlite_holder"
    real = getattr(transactions, name)
    with h.lock_held(store_url, ALICE, writing=product("held")) as release:

        def committing_meanwhile(*args: object) -> Holder | None:
            release.set()  # the holder commits now; the lock goes once the commit is visible
            deadline = time.monotonic() + 30
            while (holder := real(*args)) is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            return holder

        monkeypatch.setattr(transactions, name, committing_meanwhile)
        settled = seeded.read_settled(lock_timeout=30)
    assert ("Product", "held") in settled.state.objects
