"""YAML scalars with JSON semantics, and libyaml's composer set up to resolve nothing itself.

Plain scalars resolve by YAML 1.2 rules with JSON semantics: only ``true``/``false`` are
booleans, only ``null``/``~``/empty are null, decimal integers and floats are numbers;
``yes``, ``NO``, ``on``, ``2024-01-01``, ``1_000``, ``0x1F`` stay strings.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from sys import intern
from typing import Any

import yaml
from yaml._yaml import CParser

PLAIN = "tag:opconf,2024:plain"  # our marker for an untagged plain scalar
STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
CORE_SCALAR_TAGS = {
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
}
_INT = re.compile(r"[-+]?[0-9]+")
FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
NUMBER_START = frozenset("-+.0123456789")


def short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/name`` → ``!!python/name``, as the user wrote it."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def plain_scalar(value: str) -> Any:
    """Resolve an untagged plain scalar (YAML 1.2, JSON semantics)."""
    if not value:
        return None
    if value[0] in NUMBER_START:
        if _INT.fullmatch(value):
            return int(value)
        if FLOAT.fullmatch(value):
            number = float(value)
            # JSON has no infinity (1e400), and a float keeps ~17 digits: a number that would
            # not come back exactly stays the text it is, for the schema to report.
            return number if math.isfinite(number) and _exact(number, value) else value
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value == "null" or value == "~":
        return None
    # Configurations repeat the same few thousand strings (types, codes, logins) many times.
    return intern(value)


def _exact(number: float, text: str) -> bool:
    return Decimal(repr(number)) == Decimal(text)


class Composer(CParser):
    """libyaml's composer with a resolver that only marks plain scalars."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return SEQ if kind is yaml.SequenceNode else MAP

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass
