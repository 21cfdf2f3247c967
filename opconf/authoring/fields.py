"""What a field is, from the generated JSON Schemas: its description, type, default, choices.

The same text the schemas give yaml-language-server, so hover reads alike in every editor.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from opconf.kinds import KINDS
from opconf.schema.reference import resolve, type_text


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    from opconf.schema.generate import document_schema

    # A copy through JSON: the cached value is shared and must not be changed by a caller.
    schema: dict[str, Any] = json.loads(json.dumps(document_schema(kind), default=str))
    return schema


def field_schema(kind: str | None, chain: Sequence[str]) -> dict[str, Any] | None:
    """The schema of the field at ``chain`` (``["stages", "steps", "type"]``) of ``kind``."""
    if kind not in KINDS or not chain:
        return None
    root = _schema(str(kind))
    node: dict[str, Any] | None = root
    for name in chain:
        node = next((o["properties"][name] for o in objects(root, node) if _has(o, name)), None)
        if node is None:
            return None
    return node


def object_schemas(kind: str | None, chain: Sequence[str]) -> list[dict[str, Any]]:
    """The object schemas a mapping at ``chain`` can be (the document itself for ``[]``)."""
    if kind not in KINDS:
        return []
    root = _schema(str(kind))
    node = field_schema(kind, chain) if chain else root
    return list(objects(root, node))


def _has(schema: dict[str, Any], name: str) -> bool:
    return name in schema.get("properties", {})


def objects(root: dict[str, Any], node: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """The object schemas reached from ``node`` through $ref, array items and anyOf."""
    if node is None:
        return
    if "$ref" in node:
        yield from objects(root, resolve(root, node))
    elif node.get("type") == "array":
        yield from objects(root, node.get("items"))
    elif "anyOf" in node or "oneOf" in node:
        for option in node.get("anyOf", node.get("oneOf", [])):
            yield from objects(root, option)
    elif "properties" in node:
        yield node


def choices(kind: str | None, chain: Sequence[str]) -> list[str]:
    """The values an enum, a constant or a boolean field can take."""
    schema = field_schema(kind, chain)
    if schema is None:
        return []
    return _choices(_schema(str(kind)), schema)


def _choices(root: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        return _choices(root, resolve(root, schema))
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    if "const" in schema:
        return [str(schema["const"])]
    if schema.get("type") == "boolean":
        return ["true", "false"]
    out: list[str] = []
    for option in schema.get("anyOf", []):
        out.extend(_choices(root, option))
    return out


def describe(kind: str | None, chain: Sequence[str]) -> str | None:
    """Markdown for the field at ``chain``: description, type, choices, default, examples."""
    schema = field_schema(kind, chain)
    if schema is None:
        return None
    lines = [f"**{chain[-1]}** ({type_text(_schema(str(kind)), schema)})"]
    if schema.get("description"):
        lines += ["", str(schema["description"])]
    if "enum" in resolve(_schema(str(kind)), schema):
        lines += ["", "One of: " + ", ".join(f"`{v}`" for v in choices(kind, chain))]
    if "default" in schema:
        lines += ["", f"Default: `{json.dumps(schema['default'])}`"]
    if schema.get("examples"):
        lines += ["", "Examples: " + ", ".join(f"`{json.dumps(e)}`" for e in schema["examples"])]
    return "\n".join(lines)
