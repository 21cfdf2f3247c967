"""Drift as a value: the differences between configuration, last apply and live store.

Built by :func:`opconf.drift.compare.compare`, rendered by :mod:`opconf.drift.render`,
written to JSON (``schemas/drift.schema.json``). Each difference is one of the plan's
:class:`~opconf.plan.model.Detail` (the field, in the plan's path notation) plus the three
values: in the configuration, as the last apply left it, and live in the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from opconf.plan.model import Detail, Obj, Op

# drift: the store changed since the last apply, outside opconf; pending: the configuration
# changed, not applied yet; conflict: both changed the same field, differently; new: an object
# created in the CRM since the last apply.
Category = Literal["drift", "conflict", "new", "pending"]
CATEGORIES: tuple[Category, ...] = ("drift", "conflict", "new", "pending")
FORMAT_VERSION = "1.0"
ABSENT: Any = None  # a value that is not there (an object or element missing on that side)


@dataclass(frozen=True, slots=True)
class Difference:
    """One field (or whole object, ``path`` empty) that differs between the three sides."""

    category: Category
    kind: str
    key: str
    op: Op  # the plan's detail operation from the last apply's value: set, add, remove, move
    path: str  # the plan's detail path: ``name``, ``stages[qualify].probability``, ``""``
    config: Any
    applied: Any
    live: Any

    @property
    def out_of_band(self) -> bool:
        """Made in the CRM, outside opconf (what ``--accept`` takes into the configuration)."""
        return self.category != "pending"

    def detail(self) -> Detail:
        """As the plan's detail: from the applied value to the side that changed."""
        new = self.config if self.category == "pending" else self.live
        return Detail(self.op, self.path, self.applied, new)


@dataclass(frozen=True, slots=True)
class Since:
    """The revision the store is compared with: the last apply."""

    revision: int
    applied_at: str  # ISO 8601, UTC
    actor: str


@dataclass(frozen=True)
class Drift:
    differences: tuple[Difference, ...]
    since: Since | None  # None: nothing was ever applied
    store: str  # redacted URL
    ignored: int = 0  # differences hidden by drift.ignore
    warnings: tuple[str, ...] = ()

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        for d in self.differences:
            counts[d.category] += 1
        return {**counts, "ignored": self.ignored}

    @property
    def drifted(self) -> bool:
        """Anything changed outside opconf (what ``--detailed-exitcode`` exits 2 for)."""
        return any(d.out_of_band for d in self.differences)

    def to_dict(self) -> Obj:
        """The JSON form (``schemas/drift.schema.json``)."""
        return {
            "format_version": FORMAT_VERSION,
            "store": self.store,
            "since": asdict(self.since) if self.since else None,
            "summary": self.summary(),
            "differences": [asdict(d) for d in self.differences],
            "warnings": list(self.warnings),
        }
