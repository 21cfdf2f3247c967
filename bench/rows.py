"""The rows of the benchmark table: named commands with budgets relative to other rows.

This list is the extension point. A new row is one ``Row(...)`` entry: its name, a title, the
processes to time, and its budgets. ``setup`` runs once per corpus and ``prepare`` before
every timed run (neither is timed): that is where a future ``apply`` row empties its store
(see bench/README.md, "Adding a row").
"""

from __future__ import annotations

import atexit
import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from budgets import Budget, PeakMemory, Ratio, Scaling, Wall
from corpus import KIND_DIRS, Corpus
from measure import Command, run_process

SCHEMA_FILES = {
    "Product": "product.schema.json",
    "CoverageGroup": "coverage-group.schema.json",
    "OpportunityTemplate": "opportunity-template.schema.json",
}
ARGV_BYTES = 512_000  # split very long file lists (as xargs would) to stay below ARG_MAX


@dataclass(frozen=True)
class Ctx:
    """What a row's commands are built from."""

    repo: Path
    bin: Path  # the virtualenv's bin/ (python, opconf, check-jsonschema)
    corpus: Corpus | None  # None for rows run on the repo itself
    scratch: Path  # a private folder per corpus, e.g. for SQLite stores

    @property
    def root(self) -> Path:
        """Where the row's processes run: the corpus folder, or the repo."""
        return self.corpus.root if self.corpus else self.repo

    def cmd(self, *argv: str) -> Command:
        return Command(tuple(argv), self.root)

    def opconf(self, *args: str) -> Command:
        return self.cmd(str(self.bin / "opconf"), *args)

    def sqlite(self, name: str) -> str:
        """A store URL for a SQLite file in the scratch folder."""
        return f"sqlite:///{self.scratch / name}.db"

    def run(self, command: Command) -> None:
        """Run an untimed helper process (for setup/prepare); fails loudly."""
        run_process(command)


Skip = Callable[[Ctx], str | None]  # a reason not to run the row here, or None


@dataclass(frozen=True)
class Row:
    name: str
    title: str
    commands: Callable[[Ctx], list[Command]]
    budgets: tuple[Budget, ...] = ()
    scope: Literal["corpus", "repo"] = "corpus"
    setup: Callable[[Ctx], None] | None = None
    prepare: Callable[[Ctx], None] | None = None
    skip: Skip | None = None
    ok: frozenset[int] = frozenset({0})  # exit codes that count as success


def _corpus(ctx: Ctx) -> Corpus:
    assert ctx.corpus is not None, "a corpus row runs with a corpus"
    return ctx.corpus


def floor(ctx: Ctx) -> list[Command]:
    script = Path(__file__).with_name("floor.py")
    return [ctx.cmd(str(ctx.bin / "python"), str(script), "files.txt")]


def validate(ctx: Ctx) -> list[Command]:
    """Cold: every file read and checked (the cache of validate-warm left alone)."""
    return [ctx.opconf("validate", "config", "--refs", "opconf.refs.yaml", "--no-cache")]


def validate_warm(ctx: Ctx) -> list[Command]:
    """Warm: an unchanged project, every file's results from .opconf/cache/."""
    return [ctx.opconf("validate", "config", "--refs", "opconf.refs.yaml")]


def _validate_warm_setup(ctx: Ctx) -> None:
    for command in validate_warm(ctx):  # fills the cache
        ctx.run(command)


def peer(ctx: Ctx) -> list[Command]:
    """check-jsonschema, once per kind (more processes only when a file list is too long)."""
    tool = str(ctx.bin / "check-jsonschema")
    out = []
    for kind in KIND_DIRS:
        schema = str(ctx.repo / "schemas" / SCHEMA_FILES[kind])
        for chunk in _chunks(_corpus(ctx).files_of(kind)):
            out.append(ctx.cmd(tool, "--schemafile", schema, *chunk))
    return out


def _chunks(files: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for name in files:
        if size + len(name) + 1 > ARGV_BYTES and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(name)
        size += len(name) + 1
    return chunks


def example(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("validate")]


def _no_peer(ctx: Ctx) -> str | None:
    return None if (ctx.bin / "check-jsonschema").exists() else "check-jsonschema not installed"


def _no_example(ctx: Ctx) -> str | None:
    return None if (ctx.repo / "config").is_dir() else "the repo has no config/"


_TRASH = Path(__file__).resolve().parent / "out" / "trash"
_TRASHED = itertools.count()
atexit.register(shutil.rmtree, _TRASH, ignore_errors=True)


def reset(path: Path) -> Callable[[Ctx], None]:
    """A ``prepare`` hook: remove ``path`` (relative to the scratch folder) before each run."""

    def prepare(ctx: Ctx) -> None:
        target = ctx.scratch / path
        if target.is_dir():
            # Deleting the previous run's 10,000 files keeps this VM's disk busy well after
            # rmtree returns (discards), and the next run's file creation waits behind it
            # (export: 2.0 s into fresh folders, 8.4 s after deleting the previous one, even
            # after a sync). So a folder is moved aside, and deleted when the benchmark ends.
            _TRASH.mkdir(exist_ok=True)
            target.rename(_TRASH / f"{target.name}-{next(_TRASHED)}")
        else:
            target.unlink(missing_ok=True)

    return prepare


# --- plan and apply: stores seeded with the corpus's CRM reference data ------------------------

# CRM reference data (users, coverage roles, product types) from the corpus's snapshot, through
# the demo seeder, whose file format the snapshot shares: plan checks references live.
SEED = (
    "import sys; from pathlib import Path; from opconf.store import Store; "
    "Store(sys.argv[1]).init(demo=True, demo_file=Path('opconf.refs.yaml'))"
)


def seed(ctx: Ctx, url: str) -> None:
    ctx.run(ctx.cmd(str(ctx.bin / "python"), "-c", SEED, url))


def _plan_setup(ctx: Ctx) -> None:
    reset(Path("plan.db"))(ctx)
    seed(ctx, ctx.sqlite("plan"))
    ctx.run(ctx.opconf("apply", "--auto-approve", "--store", ctx.sqlite("plan")))


def plan(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("plan", "--detailed-exitcode", "--store", ctx.sqlite("plan"))]


def _apply_sqlite_prepare(ctx: Ctx) -> None:
    reset(Path("apply.db"))(ctx)
    seed(ctx, ctx.sqlite("apply"))


def apply_sqlite(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("apply", "--auto-approve", "--store", ctx.sqlite("apply"))]


_PG_URL: dict[Path, str] = {}  # scratch folder → the database of the next timed run


def _apply_pg_prepare(ctx: Ctx) -> None:
    import pgserver

    _PG_URL[ctx.scratch] = pgserver.fresh_database()
    seed(ctx, _PG_URL[ctx.scratch])


def apply_postgres(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("apply", "--auto-approve", "--store", _PG_URL[ctx.scratch])]


# --- export: the corpus applied to a SQLite store, written back out as documents -------------


def _export_setup(ctx: Ctx) -> None:
    reset(Path("export.db"))(ctx)
    seed(ctx, ctx.sqlite("export"))
    ctx.run(ctx.opconf("apply", "--auto-approve", "--store", ctx.sqlite("export")))


def export(ctx: Ctx) -> list[Command]:
    out = str(ctx.scratch / "export-out")
    return [ctx.opconf("export", "--out", out, "--store", ctx.sqlite("export"))]


# --- drift: the corpus applied, then 1 % of the objects edited out of band by SQL -------------


def _drift_setup(ctx: Ctx) -> None:
    reset(Path("drift.db"))(ctx)
    seed(ctx, ctx.sqlite("drift"))
    ctx.run(ctx.opconf("apply", "--auto-approve", "--store", ctx.sqlite("drift")))
    script = str(Path(__file__).with_name("drift_edit.py"))
    ctx.run(ctx.cmd(str(ctx.bin / "python"), script, ctx.sqlite("drift")))


def drift(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("drift", "--detailed-exitcode", "--store", ctx.sqlite("drift"))]


def _no_postgres(ctx: Ctx) -> str | None:
    import pgserver

    return None if pgserver.available() else "PostgreSQL server binaries not found"


def catalogue(ctx: Ctx) -> list[Command]:
    return [ctx.opconf("catalogue", "--out", str(ctx.scratch / "catalogue"))]


ROWS: tuple[Row, ...] = (
    Row("floor", "libyaml CSafeLoader load of every file (the floor)", floor),
    Row(
        "validate",
        "opconf validate config",
        validate,
        budgets=(Ratio("floor", max=1.5, aim=1.0), Scaling(max=11), PeakMemory(max_mb=1500)),
    ),
    Row(
        "validate-warm",
        "opconf validate config again, nothing changed (per-file results from .opconf/cache/)",
        validate_warm,
        budgets=(Ratio("validate", max=0.5),),
        setup=_validate_warm_setup,
    ),
    Row(
        "peer",
        "check-jsonschema --schemafile …, 3 kinds summed",
        peer,
        budgets=(Ratio("validate", min=3),),
        skip=_no_peer,
    ),
    Row(
        "example",
        "opconf validate on the repo's example config/",
        example,
        budgets=(Wall(0.5),),
        scope="repo",
        skip=_no_example,
    ),
    Row(
        "plan",
        "opconf plan, nothing to change (SQLite store already applied)",
        plan,
        budgets=(Ratio("validate", max=2), Scaling(max=12), PeakMemory(max_mb=1500)),
        setup=_plan_setup,
    ),
    Row(
        "apply-sqlite",
        "opconf apply into an empty SQLite store",
        apply_sqlite,
        budgets=(Ratio("validate", max=3),),
        prepare=_apply_sqlite_prepare,
    ),
    Row(
        "apply-postgres",
        "opconf apply into an empty PostgreSQL database",
        apply_postgres,
        budgets=(Ratio("validate", max=5),),
        prepare=_apply_pg_prepare,
        skip=_no_postgres,
    ),
    Row(
        "export",
        "opconf export of the applied corpus from SQLite into an empty folder",
        export,
        budgets=(Ratio("validate", max=2), PeakMemory(max_mb=500, size=10_000)),
        setup=_export_setup,
        prepare=reset(Path("export-out")),
    ),
    Row(
        "catalogue",
        "opconf catalogue (the HTML page; its size and first paint: bench/catalogue_paint.py)",
        catalogue,
        budgets=(Ratio("validate", max=2),),
    ),
    Row(
        "drift",
        "opconf drift, 1 % of the objects edited out of band by SQL (SQLite)",
        drift,
        budgets=(Ratio("plan", max=1.5),),
        setup=_drift_setup,
        ok=frozenset({0, 2}),
    ),
)


# --- the change path: the corpus applied, then 10 % updated, 1 % renamed, 1 % deleted -------
# (bench/changes.py). The stores are seeded and the base corpus applied once per corpus (not
# timed); every timed run starts from a copy of them.

_CHANGED: dict[Path, Path] = {}  # scratch folder → the change corpus's folder


def _changed(ctx: Ctx) -> Path:
    import changes

    if ctx.scratch not in _CHANGED:
        _CHANGED[ctx.scratch] = changes.ensure(_corpus(ctx))
    return _CHANGED[ctx.scratch]


def _in_changed(ctx: Ctx, *args: str) -> Command:
    return Command((str(ctx.bin / "opconf"), *args), _changed(ctx))


APPLY_CHANGES = ("apply", "--auto-approve", "--allow-destructive", "--store")
ROLLBACK = ("rollback", "1", "--auto-approve", "--allow-destructive", "--store")


_BUILT: set[Path] = set()


def _base_store(ctx: Ctx, changed: bool = False) -> Path:
    """A SQLite store holding the base corpus (revision 1), and then the changes (revision 2)
    when ``changed``; built once per corpus."""
    name = "changes-after" if changed else "changes-base"
    path = ctx.scratch / f"{name}.db"
    if path not in _BUILT:  # built afresh by each benchmark run (opconf may have changed)
        path.unlink(missing_ok=True)
        Path(f"{path}.tmp").unlink(missing_ok=True)
        _BUILT.add(path)
        if changed:
            shutil.copyfile(_base_store(ctx), path)
            ctx.run(_in_changed(ctx, *APPLY_CHANGES, f"sqlite:///{path}"))
        else:
            seed(ctx, f"sqlite:///{path}.tmp")
            ctx.run(ctx.opconf("apply", "--auto-approve", "--store", f"sqlite:///{path}.tmp"))
            Path(f"{path}.tmp").rename(path)
    return path


def _copy_store(name: str, changed: bool) -> Callable[[Ctx], None]:
    def prepare(ctx: Ctx) -> None:
        shutil.copyfile(_base_store(ctx, changed), ctx.scratch / f"{name}.db")

    return prepare


def plan_changes(ctx: Ctx) -> list[Command]:
    url = f"sqlite:///{_base_store(ctx)}"
    return [_in_changed(ctx, "plan", "--detailed-exitcode", "--store", url)]


FREEZE_WINDOWS = 10  # half deny every minute for 2 minutes, half allow every working minute


def plan_freeze(ctx: Ctx) -> list[Command]:
    """``plan_changes`` under a project whose freeze windows fire every minute: deciding a
    freeze must cost O(windows), whatever the cron (it once cost minutes)."""
    changed = _changed(ctx)
    project = ctx.scratch / "freeze-project.yaml"
    windows = [
        f"  - {{name: w{i}, kind: deny, schedule: '* * * * *', duration: 2m,"
        f" timezone: America/Toronto, scope: ['Product/*']}}"
        if i % 2 == 0
        else f"  - {{name: w{i}, kind: allow, schedule: '* 9-17 * * 1-5', duration: 1m,"
        f" timezone: Asia/Tokyo}}"
        for i in range(FREEZE_WINDOWS)
    ]
    text = f"config: {changed / 'config'}\nfreeze:\n" + "\n".join(windows) + "\n"
    project.write_text(text, encoding="utf-8")
    url = f"sqlite:///{_base_store(ctx)}"
    argv = ("--project", str(project), "plan", "--detailed-exitcode", "--store", url)
    return [_in_changed(ctx, *argv)]


def apply_changes_sqlite(ctx: Ctx) -> list[Command]:
    return [_in_changed(ctx, *APPLY_CHANGES, ctx.sqlite("changes-apply"))]


def rollback_sqlite(ctx: Ctx) -> list[Command]:
    return [_in_changed(ctx, *ROLLBACK, ctx.sqlite("changes-rollback"))]


_PG_BASE: dict[tuple[Path, bool], str] = {}  # (scratch, changed) → a template database


def _pg_base(ctx: Ctx, changed: bool) -> str:
    """A PostgreSQL database like :func:`_base_store`'s file, built once per corpus."""
    import pgserver

    if (ctx.scratch, changed) not in _PG_BASE:
        name = pgserver.fresh_name()
        url = pgserver.url(name)
        if changed:
            url = pgserver.url(pgserver.copy_database(_pg_base(ctx, False), name))
            ctx.run(_in_changed(ctx, *APPLY_CHANGES, url))
        else:
            pgserver.create_database(name)
            seed(ctx, url)
            ctx.run(ctx.opconf("apply", "--auto-approve", "--store", url))
        _PG_BASE[(ctx.scratch, changed)] = name
    return _PG_BASE[(ctx.scratch, changed)]


def _pg_copy(changed: bool) -> Callable[[Ctx], None]:
    def prepare(ctx: Ctx) -> None:
        import pgserver

        name = pgserver.copy_database(_pg_base(ctx, changed), pgserver.fresh_name())
        _PG_URL[ctx.scratch] = pgserver.url(name)

    return prepare


def apply_changes_postgres(ctx: Ctx) -> list[Command]:
    return [_in_changed(ctx, *APPLY_CHANGES, _PG_URL[ctx.scratch])]


def rollback_postgres(ctx: Ctx) -> list[Command]:
    return [_in_changed(ctx, *ROLLBACK, _PG_URL[ctx.scratch])]


# --- the change path on a vendor-like CRM's own tables, through a store mapping -------------
# (bench/mapped.py: upper-case tables, UUID ids opconf makes, codes, soft deletes, fills, a
# trigger of the CRM's own). Same changes, same budgets as the default layout's rows, and
# within 1.15 × of them: the mapping costs names and encodings, not round trips.

_MAPPED_BUILT: set[Path] = set()


def _mapping(ctx: Ctx) -> str:
    return str(ctx.scratch / "vendor-mapping.yaml")


def _mapped_base(ctx: Ctx) -> Path:
    """A SQLite vendor-like CRM holding the base corpus (revision 1), built once per corpus."""
    path = ctx.scratch / "mapped-base.db"
    if path not in _MAPPED_BUILT:
        path.unlink(missing_ok=True)
        tmp = Path(f"{path}.tmp")
        tmp.unlink(missing_ok=True)
        _MAPPED_BUILT.add(path)
        script = str(Path(__file__).with_name("mapped.py"))
        url = f"sqlite:///{tmp}"
        ctx.run(ctx.cmd(str(ctx.bin / "python"), script, url, _mapping(ctx)))
        ctx.run(ctx.opconf("store", "init", "--store", url, "--mapping", _mapping(ctx)))
        ctx.run(ctx.opconf("apply", "--auto-approve", "--store", url, "--mapping", _mapping(ctx)))
        tmp.rename(path)
    return path


def plan_changes_mapped(ctx: Ctx) -> list[Command]:
    url = f"sqlite:///{_mapped_base(ctx)}"
    args = ("plan", "--detailed-exitcode", "--store", url, "--mapping", _mapping(ctx))
    return [_in_changed(ctx, *args)]


def apply_changes_mapped(ctx: Ctx) -> list[Command]:
    url = ctx.sqlite("mapped-apply")
    return [_in_changed(ctx, *APPLY_CHANGES, url, "--mapping", _mapping(ctx))]


def _copy_mapped(ctx: Ctx) -> None:
    shutil.copyfile(_mapped_base(ctx), ctx.scratch / "mapped-apply.db")


CHANGE_BUDGET = (Scaling(max=12), PeakMemory(max_mb=1500))
ROWS += (
    Row(
        "plan-changes",
        "opconf plan of the changes (10 % updated, 1 % renamed, 1 % deleted) against SQLite",
        plan_changes,
        budgets=(Ratio("validate", max=2), *CHANGE_BUDGET),
        ok=frozenset({2}),  # --detailed-exitcode: changes present
        setup=lambda ctx: _base_store(ctx) and None,
    ),
    Row(
        "plan-freeze",
        f"opconf plan of those changes under {FREEZE_WINDOWS} freeze windows firing every minute",
        plan_freeze,
        budgets=(Ratio("plan-changes", max=1.25),),
        ok=frozenset({2}),
        setup=lambda ctx: _base_store(ctx) and None,
    ),
    Row(
        "apply-changes-sqlite",
        "opconf apply of those changes to the applied corpus in SQLite",
        apply_changes_sqlite,
        budgets=(Ratio("validate", max=2), *CHANGE_BUDGET),
        setup=lambda ctx: _base_store(ctx) and None,
        prepare=_copy_store("changes-apply", changed=False),
    ),
    Row(
        "apply-changes-postgres",
        "opconf apply of those changes to the applied corpus in PostgreSQL",
        apply_changes_postgres,
        budgets=(Ratio("validate", max=3), *CHANGE_BUDGET),
        setup=lambda ctx: _pg_base(ctx, changed=False) and None,
        prepare=_pg_copy(changed=False),
        skip=_no_postgres,
    ),
    Row(
        "rollback-sqlite",
        "opconf rollback 1 of those changes in SQLite (back to the applied corpus)",
        rollback_sqlite,
        budgets=(Ratio("validate", max=3), *CHANGE_BUDGET),
        setup=lambda ctx: _base_store(ctx, changed=True) and None,
        prepare=_copy_store("changes-rollback", changed=True),
    ),
    Row(
        "rollback-postgres",
        "opconf rollback 1 of those changes in PostgreSQL",
        rollback_postgres,
        budgets=(Ratio("validate", max=3), *CHANGE_BUDGET),
        setup=lambda ctx: _pg_base(ctx, changed=True) and None,
        prepare=_pg_copy(changed=True),
        skip=_no_postgres,
    ),
    Row(
        "plan-changes-mapped",
        "opconf plan of those changes against a vendor-like CRM's own tables (SQLite, mapped)",
        plan_changes_mapped,
        budgets=(Ratio("plan-changes", max=1.15), *CHANGE_BUDGET),
        ok=frozenset({2}),
        setup=lambda ctx: _mapped_base(ctx) and None,
    ),
    Row(
        "apply-changes-mapped",
        "opconf apply of those changes to a vendor-like CRM's own tables (SQLite, mapped)",
        apply_changes_mapped,
        budgets=(Ratio("apply-changes-sqlite", max=1.15), *CHANGE_BUDGET),
        setup=lambda ctx: _mapped_base(ctx) and None,
        prepare=_copy_mapped,
    ),
)
