"""The one ruamel.yaml set-up behind every YAML file opconf writes (fmt, export, refs pull).

ruamel.yaml's own resolver reads YAML 1.2 with extras (``NULL``, ``True``, ``.NaN``, ``1_000``,
timestamps) and switches to YAML 1.1 rules under a ``%YAML 1.1`` directive (``N`` is false).
opconf's reader (:mod:`opconf.load.scalars`) does neither: only ``true``/``false``, ``null``/
``~``/empty and JSON-like numbers are not strings, whatever the directive. A round trip through
ruamel's resolver would therefore rewrite values (``code: NULL`` became ``code:``). So:

- :class:`Resolver` resolves plain scalars exactly as opconf's reader does, for every version;
- those plain scalars load as :class:`Verbatim` (their text and tag) and are written back as
  that text, so ``1.50``, ``+5``, ``~`` or an over-long decimal are kept character for
  character (no float anywhere);
- every other plain scalar is a string, and a string the reader would take for something else
  (``'123'``, ``'true'``) is quoted on the way out, because the same resolver decides.

Core only: never prints, never exits.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tag import Tag

from opconf.load.scalars import FLOAT

WIDTH = 100
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"


_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in (
    (NULL, r"^(?:~|null|)$", "~n"),
    (BOOL, r"^(?:true|false)$", "tf"),
    (INT, r"^[-+]?[0-9]+$", "-+0123456789"),
    (FLOAT_TAG, f"^{FLOAT.pattern}$", "-+.0123456789"),
):
    for _char in [*_first, ""] if _tag == NULL else _first:
        _IMPLICIT.setdefault(_char, []).append((_tag, re.compile(_pattern)))


class Resolver(VersionedResolver):
    """Plain scalars resolved as opconf's reader resolves them, whatever ``%YAML`` says.

    (The directive still reaches ruamel's scanner, as it reaches libyaml's.)
    """

    @property
    def versioned_resolver(self) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
        return _IMPLICIT


class Verbatim:
    """A null, boolean or number exactly as written: its text, its tag and its anchor."""

    __slots__ = ("_yaml_anchor", "tag", "text")

    def __init__(self, text: str, tag: str, anchor: str | None = None) -> None:
        self.text, self.tag = text, tag
        if anchor:
            setattr(self, Anchor.attrib, Anchor())
            getattr(self, Anchor.attrib).value = anchor

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verbatim) and (self.text, self.tag) == (other.text, other.tag)

    def __hash__(self) -> int:
        return hash((self.text, self.tag))

    def __repr__(self) -> str:
        return f"Verbatim({self.text!r})"


class Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps nulls, booleans and numbers as :class:`Verbatim`."""

    def construct_verbatim(self, node: ScalarNode) -> Verbatim:
        return Verbatim(node.value, str(node.tag), node.anchor)


for _tag in (NULL, BOOL, INT, FLOAT_TAG):
    Constructor.add_constructor(_tag, Constructor.construct_verbatim)


class Representer(RoundTripRepresenter):
    """Writes :class:`Verbatim` back as its own text."""

    def represent_verbatim(self, data: Verbatim) -> ScalarNode:
        anchor = getattr(data, Anchor.attrib, None)
        return self.represent_scalar(data.tag, data.text, anchor=anchor)


Representer.add_representer(Verbatim, Representer.represent_verbatim)


def make_yaml() -> YAML:
    """The house layout: 2-space mappings, list dashes indented by 2, lines up to 100."""
    yaml = YAML(typ="rt")
    yaml.Resolver = Resolver
    yaml.Constructor = Constructor
    yaml.Representer = Representer
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = WIDTH
    return yaml


def dump(data: Any, yaml: YAML | None = None) -> str:
    """One document's text in the house layout."""
    stream = io.StringIO()
    (yaml or make_yaml()).dump(data, stream)
    body = stream.getvalue()
    return body[: -len("...\n")] if body.endswith("\n...\n") else body  # after a ``|+`` scalar


def trimmed(body: str) -> str:
    """``body`` without white space at line ends. ruamel leaves a space where it wraps a plain
    scalar; that is no content (``fmt`` drops it too). Only for text whose block scalars have
    no line ending in white space (the emitter's callers here never write such a block)."""
    return "\n".join(line.rstrip(" ") for line in body.split("\n"))


# --- new documents: the same emitter, fed directly ------------------------------------------


def dump_plain(data: Any, yaml: YAML) -> str:
    """What :func:`dump` writes for ``data`` made only of mappings, lists, strings (plain, or
    ruamel's literal and double-quoted strings), :class:`Verbatim`, booleans and integers —
    without anchors or comments — at a third of the cost: the events ruamel's representer and
    serializer would produce, computed directly and fed to the same, identically set up
    emitter. (A test holds the two equal.) For ``export``, which writes thousands of files."""
    stream = io.StringIO()
    serializer, _, emitter = yaml.get_serializer_representer_emitter(stream, None)
    try:
        serializer.open()
        emitter.emit(DocumentStartEvent(explicit=None, version=None, tags=None))
        for event in _events(data):
            emitter.emit(event)
        emitter.emit(DocumentEndEvent(explicit=None))
        serializer.close()
    finally:
        emitter.dispose()
        del yaml._serializer, yaml._emitter  # as YAML.dump leaves it: the next dump starts anew
    body = stream.getvalue()
    return body[: -len("...\n")] if body.endswith("\n...\n") else body


_TAGS = {name: Tag(suffix=name) for name in (STR, NULL, BOOL, INT, FLOAT_TAG)}


def _events(data: Any) -> Iterator[Event]:
    if isinstance(data, CommentedMap):
        flow = bool(data.fa.flow_style(False))
        yield MappingStartEvent(None, None, True, flow_style=flow, nr_items=len(data))
        for key, value in data.items():
            yield from _events(key)
            yield from _events(value)
        yield MappingEndEvent()
    elif isinstance(data, CommentedSeq):
        yield SequenceStartEvent(None, None, True, flow_style=bool(data.fa.flow_style(False)))
        for item in data:
            yield from _events(item)
        yield SequenceEndEvent()
    else:
        yield _scalar(data)


def _scalar(data: Any) -> ScalarEvent:
    if isinstance(data, Verbatim):
        tag, text, style = data.tag, data.text, None
    elif isinstance(data, bool):
        tag, text, style = BOOL, "true" if data else "false", None
    elif isinstance(data, int):
        tag, text, style = INT, str(data), None
    elif isinstance(data, str):
        tag, text = STR, str(data)
        style = getattr(data, "style", None) if isinstance(data, ScalarString) else None
    else:
        raise TypeError(f"cannot emit {type(data).__name__} directly")
    detected = detect_tag(text)
    implicit = (detected == tag, tag == STR, True)
    return ScalarEvent(None, _TAGS[tag], implicit, text, style=style)


def detect_tag(text: str) -> str:
    """The tag opconf's reader gives a plain scalar ``text`` (the serializer's question)."""
    for tag, pattern in _IMPLICIT.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return STR
