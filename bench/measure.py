"""Timing whole processes: wall time and peak resident memory of each child."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path

    def __str__(self) -> str:
        """The command line, long file lists shortened: ``tool a.yaml … (5,000 arguments)``."""
        if len(self.argv) <= 8:
            return " ".join(self.argv)
        return " ".join(self.argv[:4]) + f" … ({len(self.argv) - 1:,} arguments)"


@dataclass(frozen=True)
class Sample:
    """One timed run of a row: its processes run one after the other."""

    wall: float  # seconds, summed over the processes
    peak_rss_mb: float  # the largest of the processes' peaks (MB = 10^6 bytes)


@dataclass
class Stats:
    samples: list[Sample] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # of the last run

    @property
    def processes(self) -> int:
        return len(self.commands)

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_mb for s in self.samples)


class CommandFailed(Exception):
    def __init__(self, command: Command, code: int, output: str) -> None:
        super().__init__(f"`{command}` (in {command.cwd}) exited {code}:\n{output}")


def run_process(command: Command, ok: frozenset[int] = frozenset({0})) -> Sample:
    """Run one process to completion; its own rusage comes from wait4 (not the children total)."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command.argv, cwd=command.cwd, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            output.seek(0)
            tail = output.read()[-4000:].decode("utf-8", "replace")
            raise CommandFailed(command, proc.returncode, tail)
    return Sample(wall, usage.ru_maxrss * 1024 / 1e6)  # ru_maxrss is in KiB on Linux


def run_all(commands: Sequence[Command], ok: frozenset[int]) -> Sample:
    samples = [run_process(c, ok) for c in commands]
    return Sample(sum(s.wall for s in samples), max(s.peak_rss_mb for s in samples))
