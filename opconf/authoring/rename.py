"""Renaming a key in place: every reference follows, the old key joins ``previousKeys``.

Objects (products, coverage groups, templates) and stages carry ``previousKeys``, which makes
the plan a rename (the store row and its history kept) rather than a delete and a create.
Edits are spliced into the text at node marks, so comments and layout survive.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from opconf.authoring.symbols import Occurrence, Span, fields, items, of_symbol
from opconf.errors import UsageError

RENAMEABLE = ("Product", "CoverageGroup", "OpportunityTemplate", "Stage")


@dataclass(frozen=True)
class Edit:
    file: str
    span: Span
    text: str


def rename(
    occurrences: list[Occurrence], found: Occurrence, new: str, texts: dict[str, str]
) -> list[Edit]:
    """The edits renaming ``found``'s symbol to ``new``; ``texts``: file → its current text.

    A usage error for something that cannot be renamed here or a key the grammar refuses.
    """
    from opconf.keys import KEY_RULE, is_key

    if found.symbol[0] not in RENAMEABLE:
        raise UsageError(
            f"a {found.symbol[0]} key cannot be renamed here",
            hint="only product, coverage group, template and stage keys have previousKeys",
        )
    if not is_key(new):
        raise UsageError(f"'{new}' is not a valid key", hint=f"keys are {KEY_RULE}")
    edits: list[Edit] = []
    for o in of_symbol(occurrences, found.symbol):
        suffix = _previous_key(o, texts[o.file], edits) if o.definition else ""
        edits.append(Edit(o.file, o.span, new + suffix))
    return edits


def _previous_key(o: Occurrence, text: str, edits: list[Edit]) -> str:
    """Add the old key to ``previousKeys``: an edit of its own into an existing list, else the
    text that follows the new key (a new field right after ``key``)."""
    old = o.text
    previous = fields(o.mapping).get("previousKeys")
    if isinstance(previous, yaml.SequenceNode):
        if any(getattr(item, "value", None) == old for item in items(previous)):
            return ""
        edits.append(_append(o.file, previous, old, text))
        return ""
    if o.mapping.flow_style:
        return f", previousKeys: [{old}]"
    return f"\n{' ' * _key_column(o)}previousKeys: [{old}]"


def _key_column(o: Occurrence) -> int:
    """The column of the ``key`` field naming ``o`` (its siblings are aligned on it)."""
    for key, value in o.mapping.value:
        if value.start_mark.line == o.span.line and value.start_mark.column == o.span.column:
            return int(key.start_mark.column)
    return 0


def _append(file: str, previous: yaml.SequenceNode, old: str, text: str) -> Edit:
    end = previous.end_mark
    listed = items(previous)
    if previous.flow_style:  # [a, b]: before the closing bracket
        at = Span(end.line, end.column - 1, end.line, end.column - 1)
        return Edit(file, at, f", {old}" if listed else old)
    last = listed[-1].end_mark
    line = text.split("\n")[listed[-1].start_mark.line]
    dash = len(line) - len(line.lstrip(" "))
    return Edit(
        file, Span(last.line, last.column, last.line, last.column), f"\n{' ' * dash}- {old}"
    )
