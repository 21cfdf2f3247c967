"""What may be typed at the cursor: keys from the workspace and the reference snapshot, the
assignee forms, enum values, field names."""

from __future__ import annotations

from dataclasses import dataclass

from opconf.authoring.cursor import Cursor
from opconf.authoring.fields import choices, object_schemas
from opconf.authoring.symbols import Occurrence, Symbol, fields, scalar
from opconf.kinds import API_VERSION, KINDS

# The field whose value names something → the kind of symbol it names.
_TARGETS = {
    "products": ("Product",),
    "defaultCoverageGroup": ("CoverageGroup",),
    "user": ("user",),
    "role": ("role",),
}


@dataclass(frozen=True)
class Candidate:
    label: str
    detail: str = ""
    insert: str | None = None  # when the text to insert is not the label
    field: bool = False  # a field name (else a value)


def complete(cursor: Cursor, occurrences: list[Occurrence]) -> list[Candidate]:
    """The candidates at ``cursor``, in a stable order (the editor filters by prefix)."""
    if not cursor.chain:
        return []
    if not cursor.value:
        return _field_names(cursor)
    target = _target(cursor)
    if target is not None:
        return _keys(occurrences, target)
    if cursor.chain[-1] == "assignee":
        return _assignees(occurrences)
    if cursor.kind is None and cursor.chain == ("kind",):
        return [Candidate(kind) for kind in KINDS]
    if cursor.chain == ("apiVersion",):
        return [Candidate(API_VERSION)]
    return [Candidate(value) for value in choices(cursor.kind, cursor.chain)]


def _target(cursor: Cursor) -> Symbol | None:
    name = cursor.chain[-1]
    if name == "type" and cursor.kind == "Product" and len(cursor.chain) == 1:
        return ("productType",)
    if name == "replaces" and cursor.template:
        return ("Stage", cursor.template)
    return _TARGETS.get(name)


def label(occurrence: Occurrence) -> str:
    """The display name of what a definition defines (``name``, ``displayName``)."""
    parts = fields(occurrence.mapping)
    return scalar(parts.get("name")) or scalar(parts.get("displayName")) or ""


def _keys(occurrences: list[Occurrence], target: Symbol) -> list[Candidate]:
    found: dict[str, Candidate] = {}
    for o in occurrences:
        if o.definition and o.symbol[:-1] == target and o.text not in found:
            found[o.text] = Candidate(o.text, label(o))
    return sorted(found.values(), key=lambda c: c.label)


def _assignees(occurrences: list[Occurrence]) -> list[Candidate]:
    out = [Candidate("owner", "the opportunity's owner")]
    for kind in ("role", "user"):
        for key in _keys(occurrences, (kind,)):
            text = f"{{{kind}: {key.label}}}"
            out.append(Candidate(text, key.detail))
    if len(out) == 1:  # no reference snapshot: the forms, to fill in
        out += [Candidate("{role: }", "a coverage role"), Candidate("{user: }", "a CRM login")]
    return out


def _field_names(cursor: Cursor) -> list[Candidate]:
    if cursor.kind not in KINDS:
        return [Candidate(name, insert=f"{name}: ", field=True) for name in ("apiVersion", "kind")]
    out: dict[str, Candidate] = {}
    for schema in object_schemas(cursor.kind, cursor.chain[:-1]):
        for name, spec in schema.get("properties", {}).items():
            detail = str(spec.get("description", "")).split(". ")[0]
            out.setdefault(name, Candidate(name, detail, insert=f"{name}: ", field=True))
    return list(out.values())
