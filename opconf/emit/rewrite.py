"""Comment-preserving rewrites of YAML text (ruamel.yaml round-trip): generic, no opconf knowledge.

ruamel.yaml's round-trip mode keeps quoting, ``>-`` folded scalars, flow style and anchors,
but it attaches a comment to whatever node *precedes* it (a comment above ``key:`` belongs to
the previous key's value, possibly deep inside a nested list), so reordering keys would move
comments to the wrong place. :func:`rewrite` therefore takes comments over itself:

1. compose the text to find every comment and blank line and give it an owner by position: a
   full-line comment belongs to the outermost entry (mapping key or list item) starting on
   the next content line, an end-of-line comment to the innermost entry on its line;
2. drop ruamel's comments, reorder the mappings, dump each document;
3. compose the output and put every comment back next to the entry (by path) that owns it.

Lines before a document's first key (the ``# yaml-language-server: $schema=...`` modeline,
``---``) and after its last value stay where they are. Comments inside a multi-line flow
collection go above its entry; a comment above a key that becomes the first of its list item
goes above the item. Core only: never prints, never exits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node

from opconf.emit.comments import by_identity, collect, join, place
from opconf.emit.engine import dump, make_yaml
from opconf.emit.keep import keep_lines
from opconf.emit.layout import FREE, Layout, is_empty, lines_of
from opconf.load.tabs import read_again

_MARKER = re.compile(r"---(\s|$)")  # a document start line
_MODELINE = "# yaml-language-server:"
_TAB = "found character '\\t' that cannot start any token"
_BREAK = "\r\n|[\n\r\x85\u2028\u2029]"  # what ruamel.yaml counts as a line break
_LINES = re.compile(f"[^\n\r\x85\u2028\u2029]*(?:{_BREAK})|[^\n\r\x85\u2028\u2029]+$")


class CannotFormat(Exception):
    """The text is not YAML fmt can read; ``line`` and ``column`` are 1-based."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(f"{line}:{column}: {reason}")
        self.line, self.column, self.reason = line, column, reason


def rewrite(text: str, change: Callable[[Any], object]) -> str:
    """Apply ``change`` to each document's round-trip data, dump it in the house layout.

    Every comment and blank line follows the mapping entry or list item that owns it (see the
    module docstring). Raises :class:`CannotFormat` when ``text`` is not YAML.
    """
    text = text.removeprefix("\ufeff")  # ruamel drops the byte order mark: so do the lines
    lines = lines_of(text)
    roots, docs = _parse(text)
    out: list[tuple[str, int]] = []
    done = 0  # lines before ``done`` are in ``out``
    for root, doc in zip(roots, docs, strict=True):
        if is_empty(root):
            continue  # an empty document: its lines are copied with the next gap
        layout = Layout(root, lines)
        out += [(line, FREE) for line in lines[done : root.start_mark.line]]
        notes = by_identity(collect(layout, root.start_mark.line), root)
        _prepare(doc, set())
        change(doc)
        out += place(dump(doc), notes)
        done = layout.end + 1
    return join(out + [(line, FREE) for line in lines[done:]])


def _parse(text: str) -> tuple[list[Node], list[Any]]:
    """Composed and loaded. ruamel.yaml refuses a tab between a value and its comment,
    which YAML allows (libyaml, and so validation, reads it): each such tab is read as a
    space — outside any scalar (that is where the error points), on the same column; so are
    the tabs of a blank line and after a ``-`` where it stops (:mod:`opconf.load.tabs`)."""
    for _ in range(text.count("\t") + 1):
        try:
            return _parse_once(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            at = mark.index if mark is not None else -1
            if exc.problem == _TAB and _before_comment(text, at):
                text = text[:at] + " " + text[at + 1 :]
                continue
            fixed = read_again(text, exc)
            if fixed is None:
                raise
            text = fixed
    raise AssertionError("unreachable: each round replaces a tab")  # pragma: no cover


def _before_comment(text: str, at: int) -> bool:
    """A tab at ``at`` with only white space then a comment (or the line's end) after it.
    ruamel.yaml also stops at a tab inside a plain scalar (``0\t0``): that one is content, so
    fmt refuses the file rather than change the value."""
    if not (0 <= at < len(text) and text[at] == "\t"):
        return False
    rest = text[at:].lstrip(" \t")
    return not rest or rest[0] in "#\r\n"


def _parse_once(text: str) -> tuple[list[Node], list[Any]]:
    try:
        return list(make_yaml().compose_all(text)), list(make_yaml().load_all(text))
    except MarkedYAMLError as exc:
        at = exc.problem_mark.index if exc.problem_mark else -1
        if (exc.problem == _TAB and _before_comment(text, at)) or read_again(text, exc):
            raise
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.problem == _TAB:
            reason = "a tab inside an unquoted value, which fmt cannot keep: quote the value"
        raise CannotFormat(
            mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, reason
        ) from None
    except YAMLError as exc:  # the reader's: a character YAML does not allow
        before = text[: getattr(exc, "position", 0)]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise CannotFormat(line, column, str(exc).splitlines()[0]) from None


def _prepare(data: Any, seen: set[int]) -> None:
    """Drop ruamel's comments (fmt places them); keep anchors nothing refers to."""
    if id(data) in seen:
        return  # an alias: done already (and aliases may nest exponentially, or recurse)
    seen.add(id(data))
    anchor = getattr(data, Anchor.attrib, None)
    if anchor is not None and anchor.value:
        anchor.always_dump = True
    if isinstance(data, CommentedMap | CommentedSeq):
        data.ca.comment, data.ca.end = None, []
        data.ca.items.clear()
        for value in data.values() if isinstance(data, CommentedMap) else data:
            _prepare(value, seen)
    elif hasattr(data, "comment"):  # block scalars keep the comment after ``|``/``>``
        data.comment = None


def drop_documents(text: str, doomed: Callable[[Any], bool]) -> str | None:
    """``text`` without the documents ``doomed`` chooses; None when no document is left.

    The other documents stay byte for byte. A document takes with it its ``---`` line, the
    comments between that line and its content and those after it up to the next ``---``;
    the file's schema modeline stays when the first document goes. Raises
    :class:`CannotFormat` when ``text`` is not YAML.
    """
    chunks = _chunks(text.removeprefix("\ufeff"))
    if not any(doomed(d) for _, d in chunks):
        return text.removeprefix("\ufeff")
    if all(doomed(d) for _, d in chunks):
        return None
    out: list[str] = []
    first = True  # no document kept yet
    for i, (chunk, doc) in enumerate(chunks):
        lines = _LINES.findall(chunk)
        if doomed(doc):
            lines = [line for line in lines if not i and line.startswith(_MODELINE)]
        elif first and i and lines[0].strip() == "---":  # now the first: no separator above
            lines, first = lines[1:], False
        else:
            first = False
        out += lines
    return "".join(out)


def edit_documents(text: str, change: Callable[[Any], bool]) -> str:
    """``text`` with ``change`` applied to each document: a document ``change`` returns
    False for stays byte for byte; one it changed is dumped as :func:`rewrite` dumps it, in
    the line endings it had, but for the lines the change left as they were, which keep
    their bytes (:func:`opconf.emit.keep.keep_lines`). Raises :class:`CannotFormat` when
    ``text`` is not YAML."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    out = []
    for chunk, doc in _chunks(text.removeprefix("\ufeff")):
        if not change(doc):
            out.append(chunk)
            continue
        formatted = lines_of(rewrite(chunk, lambda _: None))
        done = "\n".join(keep_lines(lines_of(chunk), formatted, lines_of(rewrite(chunk, change))))
        done += "\n"
        out.append(done.replace("\n", "\r\n") if "\r\n" in chunk else done)
    return bom + "".join(out)


def _chunks(text: str) -> list[tuple[str, Any]]:
    """The text of each non-empty document (from its ``---`` line to the next one; the first
    from the file's start, the last to its end), with its round-trip data."""
    lines = _LINES.findall(text)  # with their breaks; indexes as ruamel.yaml counts lines
    roots, docs = _parse(text)
    kept = [(r, d) for r, d in zip(roots, docs, strict=True) if not is_empty(r)]
    if not kept:
        return [(text, None)]
    starts, previous = [], 0  # where each document's lines begin: its ``---`` line
    for root, _ in kept:
        gap = range(previous, root.start_mark.line + 1)
        starts.append(next((n for n in reversed(gap) if _MARKER.match(lines[n])), previous))
        previous = Layout(root, lines_of(text)).end + 1
    starts[0], ends = 0, [*starts[1:], len(lines)]
    return [("".join(lines[a:b]), doc) for a, b, (_, doc) in zip(starts, ends, kept, strict=True)]
