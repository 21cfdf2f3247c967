"""Generate ``schemas/*.schema.json`` from the pydantic models (one source of truth)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from opconf.errors import file_error
from opconf.fsio import MIB, read_bytes, write_text
from opconf.kinds import MAPPING_SCHEMA
from opconf.models import MODELS, SCHEMA_NAMES
from opconf.project_models import FILE_MODELS
from opconf.schema.drift_schema import drift_schema
from opconf.schema.plan_schema import plan_schema
from opconf.store.mapping_model import StoreMapping

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://opconf.dev/schemas/v1/"
_MAX_BYTES = MIB  # a generated schema is a few KiB


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, adjusted for hand-written YAML.

    Optional fields are *absent*, never ``null``: ``description: ~`` is a mistake worth
    reporting, so ``X | None = None`` becomes plain ``X`` in the schema.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        result = super().default_schema(schema)
        if result.get("default", ...) is None:
            del result["default"]
        return result

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def document_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one document kind."""
    return model_schema(MODELS[kind], SCHEMA_NAMES[kind])


def model_schema(model: type[BaseModel], stem: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``model``, published as ``<stem>.schema.json``."""
    body = model.model_json_schema(schema_generator=_Generator)
    return {"$schema": DRAFT, "$id": f"{BASE_URI}{stem}.schema.json", **body}


def any_document_schema() -> dict[str, Any]:
    """One schema for any opconf document, dispatching on ``kind`` (for editors)."""
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URI}opconf.schema.json",
        "title": "opconf document",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"kind": {"enum": list(MODELS)}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"{SCHEMA_NAMES[kind]}.schema.json"},
            }
            for kind in MODELS
        ],
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """File name → content of every generated schema."""
    files = {f"{SCHEMA_NAMES[k]}.schema.json": render(document_schema(k)) for k in MODELS}
    files["opconf.schema.json"] = render(any_document_schema())
    # opconf's own files (opconf.yaml, opconf.refs.yaml), validated like documents.
    files.update({f"{s}.schema.json": render(model_schema(m, s)) for s, m in FILE_MODELS.items()})
    files[f"{MAPPING_SCHEMA}.schema.json"] = render(model_schema(StoreMapping, MAPPING_SCHEMA))
    files["plan.schema.json"] = render(
        {"$schema": DRAFT, "$id": f"{BASE_URI}plan.schema.json", **plan_schema()}
    )
    files["drift.schema.json"] = render(
        {"$schema": DRAFT, "$id": f"{BASE_URI}drift.schema.json", **drift_schema()}
    )
    return files


def write(directory: Path, files: dict[str, str]) -> list[str]:
    """Write the files that differ (each atomically); return their names."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(exc, directory, "create") from None
    changed = []
    for name, text in sorted(files.items()):
        if _current(directory / name) != text:
            write_text(directory / name, text)
            changed.append(name)
    return changed


def drifted(directory: Path, files: dict[str, str]) -> list[str]:
    """Names of the files that are missing or differ from what the models generate."""
    return [name for name, text in sorted(files.items()) if _current(directory / name) != text]


def _current(path: Path) -> str | None:
    """The text of a schema file as it is now; None when there is none."""
    if not os.path.lexists(path):
        return None
    return read_bytes(path, _MAX_BYTES).decode("utf-8", errors="replace")
