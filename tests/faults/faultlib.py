"""Shared by the fault tests: a big configuration change and watching an apply's lock."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from opconf.apply import apply_plan
from opconf.store import Holder, Store
from opconf.store.connect import sqlite_file
from opconf.workflow import plan_config, validate_config

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

try:
    from tests import pg
except ImportError:
    import pg  # type: ignore[no-redef]

# ~300 objects, each changed by the second version (and 20 templates deleted): an apply of a
# second or two, most of it inside the transaction.
FIRST = h.big_config(products=150, groups=30, templates=120)
SECOND = h.big_config(products=150, groups=30, templates=100, tag=" v2")
APPLY = ("apply", "--auto-approve", "--allow-destructive")


def prepare(url: str, folder: Path) -> Path:
    """Seed the demo's CRM data, apply FIRST; a repo whose config/ holds SECOND."""
    store = Store(url)
    try:
        store.init(demo=True)
        h.write_bundle(folder / "first" / "all.yaml", FIRST)
        result = validate_config(folder / "first")
        assert result.valid()
        plan = plan_config(result, store, prune=False)
        apply_plan(store, plan, holder=Holder("setup", "test-host", 1))
    finally:
        store.close()
    repo = folder / "repo"
    h.write_bundle(repo / "config" / "all.yaml", SECOND)
    return repo


def lock_taken(url: str, pid: int, cluster: pg.Cluster | None) -> bool:
    """Whether the opconf process ``pid`` holds the store's write lock (is in its transaction)."""
    if cluster is None:
        db = sqlite_file(url)
        assert db is not None
        try:
            holder = json.loads(Path(f"{db}.lock.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(holder.get("pid") == pid)
    with cluster.admin() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
            (f"opconf apply {pid} %",),
        ).fetchone()
    return bool(row and row[0])


def backend_pid(pid: int, cluster: pg.Cluster) -> int | None:
    """The PostgreSQL backend serving the opconf process ``pid`` inside its transaction."""
    with cluster.admin() as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s",
            (f"opconf apply {pid} %",),
        ).fetchone()
    return None if row is None else int(row[0])


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``condition()`` every 5 ms until it is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


@dataclass
class Copies:
    """Stores of one backend that can be copied exactly (``copy``).

    A killed apply must leave the store exactly as before or exactly as after. "After" is
    known exactly only from the same apply run to completion on an exact copy of "before": a
    copied SQLite file, or a PostgreSQL database cloned with ``CREATE DATABASE … TEMPLATE``.
    A schema (what ``store_url`` gives) cannot be cloned, and a sequence advanced by a killed
    apply would change the ids of a later one: so these are databases on the session's
    server.
    """

    backend: str
    folder: Path
    cluster: pg.Cluster | None = None
    _databases: list[str] = field(default_factory=list)
    _count: int = 0

    def new(self) -> str:
        """The URL of a new, empty store."""
        if self.cluster is None:
            self._count += 1
            return f"sqlite:///{self.folder}/store-{self._count}.db"
        name = self.cluster.create_database()
        self._databases.append(name)
        return self.cluster.url(name)

    def copy(self, url: str) -> str:
        """A new store holding exactly what the store at ``url`` holds (nobody may use it)."""
        self._count += 1
        if self.cluster is None:
            target = f"sqlite:///{self.folder}/store-{self._count}.db"
            shutil.copyfile(url.removeprefix("sqlite:///"), target.removeprefix("sqlite:///"))
            return target
        source = url.rsplit("/", 1)[1]
        name = f"{source}_copy{self._count}"
        h.dispose_engines()  # a template database must have no session: the helpers' goes
        with self.cluster.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
        self._databases.append(name)
        return self.cluster.url(name)

    def close(self) -> None:
        if self.cluster is not None:
            for name in self._databases:
                self.cluster.drop_database(name)
