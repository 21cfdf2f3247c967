"""Shared by the plan/apply tests: run the real CLI, write configurations, read the store raw.

The store is read back with plain SQL (the table layout is a public contract, docs/store.md),
never through opconf's own reader, so that a test compares what is really in the database.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from opconf.cli import main
from opconf.freeze import Window, window_of
from opconf.load.scalars import plain_scalar
from opconf.store import Holder, Store
from opconf.store import demo as demo_data
from opconf.store.url import driver_url, redact

Obj = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases" / "plan"
KIND_DIRS = {"Product": "products", "CoverageGroup": "groups", "OpportunityTemplate": "templates"}
STORE_COMMANDS = {"plan", "apply", "store", "refs", "history", "rollback"}
# Columns whose values differ between two runs of the same apply (time, plan timestamp).
VOLATILE = {"opconf_history": ("applied_at", "plan_digest")}
NO_CHANGES = "No changes. The store matches the configuration."


class Run(NamedTuple):
    code: int
    out: str
    err: str


# --- the CLI ----------------------------------------------------------------------------------


@dataclass
class Env:
    """A config repo in a temp folder (the working directory) and one store URL."""

    url: str
    root: Path
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str, project: str | None = None) -> Run:
        """``opconf [--project P] ARGS --store URL`` in-process; exit code, stdout, stderr.

        ``--store URL`` is added to the commands that take it, unless ARGS name a store.
        """
        argv = ["--project", project] if project else []
        argv += list(args)
        if args and args[0] in STORE_COMMANDS and "--store" not in args:
            argv += ["--store", self.url]
        self.capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse exits on bad usage
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self.capsys.readouterr()
        return Run(code, out, err)

    def ok(self, *args: str, project: str | None = None) -> str:
        """Run, assert exit 0 and an empty stderr; stdout."""
        result = self.run(*args, project=project)
        assert (result.code, result.err) == (0, ""), result
        return result.out

    def write(self, docs: Iterable[Obj], folder: str = "config") -> Path:
        return write_config(self.root / folder, docs)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        return dump(self.url)

    def state(self) -> dict[tuple[str, str], Obj]:
        return managed_objects(self.url)


def not_ready(url: str) -> str:
    """What a command says of a store without opconf's tables: a SQLite file that does not
    exist, or a database that was never initialised."""
    if url.startswith("sqlite"):
        return (
            f"error: no store at {redact(url)}: no such file\n"
            "hint: check the store URL (--store, --target, OPCONF_STORE or opconf.yaml);"
            " `opconf store init` creates a new store there\n"
        )
    return f"error: store at {redact(url)} is not initialised\nhint: run `opconf store init`\n"


NOT_READY = "is not initialised|: no such file"


def make_env(
    url: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Env:
    root.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(root)
    monkeypatch.setenv("OPCONF_ACTOR", "tester")
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    return Env(url, root, capsys)


def subprocess_env() -> dict[str, str]:
    """The environment for ``python -m opconf`` subprocesses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPCONF_")}
    env["OPCONF_ACTOR"] = "tester"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def opconf_process(cwd: Path, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """``python -m opconf ARGS`` in ``cwd``: no terminal, output piped (unless overridden)."""
    options: dict[str, Any] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
        **popen,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "opconf", *args], cwd=cwd, env=subprocess_env(), **options
    )


def normalise(output: str, url: str) -> str:
    """Output with the (redacted) store URL replaced by ``<store>`` and the plan's digest (it
    covers the plan's time) by ``sha256:<digest>``."""
    output = re.sub(r"(?<=Plan digest: )sha256:[0-9a-f]{64}", "sha256:<digest>", output)
    return output.replace(redact(url), "<store>")


# --- configurations ---------------------------------------------------------------------------


def document(kind: str, data: Mapping[str, Any]) -> Obj:
    return {"apiVersion": "opconf/v1", "kind": kind, **data}


def write_config(folder: Path, docs: Iterable[Obj]) -> Path:
    """``folder`` holding ``docs`` (full documents), one file per object; replaces the folder."""
    shutil.rmtree(folder, ignore_errors=True)
    for doc in docs:
        path = folder / KIND_DIRS[doc["kind"]] / f"{doc['key']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(doc), encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_bundle(path: Path, docs: Sequence[Obj]) -> None:
    """All ``docs`` in one multi-document file (fast to read for big configurations)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("---\n" + dump_yaml(d) for d in docs), encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1; opconf reads YAML 1.2 (JSON semantics). Quote every string
    that a 1.2 reader would take for something else (``0E0`` is a float there, not in 1.1)."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if plain_scalar(data) != data:
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    return yaml.dump(dict(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def project_file(root: Path, name: str, config: str) -> str:
    """Write a project file ``name`` whose documents live in ``config/``; its name."""
    (root / name).write_text(f"config: {config}/\n", encoding="utf-8")
    return name


def big_config(products: int, groups: int, templates: int, tag: str = "") -> list[Obj]:
    """A large valid configuration; ``tag`` changes every name (an update of each object)."""
    docs = [
        document(
            "Product",
            {
                "key": f"bp_{i:04d}",
                "name": f"Bulk product {i}{tag}",
                "type": "deposit",
                "listPrice": i + 0.25,
                "code": f"BULK-{i:04d}",
            },
        )
        for i in range(products)
    ]
    users = ["ajones", "bpatel", "cnguyen", "dkim", "egarcia"]
    docs += [
        document(
            "CoverageGroup",
            {
                "key": f"bg_{i:04d}",
                "name": f"Bulk group {i}{tag}",
                "members": [{"user": u, "role": "advisor"} for u in users],
            },
        )
        for i in range(groups)
    ]
    for i in range(templates):
        stages: list[Obj] = [
            {
                "key": f"s{j}",
                "name": f"Stage {j}{tag}",
                "probability": 10 * j,
                "steps": [
                    {"key": f"s{j}_k{k}", "name": f"Step {k}", "type": "task"} for k in range(4)
                ],
            }
            for j in range(1, 7)
        ]
        stages += [
            {"key": "won", "name": "Won", "probability": 100, "outcome": "won"},
            {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
        ]
        doc: Obj = {
            "key": f"bt_{i:04d}",
            "name": f"Bulk template {i}{tag}",
            "category": "product",
            "entityType": "contact",
            "products": [f"bp_{(i + d) % products:04d}" for d in range(min(3, products))],
            "stages": stages,
        }
        if groups:
            doc["defaultCoverageGroup"] = f"bg_{i % groups:04d}"
        docs.append(document("OpportunityTemplate", doc))
    return docs


# --- the store --------------------------------------------------------------------------------


def reference_seed(folder: Path) -> Path:
    """A demo file with only the demo's CRM reference data (users, roles, product types)."""
    path = folder / "crm-reference.yaml"
    path.write_text(_reference_text(), encoding="utf-8")
    return path


@functools.cache
def _reference_text() -> str:
    data = demo_data.load(demo_data.DEMO_FILE)
    keep = {k: data[k] for k in ("users", "coverageRoles", "productTypes")}
    return yaml.safe_dump(keep, sort_keys=False)


def seed(url: str, *files: Path) -> None:
    """Initialise the store and seed each demo-format file in turn (idempotent seeding)."""
    store = Store(url)
    try:
        for file in files:
            store.init(demo=True, demo_file=file)
    finally:
        store.close()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_KEPT = 4


def engine_of(url: str) -> Engine:
    """The helpers' engine for ``url``, made once a test (an engine's first connection asks
    PostgreSQL a few questions): on PostgreSQL it keeps one connection, which
    ``dispose_engines`` closes when the test ends (tests/conftest.py), or sooner once the
    test has used more stores than ``_KEPT``. SQLite: none kept (a test may replace the file)."""
    with _engines_lock:  # a test's threads may share a store
        engine = _engines.pop(url, None)
        if engine is None:
            if url.startswith("postgresql"):
                engine = create_engine(driver_url(url), pool_size=1, pool_pre_ping=True)
            else:
                engine = create_engine(driver_url(url), poolclass=NullPool)
            if len(_engines) >= _KEPT:  # a property test makes a store an example
                _engines.pop(next(iter(_engines))).dispose()
        _engines[url] = engine  # the most recent last
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        while _engines:
            _engines.popitem()[1].dispose()


def owned(table: str, kind: str) -> str:
    """SQL: whether opconf owns the row of ``table`` (schema v5's opconf_owned)."""
    where = f"o.kind = '{kind}' AND o.row_id = {table}.id"
    return f"EXISTS (SELECT 1 FROM opconf_owned o WHERE {where})"


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """Run ``statement`` and commit; the rows, if any."""
    with engine_of(url).begin() as conn:
        result = conn.execute(text(statement), params)
        return [tuple(r) for r in result] if result.returns_rows else []


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two dumps are equal when the stores are."""
    with engine_of(url).connect() as conn:
        out = {}
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
            drop = VOLATILE.get(table, ())
            out[table] = sorted(
                (
                    tuple((k, _plain(v)) for k, v in sorted(r.items()) if k not in drop)
                    for r in rows
                ),
                key=repr,
            )
        return out


def _plain(value: Any) -> Any:
    """Backend-neutral values: PostgreSQL NUMERIC gives Decimal, SQLite stores text."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def managed_objects(url: str) -> dict[tuple[str, str], Obj]:
    """The managed objects in their canonical form, as the store holds them."""
    store = Store(url)
    try:
        state = store.read_state()
    finally:
        store.close()
    return {k: o.data for k, o in state.objects.items() if o.managed}


def add_opportunities(url: str, items: Iterable[Mapping[str, Any]]) -> None:
    """Insert opportunities (``{name, template, stage, product?, status?, amount?}``) by key."""
    for item in items:
        sql(
            url,
            "INSERT INTO opportunity (name, template_id, stage_id, product_id, status, amount)"
            " SELECT :name, t.id, s.id, (SELECT p.id FROM product p WHERE p.key = :product),"
            " :status, :amount FROM opportunity_template t"
            " JOIN template_stage s ON s.template_id = t.id"
            " WHERE t.key = :template AND s.key = :stage",
            name=item["name"],
            template=item["template"],
            stage=item["stage"],
            product=item.get("product"),
            status=item.get("status", "open"),
            amount=str(item.get("amount", "1000")),
        )


def opportunity_lines(url: str) -> list[str]:
    """``name: template/stage (status)`` for every opportunity, by name."""
    rows = sql(
        url,
        "SELECT o.name, t.key, s.key, o.status FROM opportunity o"
        " JOIN opportunity_template t ON t.id = o.template_id"
        " LEFT JOIN template_stage s ON s.id = o.stage_id",
    )
    return sorted(f"{name}: {t}/{s or '-'} ({status})" for name, t, s, status in rows)


@contextmanager
def lock_held(
    url: str, holder: Holder, writing: Obj | None = None, seconds: float = 60.0
) -> Iterator[threading.Event]:
    """Another Store (its own connection, in a thread) holds the write lock as ``holder`` —
    having created the product ``writing``, when given, uncommitted — until the block ends,
    the event it yields is set, or ``seconds`` have passed."""
    taken, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        store = Store(url)
        try:
            with store.writer(holder) as writer:
                if writing is not None:
                    writer.create("Product", writing)
                taken.set()
                release.wait(seconds)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
            taken.set()
        finally:
            store.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert taken.wait(30) and not errors, errors
        yield release
    finally:
        release.set()
        thread.join(30)
    assert not errors, errors


def year_end_close() -> Window:
    """A deny window over the turn of 2026 (UTC), for freeze tests with a fixed clock."""
    return window_of(
        {
            "name": "close",
            "kind": "deny",
            "timezone": "UTC",
            "start": "2026-12-28",
            "end": "2027-01-04",
        }
    )


def revision(url: str) -> int:
    return int(sql(url, "SELECT revision FROM opconf_meta")[0][0])


# --- small documents --------------------------------------------------------------------------


def product(key: str, **fields: Any) -> Obj:
    return document(
        "Product", {"key": key, "name": key.replace("_", " ").title(), "type": "deposit", **fields}
    )


def group(key: str, **fields: Any) -> Obj:
    return document("CoverageGroup", {"key": key, "name": key.replace("_", " ").title(), **fields})


def template(key: str, stages: Sequence[str] = ("qualify",), **fields: Any) -> Obj:
    """A template with open ``stages`` (probability 10, 20, …) then won and lost."""
    rows: list[Obj] = [
        {"key": s, "name": s.replace("_", " ").title(), "probability": 10 * (i + 1)}
        for i, s in enumerate(stages)
    ]
    rows += [
        {"key": "won", "name": "Won", "probability": 100, "outcome": "won"},
        {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    doc = {
        "key": key,
        "name": key.replace("_", " ").title(),
        "category": "product",
        "entityType": "contact",
        "stages": rows,
        **fields,
    }
    return document("OpportunityTemplate", doc)


def small_config(tag: str = "") -> list[Obj]:
    """One product, one group, one template that uses both; ``tag`` renames them (update)."""
    return [
        product("checking", name=f"Checking{tag}"),
        group(
            "branch_team", name=f"Branch Team{tag}", members=[{"user": "ajones", "role": "advisor"}]
        ),
        template(
            "account_opening",
            stages=("qualify", "paperwork"),
            name=f"Opening{tag}",
            products=["checking"],
            defaultCoverageGroup="branch_team",
        ),
    ]
