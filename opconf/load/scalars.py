"""YAML scalars with JSON semantics, and libyaml's composer set up to resolve nothing itself.

Plain scalars resolve by YAML 1.2 rules with JSON semantics: only ``true``/``false`` are
booleans, only ``null``/``~``/empty are null, decimal integers and floats are numbers;
``yes``, ``NO``, ``on``, ``2024-01-01``, ``1_000``, ``0x1F`` stay strings.

Numbers are exact: an integer is an ``int`` (a ``Decimal`` past Python's int-from-text digit
limit), any other number a ``Decimal``, never a float. How large a number may be is the
schema's business (the store's columns), not the reader's.
"""

from __future__ import annotations

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
    "tag:yaml.org,2002:float": Decimal,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
}
INT = re.compile(r"[-+]?[0-9]+")
FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
NUMBER_START = frozenset("-+.0123456789")
# int("...") refuses more digits than this (CVE-2020-10735); longer integers stay Decimal.
INT_DIGITS = 4300


def short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/name`` → ``!!python/name``, as the user wrote it."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def plain_scalar(value: str) -> Any:
    """Resolve an untagged plain scalar (YAML 1.2, JSON semantics)."""
    if not value:
        return None
    if value[0] in NUMBER_START:
        if INT.fullmatch(value):
            return int(value) if len(value) <= INT_DIGITS else Decimal(value)
        if FLOAT.fullmatch(value):
            return Decimal(value)  # exact: 0.1 is 0.1, 1e400 is 1e400 (no float anywhere)
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value == "null" or value == "~":
        return None
    # Configurations repeat the same few thousand strings (types, codes, logins) many times.
    return intern(value)


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
