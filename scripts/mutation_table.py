"""The mutation score table from mutmut's results (mutants/**/*.py.meta).

Usage: python scripts/mutation_table.py MODULE...  (paths, as scripts/mutation takes them)

A mutant listed in docs/mutation.md's table of equivalent mutants (its name in backticks in
the first column) counts as equivalent, not as a survivor; the score is killed / (mutants -
equivalent). Surviving mutants that are not listed are printed below the table.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "docs" / "mutation.md"
KILLED = {1, 3}
SURVIVED = {0}


def equivalents() -> set[str]:
    """Mutant names in the first column of the equivalents table."""
    names = re.findall(r"^\| `([\w.]+__mutmut_\d+)` \|", EQUIVALENTS.read_text(), re.M)
    return set(names)


def results(module: str) -> dict[str, dict[str, int | None]]:
    """exit code by mutant name, per source file under ``module``."""
    base = ROOT / "mutants" / module
    metas = sorted(base.rglob("*.py.meta")) if base.is_dir() else [Path(f"{base}.py.meta")]
    found = {}
    for meta in metas:
        if meta.exists():
            source = str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")
            found[source] = json.loads(meta.read_text())["exit_code_by_key"]
    return found


def main(modules: list[str]) -> int:
    known = equivalents()
    rows = []
    survivors = []
    for module in modules:
        for source, codes in results(module.rstrip("/").removesuffix(".py")).items():
            if not codes:
                continue
            equivalent = {name for name, code in codes.items() if code in SURVIVED} & known
            alive = sorted(n for n, c in codes.items() if c in SURVIVED and n not in equivalent)
            killed = sum(1 for code in codes.values() if code in KILLED)
            other = len(codes) - killed - len(alive) - len(equivalent)  # no tests, timeout, not run
            counted = len(codes) - len(equivalent)
            score = 100.0 * killed / counted if counted else 100.0
            rows.append((source, len(codes), killed, len(alive), len(equivalent), other, score))
            survivors += alive
    print(f"| {'module':<34} | mutants | killed | survived | equivalent | other |  score |")
    print(f"|{'-' * 36}|---------|--------|----------|------------|-------|--------|")
    for source, total, killed, alive, equivalent, other, score in rows:
        print(
            f"| {source:<34} | {total:>7} | {killed:>6} | {alive:>8} | {equivalent:>10} "
            f"| {other:>5} | {score:>5.1f}% |"
        )
    if survivors:
        print("\nsurvivors (mutmut show NAME):")
        print("\n".join(f"  {name}" for name in survivors))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
