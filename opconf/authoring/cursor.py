"""Where the cursor is in a document being typed: its kind and the field path at the cursor.

Read from the text around the cursor (indentation, ``-`` items, flow ``{}``/``[]``), not from
a parse: half-typed YAML rarely parses, and completion is wanted exactly then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<dashes>(?:-(?:\s+|$))*)(?:(?P<key>\w+)\s*:(?:\s+|$)(?P<value>.*))?"
)
_WORD_BEFORE = re.compile(r"[\w.@-]*$")
_WORD_AFTER = re.compile(r"^[\w.@-]*")


@dataclass(frozen=True)
class Cursor:
    """``chain`` is the field path (``("stages", "steps", "assignee", "role")``); ``value``
    tells whether the cursor is on that field's value (else on its key, being typed)."""

    kind: str | None
    template: str | None  # the document's key
    chain: tuple[str, ...]
    value: bool
    prefix: str  # the part of the word before the cursor
    word: str  # the whole word under the cursor


def cursor_at(text: str, line: int, column: int) -> Cursor:
    lines = text.split("\n")
    current = lines[line] if line < len(lines) else ""
    start, end = _document(lines, line)
    before, after = current[:column], current[column:]
    prefix = _word(before, _WORD_BEFORE)
    word = prefix + _word(after, _WORD_AFTER)
    head = _LINE.match(current)
    assert head is not None  # every part of the pattern is optional
    content = head.end("dashes")
    parents = _ancestors(lines[start:line], head)
    owners, last_key, in_list = _scan(before[content : len(before) - len(prefix)])
    chain: tuple[str, ...]
    if in_list and last_key is None:
        chain, value = (*parents, *owners), True
    elif last_key is not None:
        chain, value = (*parents, *owners, last_key), True
    elif head.group("dashes") and not owners and ":" not in after.split("#")[0]:
        chain, value = tuple(parents), True  # an item of a block list
    else:
        chain, value = (*parents, *owners, word), False
    kind, template = _top(lines[start:end], "kind"), _top(lines[start:end], "key")
    return Cursor(kind, template, chain, value, prefix, word)


def _word(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    return match.group() if match else ""


def _document(lines: list[str], line: int) -> tuple[int, int]:
    """The lines of the document holding ``line`` (between ``---`` separators)."""
    start = line
    while start > 0 and not lines[start - 1].startswith("---"):
        start -= 1
    end = line + 1
    while end < len(lines) and not lines[end].startswith("---"):
        end += 1
    return start, end


def _top(lines: list[str], name: str) -> str | None:
    for text in lines:
        match = re.match(rf"^{name}\s*:\s*[\"']?([\w/.-]+)", text)
        if match:
            return match.group(1)
    return None


def _ancestors(above: list[str], head: re.Match[str]) -> list[str]:
    """The block keys holding the line ``head`` matched, outermost first (``above``: the
    document's lines before it), found by indentation: a key holds what is indented more,
    and a ``-`` list may sit at its own key's indentation."""
    dashed = bool(head.group("dashes"))
    column = len(head.group("indent")) if dashed or not head.group("key") else head.start("key")
    found: list[str] = []
    for text in reversed(above):
        parsed = _LINE.match(text)
        if parsed is None or not parsed.group("key") or _has_value(parsed):
            continue
        key_column = parsed.start("key")
        if key_column < column or (dashed and key_column == column):
            found.append(parsed.group("key"))
            dashed = bool(parsed.group("dashes"))
            column = len(parsed.group("indent")) if dashed else key_column
    return found[::-1]


def _has_value(parsed: re.Match[str]) -> bool:
    return bool(parsed.group("value").split("#")[0].strip())


def _scan(text: str) -> tuple[list[str], str | None, bool]:
    """Flow containers open before the cursor: their owning keys, the key whose value is
    being typed (None at a key or a list item) and whether the innermost one is a list."""
    stack: list[tuple[str | None, bool]] = []
    last: str | None = None
    for match in re.finditer(r"(\w+)\s*:(?=\s|$)|[{\[\]},]", text):
        token = match.group()
        if token in "{[":
            stack.append((last, token == "["))
            last = None
        elif token in "]}":
            if stack:
                last = stack.pop()[0]
        elif token == ",":
            last = None
        else:
            last = match.group(1)
    owners = [owner for owner, _ in stack if owner]
    return owners, last, bool(stack) and stack[-1][1]
