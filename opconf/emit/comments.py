"""Comments and blank lines of a document, by owning entry: collected from the input, put
back into the output (see :mod:`opconf.emit.rewrite`). Core only: never prints, never exits.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from opconf.emit.engine import WIDTH, make_yaml
from opconf.emit.layout import FREE, KEEP, Entry, EntryPath, Layout, lines_of

Eol = tuple[int, int, str]  # column, spaces before it, text


@dataclass
class Notes:
    """The comments and blank lines of one document, by owning entry."""

    above: dict[EntryPath, list[str]] = field(default_factory=dict)
    eol: dict[EntryPath, list[Eol]] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)


def _eol_owners(entries: list[Entry]) -> dict[int, Entry]:
    """For each line, the innermost (then last) entry whose end-of-line comment sits on it."""
    owners: dict[int, Entry] = {}
    for entry in entries:
        for line in {entry.head, entry.eol}:
            if line not in owners or len(entry.path) >= len(owners[line].path):
                owners[line] = entry
    return owners


def identities(root: Node) -> dict[EntryPath, EntryPath]:
    """Each entry's path with list indexes replaced by the item's identity where its list
    has one (a ``key`` or ``user`` field, or the scalar itself, unique in the list), so a
    comment follows its item when items around it move or go."""
    out: dict[EntryPath, EntryPath] = {}
    _walk(root, ((), ()), out, set())
    return out


def _walk(
    node: Node, at: tuple[EntryPath, EntryPath], out: dict[EntryPath, EntryPath], seen: set[int]
) -> None:
    if id(node) in seen or getattr(node, "flow_style", False):
        return
    seen.add(id(node))
    path, ident = at
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                here = ((*path, key.value), (*ident, key.value))
                out[here[0]] = here[1]
                _walk(value, here, out, seen)
    elif isinstance(node, SequenceNode):
        names = [_identity(item) for item in node.value]
        unique = None not in names and len(set(names)) == len(names)
        for i, item in enumerate(node.value):
            here = ((*path, i), (*ident, names[i] if unique else i))
            out[here[0]] = here[1]
            _walk(item, here, out, seen)


def _identity(item: Node) -> tuple[str, str] | None:
    if isinstance(item, ScalarNode):
        return ("=", item.value)
    if isinstance(item, MappingNode):
        for key, value in item.value:
            if isinstance(key, ScalarNode) and key.value in ("key", "user"):
                return ("#", value.value) if isinstance(value, ScalarNode) else None
    return None


def by_identity(notes: Notes, root: Node) -> Notes:
    """``notes`` keyed by :func:`identities` of the document ``root``."""
    ids = identities(root)
    return Notes(
        {ids.get(p, p): t for p, t in notes.above.items()},
        {ids.get(p, p): t for p, t in notes.eol.items()},
        notes.tail,
    )


def collect(layout: Layout, start: int) -> Notes:
    """Give every comment and blank line of the document an owner (see the module docstring)."""
    entries, lines, notes = layout.entries, layout.lines, Notes()
    ranked = sorted(entries, key=lambda e: (e.head, len(e.path)))  # stable: document order
    heads, eol_owners = [e.head for e in ranked], _eol_owners(entries)
    for n in range(start, layout.end + 1):
        col = layout.comment_column(n)
        if col is None:
            continue
        text, before = lines[n][col:].rstrip(" \t"), lines[n][:col]
        owner = next((e for e in entries if e.flow and layout.inside(n, col, [e.flow])), None)
        if owner is None and before.strip() and n in eol_owners:
            gap = len(before) - len(before.rstrip(" \t"))
            notes.eol.setdefault(eol_owners[n].path, []).append((col, gap, text))
            continue
        index = bisect.bisect_right(heads, n)
        owner = owner or (ranked[index] if index < len(ranked) else None)
        if owner is None:
            notes.tail.append(lines[n].rstrip(" \t"))
        else:
            notes.above.setdefault(owner.path, []).append(text)
    return notes


def _with_eol(line: str, comments: list[Eol]) -> str:
    for col, gap, text in comments:  # keep an aligned comment's column when the line leaves room
        line = line.rstrip(" \t")
        line += " " * max(col - len(line) if col <= WIDTH else 0, gap) + text
    return line


def place(body: str, notes: Notes) -> list[tuple[str, int]]:
    """The dumped document with its comments back in place, each line with its kind."""
    root = next(iter(make_yaml().compose_all(body)))
    layout = Layout(root, lines_of(body))
    ids = identities(root)
    entries = {ids.get(e.path, e.path): e for e in layout.entries}
    indent: dict[int, int] = {}
    for entry in layout.entries:  # comments above a line align with its outermost entry
        indent[entry.head] = min(indent.get(entry.head, entry.column), entry.column)
    above: dict[int, list[str]] = {}
    for path, texts in sorted(notes.above.items(), key=lambda item: len(item[0])):
        if (owner := _find(entries, path)) is not None:
            above.setdefault(owner.head, []).extend(texts)
    eol: dict[int, list[Eol]] = {}
    for path, comments in notes.eol.items():
        if (owner := _find(entries, path)) is not None:
            eol.setdefault(owner.eol, []).extend(comments)
    out = []
    for n, line in enumerate(layout.lines):
        out += [((" " * indent[n] + text) if text else "", FREE) for text in above.get(n, [])]
        out.append((_with_eol(line, eol.get(n, [])), layout.kinds.get(n, FREE)))
    return out + [(text, FREE) for text in notes.tail]


def _find(entries: dict[EntryPath, Entry], path: EntryPath) -> Entry | None:
    """The entry at ``path``; an entry that moved (anchors): its closest surviving parent;
    None for an item that is gone (its identity is in no list): its comments go with it."""
    while path not in entries:
        if isinstance(path[-1], tuple):
            return None
        path = path[:-1]
    return entries[path]


def join(lines: list[tuple[str, int]]) -> str:
    """No trailing spaces, no runs of blank lines, nothing blank at either end of the file."""
    out: list[str] = []
    kinds: list[int] = []
    for text, kind in lines:
        if kind == FREE:
            text = text.rstrip(" \t")
            if not text and (not out or not out[-1] or kinds[-1] == KEEP):
                continue  # a blank line after a kept block scalar would become its content
        out.append(text)
        kinds.append(kind)
    while out and not out[-1] and kinds[-1] == FREE:
        out.pop()
        kinds.pop()
    return "\n".join(out) + "\n" if out else ""
