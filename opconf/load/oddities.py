"""Three places where libyaml reads valid YAML 1.2 differently from the specification.

Found with the official yaml-test-suite; each would be read *silently wrong*, so each is read
right or refused with a located error:

- ``a: ! 12``: the non-specific tag ``!`` makes a plain scalar text (``"12"``); libyaml
  resolves it as if untagged (the number 12). Read right: such scalars are text.
- ``key: &an:chor value``: YAML 1.2 anchor names may hold ``:``; libyaml ends the name there
  and reads ``:chor value`` as the value. Refused (OPC002).
- ``a: [?x]``: ``?x`` is a plain scalar in a flow sequence; libyaml reads a mapping
  ``{x: null}``. Refused (OPC002).

The events are read (a second, event-only parse) only for text the cheap pattern below finds
suspicious, so ordinary files pay one regular-expression search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

_SUSPECT = re.compile(
    r"(?:^|[\s\[{,])!(?=[\s\]},]|$)"  # a lone '!'
    r"|&[A-Za-z0-9_-]+[^\s\[\]{},A-Za-z0-9_-]"  # an anchor name that goes on
    r"|[\[,]\s*\?\S",  # '?x' in a flow collection
    re.M,
)
_ANCHOR_END = re.compile(r"[\s\[\]{},]|$")


@dataclass
class Oddities:
    """Character offsets of scalars tagged ``!``, and the problems found (offset, message)."""

    nonspecific: set[int] = field(default_factory=set)
    problems: list[tuple[int, str]] = field(default_factory=list)


def find(text: str) -> Oddities:
    """What :mod:`opconf.load.yamlread` must read differently from libyaml, or refuse."""
    found = Oddities()
    if not _SUSPECT.search(text):
        return found
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            _check(text, event, found)
    except yaml.YAMLError:
        pass  # the real read reports it, located
    return found


def _check(text: str, event: yaml.Event, found: Oddities) -> None:
    assert event.start_mark is not None  # libyaml marks every event
    start = event.start_mark.index
    if isinstance(event, yaml.ScalarEvent) and event.tag == "!":
        found.nonspecific.add(start)
    anchor = getattr(event, "anchor", None)
    if anchor:
        at = text.find(f"&{anchor}", start)
        after = at + 1 + len(anchor)
        if at >= 0 and not _ANCHOR_END.match(text, after):
            message = (
                f"anchor '{_word(text, at)}': opconf's YAML reader ends anchor names at"
                f" '{text[after]}'; name anchors with letters, digits, '-' and '_' only"
            )
            found.problems.append((at, message))
    flow_mapping = isinstance(event, yaml.MappingStartEvent) and event.flow_style
    if flow_mapping and text.startswith("?", start) and not text[start + 1 : start + 2].isspace():
        word = _word(text, start)
        message = (
            f"'{word}' in a flow collection would be read as a mapping key; quote it"
            f" ('{word}') for text, or write '? {word[1:]}' for a key"
        )
        found.problems.append((start, message))


def _word(text: str, at: int) -> str:
    """The token that starts at ``at``: up to white space or a flow indicator."""
    end = _ANCHOR_END.search(text, at + 1)
    return text[at : end.start() if end else len(text)]
