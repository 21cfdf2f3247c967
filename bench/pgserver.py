"""A throwaway PostgreSQL server for the apply-postgres row: the test suite's cluster helper.

Started on first use, stopped when the benchmark exits.
"""

from __future__ import annotations

import atexit
import itertools
import sys
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pg import Cluster, find_bindir  # tests/pg.py

_names = itertools.count()


def available() -> bool:
    return find_bindir() is not None


@cache
def cluster() -> Any:
    bindir = find_bindir()
    assert bindir is not None
    server = Cluster(bindir)
    server.start()
    atexit.register(server.stop)
    return server


def fresh_database() -> str:
    """The URL of a new empty database."""
    server = cluster()
    return str(server.url(server.create_database(f"bench_{next(_names)}")))


def fresh_name() -> str:
    return f"bench_{next(_names)}"


def url(name: str) -> str:
    return str(cluster().url(name))


def create_database(name: str) -> str:
    return str(cluster().create_database(name))


def copy_database(template: str, name: str) -> str:
    """A new database ``name``, a copy of ``template`` (no one may be connected to it)."""
    with cluster().admin() as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return name
