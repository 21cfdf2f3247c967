"""Diagnostics: every problem validation finds, as frozen values.

Each carries a stable rule code (catalogue: docs/rules.md), a severity, the file, a 1-based
line and column, and the path inside the document. Reporters render them by name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Path = tuple[str | int, ...]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    path: Path = ()
    waived: str = ""  # the reason of the waiver (opconf.yaml) that waives it

    @property
    def counts(self) -> bool:
        """Whether it counts towards the result (a waived finding is shown, not counted)."""
        return not self.waived

    @property
    def label(self) -> str:
        """``error``, ``warning``, ``info`` or, for a waived finding, ``waived``."""
        return "waived" if self.waived else self.severity

    @property
    def reason(self) -> str:
        """`` — waived: REASON`` for a waived finding, else empty."""
        return f" — waived: {self.waived}" if self.waived else ""

    @property
    def pointer(self) -> str:
        """The path as a JSON Pointer (RFC 6901), e.g. ``/stages/0/probability``."""
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.path)

    @property
    def dotted(self) -> str:
        """The path as people write it, e.g. ``stages[0].probability``."""
        out = ""
        for p in self.path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out

    def sort_key(self) -> tuple[bool, str, int, int, int, str, str]:
        """By file and position; notes without a file come last."""
        return (
            not self.file,
            self.file,
            self.line,
            self.column,
            _SEVERITY_ORDER[self.severity],
            self.code,
            self.message,
        )

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.file,
            "line": self.line if self.file else None,
            "column": self.column if self.file else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": self.pointer,
        }
        if self.waived:
            out["waived"] = self.waived
        return out


def plural(n: int, word: str, many: str = "") -> str:
    """``1 opportunity``, ``2 opportunities``: a count with its noun in the right number."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
