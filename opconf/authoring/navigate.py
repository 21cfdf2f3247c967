"""Hover, go to definition, find references: answers about the occurrence under the cursor."""

from __future__ import annotations

import os

from opconf.authoring.complete import label
from opconf.authoring.cursor import cursor_at
from opconf.authoring.fields import describe
from opconf.authoring.symbols import Occurrence, at, of_symbol

_WHAT = {
    "Product": "Product",
    "CoverageGroup": "CoverageGroup",
    "OpportunityTemplate": "OpportunityTemplate",
    "Stage": "stage",
    "user": "user",
    "role": "coverage role",
    "productType": "product type",
}


def under_cursor(
    occurrences: list[Occurrence], file: str, line: int, column: int
) -> Occurrence | None:
    return at([o for o in occurrences if o.file == file], line, column)


def definitions(occurrences: list[Occurrence], found: Occurrence) -> list[Occurrence]:
    return [o for o in of_symbol(occurrences, found.symbol) if o.definition]


def references(
    occurrences: list[Occurrence], found: Occurrence, declarations: bool = True
) -> list[Occurrence]:
    return [o for o in of_symbol(occurrences, found.symbol) if declarations or not o.definition]


def hover(
    occurrences: list[Occurrence], file: str, text: str, line: int, column: int
) -> str | None:
    """Markdown: what a referenced key names (its name and file), else the field's description."""
    found = under_cursor(occurrences, file, line, column)
    if found is not None:
        return _symbol_text(found, definitions(occurrences, found))
    cursor = cursor_at(text, line, column)
    return describe(cursor.kind, cursor.chain) if cursor.chain else None


def _symbol_text(found: Occurrence, defined: list[Occurrence]) -> str:
    what = _WHAT[found.symbol[0]]
    if found.symbol[0] == "Stage":
        what = f"stage of {found.symbol[1]}"
    head = f"**{what}** `{found.text}`"
    if not defined:
        return f"{head}: not defined in this project"
    lines = [head]
    for o in defined:
        name = label(o)
        where = f"{os.path.relpath(o.file)}:{o.span.line + 1}"
        lines.append(f"{name} ({where})" if name else where)
    return "\n\n".join(lines)
