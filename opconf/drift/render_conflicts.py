"""The conflicts ``drift --accept`` leaves, one line each, with their three values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opconf.drift.merge import Conflict
from opconf.plan.details import summarise


def conflict_lines(conflicts: Iterable[Conflict]) -> list[str]:
    return [f"  {c.kind} {c.key} {_what(c)}" for c in conflicts]


def _what(c: Conflict) -> str:
    if c.path.startswith("("):
        return c.path
    if not c.path:
        if c.live is None:
            return "(deleted in the CRM, changed in the configuration)"
        if c.config is None:
            return "(removed from the configuration, changed in the CRM)"
        return "(created in the CRM and in the configuration, differently)"
    values = (_value(c.config, c.path), _value(c.applied, c.path), _value(c.live, c.path))
    return "{}: config {}, applied {}, live {}".format(c.path, *values)


def _value(value: Any, path: str) -> str:
    if value is True and path.endswith("]"):
        return "(present)"
    if value is None and path.endswith("]"):
        return "(absent)"
    return summarise(value, path)
