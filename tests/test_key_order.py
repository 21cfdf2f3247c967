"""Keys of either case come out in one order on every backend (SPEC §13).

SQLite compares text byte by byte; PostgreSQL by the database's collation, which for a
database made with a linguistic locale (``en-US``, as most are) puts ``a`` before ``B`` and
ignores ``-`` and ``.`` at first. opconf sorts keys in Python (by code point: ``B``,
``B.2``, ``Z``, ``a``, ``b-1``) wherever it lists them, and never relies on the order rows
come back in. This test runs one story on SQLite and on a PostgreSQL database with ICU's
``en-US`` collation — rows are inserted and updated in an order that is neither — and
compares what plan, apply, drift, export and history print.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg
from tests.plan import helpers as h

CONFIGURED = ("Z", "b-1", "a", "B.2", "B")  # written, inserted and updated in this order
UNMANAGED = ("y", "c.1", "_x", "C.1")  # made in the CRM: "_x" cannot be a key, "C.1" is a twin
BINARY = ["B", "B.2", "Z", "a", "b-1"]
_SHA = re.compile(r"sha256:[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")


@pytest.fixture
def linguistic(pg_cluster: pg.Cluster) -> Iterator[str]:
    """A PostgreSQL database whose collation is ICU's ``en-US`` (not the cluster's ``C``)."""
    name = "opconf_en_us"
    with pg_cluster.admin() as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            " LOCALE 'C.UTF-8'"
        )
    try:
        url = pg_cluster.url(name)
        keys = [
            k for (k,) in h.sql(url, "SELECT k FROM (VALUES ('a'), ('B'), ('Z')) v(k) ORDER BY k")
        ]
        assert keys == ["a", "B", "Z"], "the database does not sort linguistically"
        yield url
    finally:
        pg_cluster.drop_database(name)


def _story(
    url: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    root.mkdir()
    h.seed(url, h.reference_seed(root))
    env = h.make_env(url, root / "repo", monkeypatch, capsys)
    products = [h.product(k, name=f"Product {k}") for k in CONFIGURED]
    env.write([*products, h.template("T", products=list(CONFIGURED))])
    said = [env.ok("apply", "--auto-approve")]  # the plan, then what was applied
    for key in CONFIGURED:  # edits in the CRM (PostgreSQL moves each updated row)
        h.sql(url, "UPDATE product SET name = :name WHERE key = :key", name=f"CRM {key}", key=key)
    for key in UNMANAGED:
        h.sql(
            url,
            "INSERT INTO product (key, name, type, active) VALUES (:k, :k, 'deposit', TRUE)",
            k=key,
        )
    said.append(env.run("drift", "--store", url).out)
    out = env.run("export", "--out", "exported", "--store", url)
    files = sorted((env.root / "exported").rglob("*.yaml"))
    said += [
        out.out,
        out.err,
        *(f"{p.relative_to(env.root)}\n{p.read_text('utf-8')}" for p in files),
    ]
    env.write(
        [h.product(k, name=f"Config {k}") for k in CONFIGURED]
        + [h.template("T", products=list(reversed(CONFIGURED)))]
    )
    said += [env.ok("apply", "--auto-approve"), env.ok("history", "show", "2")]
    return [_SHA.sub("sha256:<digest>", _TIME.sub("<time>", h.normalise(t, url))) for t in said]


@pytest.mark.postgres
def test_plan_export_drift_and_history_list_keys_alike_on_both_backends(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    linguistic: str,
) -> None:
    sqlite = _story(f"sqlite:///{tmp_path}/store.db", tmp_path / "sqlite", monkeypatch, capsys)
    postgres = _story(linguistic, tmp_path / "pg", monkeypatch, capsys)
    for i, (a, b) in enumerate(zip(sqlite, postgres, strict=True)):
        assert (i, b) == (i, a)
    first_plan = sqlite[0]
    at = [first_plan.index(f"Product {k}") for k in BINARY]
    assert at == sorted(at), first_plan
