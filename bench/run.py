"""opconf's benchmark: whole-process timings against a libyaml floor and a peer tool.

    .venv/bin/python bench/run.py --sizes 1000,10000 [--repeat 3] [--json FILE]

See bench/README.md for what each row means. Exits 1 when a budget fails, 2 on a broken run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import report
from budgets import Check, Results
from corpus import Corpus, ensure
from measure import CommandFailed, Stats, run_all
from profiling import profile_validate
from rows import ROWS, Ctx, Row

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
BIN = Path(sys.executable).parent
Skipped = dict[tuple[str, int | None], str]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes", default="1000,10000", help="corpus sizes (objects), e.g. 1000,10000,100000"
    )
    p.add_argument("--repeat", type=int, default=3, help="timed runs per row; the median is shown")
    p.add_argument(
        "--rows", help=f"only these rows (default all: {','.join(r.name for r in ROWS)})"
    )
    p.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also save the results as JSON")
    p.add_argument(
        "--profile",
        type=int,
        metavar="SIZE",
        help="after the table, cProfile `opconf validate` at SIZE",
    )
    args = p.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    names = {r.name for r in ROWS}
    args.rows = set(args.rows.split(",")) if args.rows else names
    if unknown := args.rows - names:
        p.error(f"unknown rows: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def preflight() -> None:
    """The real CLI must start, or every opconf row would measure a traceback."""
    proc = subprocess.run([str(BIN / "opconf"), "--version"], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"error: `{BIN / 'opconf'} --version` fails:\n{proc.stderr[-2000:]}")


def warm(corpus: Corpus) -> None:
    """Read every file once so that each row sees the same warm page cache."""
    for name in corpus.files:
        (corpus.root / name).read_bytes()


def measure_row(row: Row, ctx: Ctx, repeat: int, where: str) -> Stats:
    ctx.scratch.mkdir(parents=True, exist_ok=True)
    if row.setup:
        row.setup(ctx)
    stats = Stats()
    for i in range(repeat):
        if row.prepare:
            row.prepare(ctx)
        commands = row.commands(ctx)
        stats.commands = [str(c) for c in commands]
        stats.samples.append(run_all(commands, row.ok))
        log(f"  {where} {row.name} run {i + 1}/{repeat}: {stats.samples[-1].wall:.2f} s")
    return stats


def run_rows(
    rows: Iterable[Row], ctx: Ctx, size: int | None, repeat: int, results: Results, skipped: Skipped
) -> None:
    where = "repo" if size is None else f"{size:,}"
    for row in rows:
        reason = row.skip(ctx) if row.skip else None
        if reason:
            skipped[(row.name, size)] = reason
            log(f"  {where} {row.name}: skipped ({reason})")
            continue
        results[(row.name, size)] = measure_row(row, ctx, repeat, where)


def prepare_corpus(size: int, seed: int) -> Corpus:
    started = time.perf_counter()
    corpus, generated = ensure(OUT, size, seed)
    what = f"{corpus.root} ({corpus.manifest.files:,} files, {corpus.megabytes:.1f} MB)"
    if generated:
        log(f"generated {what} in {time.perf_counter() - started:.1f} s")
    else:
        log(f"reusing {what}")
    warm(corpus)
    return corpus


def run(args: argparse.Namespace) -> tuple[Results, Skipped, dict[int, Corpus]]:
    rows = [r for r in ROWS if r.name in args.rows]
    results: Results = {}
    skipped: Skipped = {}
    corpora: dict[int, Corpus] = {}
    for size in args.sizes:
        corpora[size] = prepare_corpus(size, args.seed)
        ctx = Ctx(REPO, BIN, corpora[size], OUT / f"scratch-{size}")
        run_rows([r for r in rows if r.scope == "corpus"], ctx, size, args.repeat, results, skipped)
    ctx = Ctx(REPO, BIN, None, OUT / "scratch-repo")
    run_rows([r for r in rows if r.scope == "repo"], ctx, None, args.repeat, results, skipped)
    return results, skipped, corpora


def evaluate(rows: Iterable[Row], results: Results, sizes: list[int]) -> list[Check]:
    checks = []
    for row in rows:
        for budget in row.budgets:
            checks.extend(budget.checks(row.name, results, sizes))
    return checks


def meta(args: argparse.Namespace) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "commit": commit.stdout.strip() or None,
        "repeat": args.repeat,
        "sizes": args.sizes,
        "seed": args.seed,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def headline(info: dict[str, Any]) -> str:
    return (
        f"opconf benchmark · Python {info['python']} · {info['platform']} · {info['cpus']} CPUs"
        f" · commit {info['commit']} · median of {info['repeat']} whole-process runs"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    preflight()
    try:
        results, skipped, corpora = run(args)
    except CommandFailed as exc:
        log(f"error: {exc}")
        return 2
    rows = [r for r in ROWS if r.name in args.rows]
    checks = evaluate(rows, results, args.sizes)
    info = meta(args)
    print(f"\n{headline(info)}\n")
    print(report.results_table(rows, results, skipped, corpora) + "\n")
    print(report.checks_table(checks))
    if args.json:
        report.save_json(args.json, info, results, checks, corpora)
    if args.profile:
        print()
        print(profile_validate(prepare_corpus(args.profile, args.seed), BIN, OUT))
    return 1 if any(c.passed is False for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
