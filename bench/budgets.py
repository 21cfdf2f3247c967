"""Budgets: what a row's measurements must stay within, each turned into PASS/FAIL checks.

A budget belongs to a row (see ``rows.py``) and is usually relative to another row, so that
the numbers mean the same on a fast and a slow machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from measure import Stats

# Measurements by (row name, corpus size); size None for rows run on the repo itself.
Results = dict[tuple[str, int | None], Stats]


@dataclass(frozen=True)
class Check:
    label: str
    value: str
    budget: str
    passed: bool | None  # None: not measured in this run (never a failure)
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "not run"}[self.passed]


class Budget(Protocol):
    def checks(self, row: str, results: Results, sizes: list[int]) -> list[Check]: ...


def _n(size: int | None) -> str:
    return "repo" if size is None else f"{size:,}"


@dataclass(frozen=True)
class Ratio:
    """Median wall of this row ÷ median wall of ``other``, at every size both ran."""

    other: str
    max: float | None = None
    min: float | None = None
    aim: float | None = None  # reported, never fails

    def checks(self, row: str, results: Results, sizes: list[int]) -> list[Check]:
        out = []
        for size in sizes:
            mine, theirs = results.get((row, size)), results.get((self.other, size))
            label = f"{row} ÷ {self.other} @ {_n(size)}"
            if mine is None or theirs is None:
                out.append(Check(label, "—", self._budget(), None))
                continue
            ratio = mine.median / theirs.median
            out.append(
                Check(label, f"{ratio:.2f}×", self._budget(), self._ok(ratio), self._aim(ratio))
            )
        return out

    def _budget(self) -> str:
        return f"≤ {self.max}×" if self.max is not None else f"≥ {self.min}×"

    def _ok(self, ratio: float) -> bool:
        return (self.max is None or ratio <= self.max) and (self.min is None or ratio >= self.min)

    def _aim(self, ratio: float) -> str:
        if self.aim is None:
            return ""
        return f"aim ≤ {self.aim}×: {'met' if ratio <= self.aim else 'not met'}"


@dataclass(frozen=True)
class Scaling:
    """This row at ``big`` objects ÷ the same row at ``small`` (only when both sizes ran)."""

    max: float
    big: int = 100_000
    small: int = 10_000

    def checks(self, row: str, results: Results, sizes: list[int]) -> list[Check]:
        label = f"{row} {self.big // 1000}k ÷ {self.small // 1000}k"
        big, small = results.get((row, self.big)), results.get((row, self.small))
        if big is None or small is None:
            return [
                Check(label, "—", f"≤ {self.max}×", None, f"needs --sizes {self.small},{self.big}")
            ]
        ratio = big.median / small.median
        return [Check(label, f"{ratio:.2f}×", f"≤ {self.max}×", ratio <= self.max)]


@dataclass(frozen=True)
class PeakMemory:
    """Peak resident memory of the row's largest process at ``size`` objects."""

    max_mb: float
    size: int = 100_000

    def checks(self, row: str, results: Results, sizes: list[int]) -> list[Check]:
        label = f"{row} peak RSS @ {_n(self.size)}"
        stats = results.get((row, self.size))
        budget = f"< {self.max_mb:,.0f} MB"
        if stats is None:
            return [Check(label, "—", budget, None, f"needs --sizes …,{self.size}")]
        mb = stats.peak_rss_mb
        return [Check(label, f"{mb:,.0f} MB", budget, mb < self.max_mb)]


@dataclass(frozen=True)
class Wall:
    """Median wall time of a row run on the repo itself (size None)."""

    max_seconds: float

    def checks(self, row: str, results: Results, sizes: list[int]) -> list[Check]:
        stats = results.get((row, None))
        budget = f"< {self.max_seconds} s"
        if stats is None:
            return [Check(f"{row} wall", "—", budget, None)]
        return [
            Check(f"{row} wall", f"{stats.median:.2f} s", budget, stats.median < self.max_seconds)
        ]
