"""The fast path of the one emitter for new documents (``export``): what :func:`dump_plain`
writes, without running ruamel.yaml's emitter over every character.

ruamel's emitter examines each character it writes (for 10,000 documents, most of export's
time). But the documents export builds are plain canonical data in the house layout, and the
layout is fixed: block mappings indented by 2, block lists with their dashes indented by 2,
flow collections on one line. So the layout is written here directly, and each value is
either a *trivial* scalar — one that ruamel writes as itself, plain, on the current line,
which a conservative check recognises — or is handed to ruamel: that value alone is emitted
by :func:`dump_plain` in a skeleton document that puts it at the same place (same keys above
it, same indentation, same column), and its text is cut out of the result (memoised).
ruamel therefore decides every non-trivial value; nothing here decides a quoting style, a
block scalar or a line wrap. A document this module cannot lay out (a shape export never
builds) is emitted whole by :func:`dump_plain`. A property test holds the output
byte-identical to ruamel's full emission. Core only: never prints, never exits.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from opconf.emit.engine import WIDTH, Verbatim, detect_tag, dump_plain

Tree = dict[str, Any]
# Where a value sits: from the root, a mapping entry (its key, whether it is the mapping's
# first) or a list item (None). It fixes the value's indentation and column.
Frame = tuple[str, bool] | None
Frames = tuple[Frame, ...]

# Trivial: starts with a letter, ends with a letter, digit, '.' or ')', and holds only
# letters, digits, spaces and ``_.()/-;'`` (in block context ``,`` too) — no indicator, no
# ``: `` or `` #``, no line break, no edge space. Unicode letters included.
_PLAIN_BLOCK = re.compile(r"[^\W\d_](?:[\w .,;'()/-]*[\w.)])?")
_PLAIN_FLOW = re.compile(r"[^\W\d_](?:[\w .;'()/-]*[\w.)])?")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# Words some YAML reader takes for a boolean or null: never trivial, whatever the resolver.
_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"])
_MEMO_SIZE = 20_000


class FlowMap(dict[str, Any]):
    """A mapping written in flow style: ``{user: ajones, role: advisor}``."""


class FlowSeq(list[Any]):
    """A list written in flow style: ``[checking, savings]``."""


def commented(data: Any) -> Any:
    """ruamel's round-trip form of a tree (flow style kept), as ruamel's own dump takes it."""
    if isinstance(data, dict):
        out: CommentedMap | CommentedSeq = CommentedMap((k, commented(v)) for k, v in data.items())
    elif isinstance(data, list):
        out = CommentedSeq(commented(item) for item in data)
    else:
        return data
    if isinstance(data, FlowMap | FlowSeq):
        out.fa.set_flow_style()
    return out


class _Unlaid(Exception):
    """A shape this module does not lay out: the document goes to ruamel whole."""


def dump_direct(data: Tree, yaml: YAML) -> str:
    """What ``dump_plain(commented(data), yaml)`` writes, for a document ``export`` builds:
    dicts, lists, :class:`FlowMap`, :class:`FlowSeq`, strings (plain, or ruamel's literal and
    double-quoted ones), :class:`Verbatim`, booleans and integers."""
    out: list[str] = []
    try:
        _mapping(data, 0, (), out, yaml, inline=False)
    except _Unlaid:
        return dump_plain(commented(data), yaml)
    return "".join(out) if out else dump_plain(commented(data), yaml)


def _mapping(
    data: Tree, indent: int, frames: Frames, out: list[str], yaml: YAML, inline: bool
) -> None:
    """A block mapping's entries; with ``inline`` the first one goes on the current line."""
    first = True
    for key, value in data.items():
        if type(key) is not str or not _plain(key, True):
            raise _Unlaid
        if not (first and inline):
            out.append(" " * indent)
        out.append(key + ":")
        kind = type(value)
        if kind is dict and value:
            out.append("\n")
            _mapping(value, indent + 2, (*frames, (key, first)), out, yaml, inline=False)
        elif kind is list and value:
            out.append("\n")
            _sequence(value, indent + 2, (*frames, (key, first)), out, yaml)
        else:  # a leaf, inline for speed: this runs for every value of every document
            text = (value if _plain(value, False) else None) if kind is str else _trivial(value)
            if text is not None and indent + len(key) + len(text) < WIDTH - 2:
                out.append(f" {text}\n")
            else:
                out.append(_by_ruamel(value, (*frames, (key, first)), yaml))
        first = False


def _sequence(data: list[Any], dash: int, frames: Frames, out: list[str], yaml: YAML) -> None:
    """A block list's items, their dashes at column ``dash``."""
    here = (*frames, None)
    for item in data:
        out.append(" " * dash + "-")
        kind = type(item)
        if kind is dict and item:
            out.append(" ")
            _mapping(item, dash + 2, here, out, yaml, inline=True)
        elif kind is list and item:
            raise _Unlaid
        else:
            text = _trivial(item)
            if text is not None and dash + len(text) < WIDTH - 2:
                out.append(f" {text}\n")
            else:
                out.append(_by_ruamel(item, here, yaml))


_PLAIN: tuple[dict[str, bool], dict[str, bool]] = ({}, {})  # block, flow: string → trivial


def _plain(text: str, flow: bool) -> bool:
    """Whether ruamel writes ``text`` plain, as it is (short enough provided)."""
    known = _PLAIN[flow]
    if text not in known:
        if len(known) >= _MEMO_SIZE:
            known.clear()
        pattern = _PLAIN_FLOW if flow else _PLAIN_BLOCK
        known[text] = bool(pattern.fullmatch(text)) and text.lower() not in _WORDS
    return known[text]


def _trivial(value: Any, flow: bool = False) -> str | None:
    """The text ruamel writes for ``value`` on one line, when that is sure; else None."""
    kind = type(value)
    if kind is str:
        return value if _plain(value, flow) else None
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is Verbatim:
        sure = _NUMBER.fullmatch(value.text) and detect_tag(value.text) == value.tag
        return value.text if sure else None
    if kind is FlowMap and value:
        items = [(_trivial(k, True), _trivial(v, True)) for k, v in value.items()]
        texts = [f"{k}: {v}" for k, v in items if k is not None and v is not None]
        return "{" + ", ".join(texts) + "}" if len(texts) == len(items) else None
    if kind is FlowSeq and value:
        found = [_trivial(item, True) for item in value]
        texts = [text for text in found if text is not None]
        return "[" + ", ".join(texts) + "]" if len(texts) == len(found) else None
    return None


_MEMO: dict[tuple[Frames, Any], str] = {}


def _by_ruamel(value: Any, frames: Frames, yaml: YAML) -> str:
    """``value``'s text from ruamel: emitted at its place in a skeleton document."""
    memo = (frames, _identity(value))
    if memo not in _MEMO:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        before = _prefix(frames, yaml)
        text = dump_plain(commented(_skeleton(frames, value)), yaml)
        if not text.startswith(before):
            raise _Unlaid
        _MEMO[memo] = text[len(before) :]
    return _MEMO[memo]


def _prefix(frames: Frames, yaml: YAML) -> str:
    """The skeleton's text up to the value's place (after ``key:`` or ``-``)."""
    memo = (frames, None)
    if memo not in _MEMO:
        text = dump_plain(commented(_skeleton(frames, "x")), yaml)
        if not text.endswith(" x\n"):
            raise _Unlaid
        _MEMO[memo] = text[: -len(" x\n")]
    return _MEMO[memo]


def _skeleton(frames: Frames, value: Any) -> Any:
    """A document with ``value`` at the place ``frames`` name and nothing else after it."""
    for frame in reversed(frames):
        if frame is None:
            value = [value]
            continue
        key, first = frame
        node = {} if first else {"a" if key != "a" else "b": "x"}  # an entry before, as there
        node[key] = value
        value = node
    return value


def _identity(value: Any) -> Any:
    """A hashable stand-in telling apart every value the emitter writes differently."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return type(value).__name__, tuple((_identity(k), _identity(v)) for k, v in items)
    if isinstance(value, Verbatim):
        return "Verbatim", value.text, value.tag
    return type(value).__name__, getattr(value, "style", None), value
