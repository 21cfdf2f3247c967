"""Printing the results table and the budget checks; saving them as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from budgets import Check, Results
from corpus import Corpus
from measure import Stats
from rows import Row


def table(headers: Sequence[str], lines: Sequence[Sequence[str]], right: set[int]) -> str:
    """A plain-text table; columns in ``right`` are right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *lines]) for i in range(len(headers))]

    def fmt(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), rule, *(fmt(line) for line in lines)])


def _scope_title(size: int | None, corpora: dict[int, Corpus]) -> str:
    if size is None:
        return "repo (example config/)"
    c = corpora[size]
    return f"{size:,} objects ({c.manifest.files:,} files, {c.megabytes:.1f} MB)"


def results_table(
    rows: Sequence[Row],
    results: Results,
    skipped: dict[tuple[str, int | None], str],
    corpora: dict[int, Corpus],
) -> str:
    headers = ("corpus", "row", "median s", "min–max s", "peak RSS MB", "procs", "what")
    lines = []
    for size in [*corpora, None]:
        title = _scope_title(size, corpora)
        for row in rows:
            cells = _cells(row, results.get((row.name, size)), skipped.get((row.name, size)))
            if cells:
                lines.append((title, row.name, *cells))
                title = ""  # name the corpus once per group
    return table(headers, lines, right={2, 3, 4, 5})


def _cells(row: Row, stats: Stats | None, skipped: str | None) -> tuple[str, ...] | None:
    if stats is not None:
        spread = f"{min(stats.walls):.2f}–{max(stats.walls):.2f}"
        peak = f"{stats.peak_rss_mb:,.0f}"
        return (f"{stats.median:.2f}", spread, peak, str(stats.processes), row.title)
    if skipped is not None:
        return ("—", "—", "—", "—", f"skipped: {skipped}")
    return None


def checks_table(checks: Sequence[Check]) -> str:
    lines = [(c.label, c.value, c.budget, c.verdict, c.note) for c in checks]
    return table(("budget", "value", "limit", "result", "note"), lines, right={1})


def save_json(
    path: Path,
    meta: dict[str, Any],
    results: Results,
    checks: Sequence[Check],
    corpora: dict[int, Corpus],
) -> None:
    data = {
        "meta": meta,
        "corpora": {str(size): asdict(c.manifest) for size, c in corpora.items()},
        "results": [
            {
                "row": row,
                "size": size,
                "median_wall_s": stats.median,
                "walls_s": stats.walls,
                "peak_rss_mb": stats.peak_rss_mb,
                "processes": stats.processes,
                "commands": stats.commands,
            }
            for (row, size), stats in results.items()
        ],
        "checks": [asdict(c) | {"verdict": c.verdict} for c in checks],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
