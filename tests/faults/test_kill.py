"""kill -9 at random points of an apply: the store is exactly as before or exactly as after.

Each attempt runs ``python -m opconf apply`` on an exact copy of the same "before" store and
kills it with SIGKILL — after a random delay, or a random moment after it took the write lock
(inside its transaction). "After" is the dump of another copy where the same apply ran to
completion. A killed apply must leave no stuck lock: the next apply succeeds at once.
"""

from __future__ import annotations

import random
import subprocess
import time
from functools import partial
from pathlib import Path

from opconf import exitcodes

try:
    from faults import faultlib as f
except ImportError:  # tests/ is a package
    from tests.faults import faultlib as f  # type: ignore[no-redef]

h = f.h
Copies = f.Copies
ATTEMPTS = 4


def _apply(repo: Path, url: str, log: Path) -> subprocess.Popen[str]:
    with log.open("w") as out:  # the child keeps its own descriptor
        return h.opconf_process(repo, *f.APPLY, "--store", url, stdout=out, stderr=out)


def _started(url: str, process: subprocess.Popen[str], copies: Copies) -> bool:
    """The apply holds the write lock (is in its transaction), or has already ended."""
    return f.lock_taken(url, process.pid, copies.cluster) or process.poll() is not None


def test_kill_9_leaves_the_store_before_or_after(copies: Copies, tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    base = copies.new()
    repo = f.prepare(base, tmp_path)
    before = h.dump(base)

    reference = copies.copy(base)
    started = time.monotonic()
    done = _apply(repo, reference, tmp_path / "reference.log")
    assert done.wait(120) == exitcodes.OK, (tmp_path / "reference.log").read_text()
    duration = time.monotonic() - started
    after = h.dump(reference)
    assert after != before

    outcomes = []
    for attempt in range(ATTEMPTS):
        target = copies.copy(base)
        process = _apply(repo, target, tmp_path / f"attempt-{attempt}.log")
        inside = attempt % 2 == 0
        if inside:
            f.wait_for(partial(_started, target, process, copies))
            assert process.poll() is None, "the apply ended before it could be killed inside"
            # Batched writes keep the transaction short: a few milliseconds into it, and
            # only while the lock is still held, is "inside".
            time.sleep(rng.uniform(0, 0.01))
            assert _started(target, process, copies) and process.poll() is None, "ended"
        else:  # anywhere, or late (around the commit)
            late = attempt == ATTEMPTS - 1
            time.sleep(rng.uniform(0.7, 1.3) * duration if late else rng.uniform(0, duration))
        process.kill()
        process.wait(30)
        state = h.dump(target)
        outcome = "before" if state == before else "after" if state == after else "torn"
        assert outcome != "torn", f"attempt {attempt} (seed {seed}) left a partial apply"
        outcomes.append((inside, outcome, target))

    # Killed inside its transaction, an apply leaves the store as it was.
    assert all(outcome == "before" for inside, outcome, _ in outcomes if inside), (seed, outcomes)
    # And the next apply runs at once (no stuck lock) and completes.
    target = outcomes[0][2]
    final = _apply(repo, target, tmp_path / "final.log")
    assert final.wait(120) == exitcodes.OK, (tmp_path / "final.log").read_text()
    assert h.managed_objects(target) == h.managed_objects(reference)
