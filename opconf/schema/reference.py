"""``docs/reference.md``: every kind and field, from the generated schemas (the models).

Each field's type, whether it is required or its default, its description and the rule codes
that can report on it: the schema's codes follow from its keywords, the semantic rules' from
:data:`SEMANTIC`. ``tests/test_reference.py`` fails when the page drifts from the models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from opconf.kinds import KINDS, PROJECT_SCHEMA, REFS_SCHEMA, SCHEMA_NAMES

Schema = dict[str, Any]

# The semantic rules (docs/rules.md) by the field they report on: (object, field) → codes.
SEMANTIC: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "key"): ("OPC201",),
    ("*", "name"): ("OPC202",),
    ("*", "previousKeys"): ("OPC230", "OPC231"),
    ("Product", "code"): ("OPC203",),
    ("Product", "type"): ("OPC253",),
    ("Product", "active"): ("OPC212",),
    ("OpportunityTemplate", "active"): ("OPC212",),
    ("Member", "user"): ("OPC240", "OPC250", "OPC251"),
    ("Member", "role"): ("OPC241", "OPC252"),
    ("OpportunityTemplate", "defaultCoverageGroup"): ("OPC211",),
    ("OpportunityTemplate", "products"): ("OPC210", "OPC212", "OPC213"),
    ("OpportunityTemplate", "stages"): ("OPC222", "OPC223", "OPC224", "OPC225"),
    ("Stage", "key"): ("OPC220",),
    ("Stage", "probability"): ("OPC226", "OPC227", "OPC228"),
    ("Stage", "outcome"): ("OPC222", "OPC223", "OPC224", "OPC225"),
    ("Stage", "previousKeys"): ("OPC230", "OPC231"),
    ("Stage", "replaces"): ("OPC232", "OPC233"),
    ("Step", "key"): ("OPC221",),
    ("Step", "type"): ("OPC229",),
    ("Step", "assignee"): ("OPC229", "OPC250", "OPC251", "OPC252"),
    ("RoleAssignee", "role"): ("OPC252",),
    ("UserAssignee", "user"): ("OPC250", "OPC251"),
    ("opconf.yaml", "defaultTarget"): ("OPC280",),
    ("opconf.yaml", "freeze"): ("OPC281", "OPC282", "OPC283", "OPC284"),
    ("opconf.yaml", "drift"): ("OPC285",),
}
# A schema keyword → the code reporting a value that breaks it.
_KEYWORD_CODES = {
    "enum": "OPC104",
    "const": "OPC104",
    "pattern": "OPC105",
    "minimum": "OPC106",
    "maximum": "OPC106",
    "minLength": "OPC107",
    "maxLength": "OPC107",
    "minItems": "OPC108",
    "maxItems": "OPC108",
}

HEADER = """\
<!-- Generated from opconf/models.py by opconf/schema/reference.py: do not edit by hand.
     Regenerate with `OPCONF_REGEN=1 .venv/bin/python -m pytest tests/test_reference.py`. -->
# Field reference

Every kind of document, every field: its type, whether it is required (else its default),
what it means, and the codes of the rules that can report on it ([docs/rules.md](rules.md)).
Any field can also be reported as the wrong type (OPC103); a field not listed is unknown
(OPC102); a required field that is absent is OPC101. Editors get the same descriptions from
the schemas under `schemas/` and from `opconf lsp`.
"""


def resolve(root: Schema, schema: Schema) -> Schema:
    """``schema``, or what its ``$ref`` points at."""
    if "$ref" in schema:
        return resolve(root, root["$defs"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


def type_text(root: Schema, schema: Schema) -> str:
    """How a field's type reads: ``string``, ``list of Stage``, ``"owner" or RoleAssignee``."""
    if "$ref" in schema:
        return str(resolve(root, schema).get("title") or type_text(root, resolve(root, schema)))
    if schema.get("type") == "array":
        return f"list of {type_text(root, schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(type_text(root, option) for option in schema["anyOf"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(f"`{v}`" for v in schema["enum"])
    return str(schema.get("type", "value"))


def expected_reference() -> str:
    """The page as the models give it now."""
    from opconf.schema.generate import expected_files

    return reference({name: json.loads(text) for name, text in expected_files().items()})


def reference(schemas: dict[str, Schema]) -> str:
    """The page, from the schemas by file name (:func:`opconf.schema.generate.expected_files`)."""
    parts = [HEADER]
    for kind in KINDS:
        root = schemas[f"{SCHEMA_NAMES[kind]}.schema.json"]
        parts.extend(_sections(root, root, kind, f"`kind: {kind}`", 2))
    files = (("opconf.yaml", PROJECT_SCHEMA), ("opconf.refs.yaml", REFS_SCHEMA))
    for title, stem in files:
        root = schemas[f"{stem}.schema.json"]
        parts.extend(_sections(root, root, title, f"the file `{title}`", 2))
    return "\n".join(parts)


def _sections(root: Schema, schema: Schema, name: str, what: str, level: int) -> Iterator[str]:
    yield f"{'#' * level} {name}\n"
    about = str(schema.get("description", "")).replace("``", "`").replace("\n", " ")
    yield f"{about} ({what})\n" if about else f"({what})\n"
    yield "| field | type | required / default | description | rules |"
    yield "|---|---|---|---|---|"
    nested: list[tuple[str, Schema, str]] = []
    required = set(schema.get("required", []))
    for field, spec in schema.get("properties", {}).items():
        yield _row(root, name, field, spec, field in required)
        for inner_name, inner in _objects(root, spec):
            nested.append((inner_name, inner, f"in `{field}` of {name}"))
    yield ""
    for inner_name, inner, where in nested:
        yield from _sections(root, inner, inner_name, where, min(level + 1, 4))


def _objects(root: Schema, spec: Schema) -> Iterator[tuple[str, Schema]]:
    """The object schemas a field holds (directly, as list items, as one of several forms)."""
    options = spec.get("anyOf", [spec.get("items", spec)])
    for option in options:
        target = resolve(root, option)
        if "properties" in target:
            yield str(target.get("title") or option.get("$ref", "").rsplit("/", 1)[-1]), target


def _row(root: Schema, owner: str, field: str, spec: Schema, required: bool) -> str:
    default = "required" if required else "optional"
    if "default" in spec:
        default = f"default `{json.dumps(spec['default'])}`"
    text = str(spec.get("description", "")).replace("|", "\\|").replace("\n", " ")
    if spec.get("examples"):
        shown = ", ".join(f"`{json.dumps(e)}`" for e in spec["examples"])
        text += f" Example: {shown}."
    codes = ", ".join(_codes(root, owner, field, spec, required))
    shown_type = type_text(root, spec).replace("|", "\\|")
    return f"| `{field}` | {shown_type} | {default} | {text} | {codes} |"


def _codes(root: Schema, owner: str, field: str, spec: Schema, required: bool) -> list[str]:
    found = {"OPC101"} if required else set()
    for schema in (spec, spec.get("items", {})):
        found.update(code for key, code in _KEYWORD_CODES.items() if key in resolve(root, schema))
    if owner in KINDS:  # a document: the envelope's codes, and the rules every kind shares
        found.update(SEMANTIC.get((owner, field), SEMANTIC.get(("*", field), ())))
        envelope = {"apiVersion": "OPC010", "kind": "OPC011"}
        if field in envelope:
            found = {envelope[field]}
    else:
        found.update(SEMANTIC.get((owner, field), ()))
    return sorted(found)
