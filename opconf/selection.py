"""``--select``: a subset of the objects, as ``Kind/key-glob`` (or a key glob of any kind).

One grammar for ``plan``, ``apply`` and ``export``, the one freeze windows' ``scope`` uses:
case-sensitive globs, kinds spelled as documents spell them (``product/*`` is refused with a
did-you-mean, never read as "nothing").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from opconf.canonical import KIND_ORDER
from opconf.diagnostics import did_you_mean
from opconf.errors import UsageError


@dataclass(frozen=True)
class Pattern:
    text: str  # as given
    kind: str  # a glob over kinds ("*" when the pattern names none)
    key: str  # a glob over keys

    def matches(self, kind: str, key: str) -> bool:
        return fnmatchcase(kind, self.kind) and fnmatchcase(key, self.key)


@dataclass(frozen=True)
class Selection:
    """The objects named by at least one pattern (no patterns: every object)."""

    patterns: tuple[Pattern, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, kind: str, key: str) -> bool:
        return not self.patterns or any(p.matches(kind, key) for p in self.patterns)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.patterns)

    def idle(self, objects: Iterable[tuple[str, str]]) -> list[str]:
        """The patterns that match none of ``objects`` ((kind, key) pairs)."""
        left = list(self.patterns)
        for kind, key in objects:
            left = [p for p in left if not p.matches(kind, key)]
            if not left:
                break
        return [p.text for p in left]


def parse(texts: Iterable[str] | None, option: str = "--select") -> Selection:
    """The selection of ``texts``; a kind no document has is a usage error naming it."""
    return Selection(tuple(_pattern(text, option) for text in texts or ()))


def _pattern(text: str, option: str) -> Pattern:
    kind, slash, key = text.partition("/")
    if not slash:
        kind, key = "*", text
    if not key or not kind:
        raise UsageError(
            f"{option} '{text}': expected Kind/key-glob or a key glob",
            hint="e.g. --select 'Product/gold_*' or --select 'gold_*'",
        )
    if not any(fnmatchcase(k, kind) for k in KIND_ORDER):
        hint = did_you_mean(kind, KIND_ORDER).strip(" ()") or f"kinds: {', '.join(KIND_ORDER)}"
        raise UsageError(f"{option} '{text}': no kind is called '{kind}'", hint=hint)
    return Pattern(text, kind, key)


EVERYTHING = Selection()  # no --select: every object
