"""One writer at a time, seen from the command line: a second apply fails at once naming the
holder (exit 65, no traceback), or waits ``--lock-timeout`` and then succeeds."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.canonical import canonical
from opconf.store import Holder

try:
    from faults import faultlib as f
except ImportError:  # tests/ is a package
    from tests.faults import faultlib as f  # type: ignore[no-redef]

h = f.h
SINCE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
HINT = "hint: wait and retry, or pass --lock-timeout 60\n"


@pytest.fixture
def repo(store_url: str, tmp_path: Path) -> Path:
    h.seed(store_url, h.reference_seed(tmp_path))
    folder = tmp_path / "repo"
    h.write_config(folder / "config", h.small_config())
    return folder


def test_second_apply_fails_naming_the_holder(store_url: str, repo: Path) -> None:
    before = h.dump(store_url)
    with h.lock_held(store_url, Holder.local("alice")):
        process = h.opconf_process(repo, "apply", "--auto-approve", "--store", store_url)
        out, err = process.communicate(timeout=60)
    assert process.returncode == exitcodes.STORE
    holder = (
        rf"an apply: actor alice, host {re.escape(socket.gethostname())}, "
        rf"pid {os.getpid()}, since {SINCE}"
    )
    assert re.fullmatch(rf"error: store is locked by {holder}\n{re.escape(HINT)}", err), err
    assert out == ""  # unattended, it locks before it plans
    assert h.dump(store_url) == before


def test_second_apply_waits_for_the_lock_timeout(store_url: str, repo: Path) -> None:
    with h.lock_held(store_url, Holder.local("alice")) as release:
        process = h.opconf_process(
            repo, "apply", "--auto-approve", "--lock-timeout", "20", "--store", store_url
        )
        time.sleep(2.5)  # long enough to validate and reach the lock
        assert process.poll() is None, "the apply did not wait for the lock"
        release.set()
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (exitcodes.OK, "")
    assert out.endswith("Apply complete: 3 created (revision 1).\n")


def test_an_unattended_apply_plans_against_what_the_lock_holder_wrote(
    store_url: str, repo: Path
) -> None:
    """``apply --auto-approve`` plans under the lock: what the writer it waited for committed
    is in its plan, instead of making its plan stale."""
    crm_version = canonical("Product", {"key": "checking", "name": "Meanwhile", "type": "deposit"})
    with h.lock_held(store_url, Holder.local("alice"), writing=crm_version) as release:
        process = h.opconf_process(
            repo, "apply", "--auto-approve", "--lock-timeout", "20", "--store", store_url
        )
        time.sleep(2.5)
        assert process.poll() is None, "the apply did not wait for the lock"
        release.set()
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (exitcodes.OK, "")
    assert "Plan: 2 to create, 1 to update" in out, out
    assert out.endswith("Apply complete: 2 created, 1 updated (revision 1).\n")


def test_an_unattended_rollback_plans_against_what_the_lock_holder_wrote(
    store_url: str, repo: Path
) -> None:
    """``rollback --auto-approve`` too: the product the writer it waited for made is not in
    revision 1's snapshot, so the rollback deletes it (planned before the lock, it would have
    been left behind)."""
    h.write_config(repo / "config", h.small_config(" v2"))
    for _ in range(2):  # revision 1, then revision 2 over it (the second is the config now)
        done = h.opconf_process(repo, "apply", "--auto-approve", "--store", store_url)
        assert done.communicate(timeout=60)[1] == ""
        h.write_config(repo / "config", h.small_config())
    other = canonical("Product", {"key": "other", "name": "Other", "type": "deposit"})
    with h.lock_held(store_url, Holder.local("alice"), writing=other) as release:
        process = h.opconf_process(
            repo,
            *("rollback", "1", "--auto-approve", "--allow-destructive", "--lock-timeout", "20"),
            *("--store", store_url),
        )
        time.sleep(2.5)
        assert process.poll() is None, "the rollback did not wait for the lock"
        release.set()
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (exitcodes.OK, "")
    assert out.endswith("Apply complete: 3 updated, 1 deleted (revision 3).\n"), out
    keys = h.sql(store_url, "SELECT key FROM product")
    assert keys == [("checking",)]


HOLD = """\
import sys
from opconf.store import Holder, Store
with Store(sys.argv[1]).writer(Holder.local("bob", action="rollback")):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_holder_in_another_process(store_url: str, repo: Path) -> None:
    """The holder is another process (a rollback by bob): its pid and action are named."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, store_url],
        env=h.subprocess_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        process = h.opconf_process(repo, "apply", "--auto-approve", "--store", store_url)
        _, err = process.communicate(timeout=60)
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    assert process.returncode == exitcodes.STORE
    host = re.escape(socket.gethostname())
    expected = rf"error: store is locked by a rollback: actor bob, host {host}, pid {holder.pid}, "
    assert re.fullmatch(rf"{expected}since {SINCE}\n{re.escape(HINT)}", err), err
    # Released when its process ends: the next apply takes the lock at once.
    again = h.opconf_process(repo, "apply", "--auto-approve", "--store", store_url)
    _, err = again.communicate(timeout=60)
    assert (again.returncode, err) == (exitcodes.OK, "")
