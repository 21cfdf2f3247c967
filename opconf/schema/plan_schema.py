"""The JSON Schema of saved plans and ``plan --format json``, generated from the plan model.

The changes, details, errors and base are the dataclasses of :mod:`opconf.plan.model`
themselves (pydantic reads their fields); only the envelope that ``Plan.to_dict`` writes
around them (format version, digest, summary, unmanaged objects) is described here. Every
field the writer writes is required, and no other field is allowed; only a rollback's plan
writes a change's ``stage_returns`` (when it moves opportunities back) and the base's
``rollback`` (the revision it returns to), and only a partial plan the base's ``select`` (its
``--select`` patterns), so that these three are optional.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from opconf.kinds import KINDS
from opconf.plan.model import ACTIONS, FORMAT_VERSION, Base, Change, PlanError

Kind = Annotated[str, WithJsonSchema({"enum": list(KINDS)})]
Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]

# What the dataclasses' annotations do not say: Plan.to_dict writes ``destructive`` beside
# a change's fields, and a change is about one of the document kinds.
_REFINED: dict[type, dict[str, Any]] = {
    Change: {
        "kind": {"enum": list(KINDS)},
        "destructive": {"type": "boolean", "description": "deletes something"},
        "reverts": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 1},
            "description": "detail path → the revision since which the CRM changed that "
            "field (this apply reverts it)",
        },
    },
}


# Written only when not empty (see the module's docstring).
_OPTIONAL: dict[type, set[str]] = {Change: {"stage_returns"}, Base: {"rollback", "select"}}


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, for a format that is written whole: all fields required."""

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        result = super().dataclass_schema(schema)
        result["properties"].update(_REFINED.get(schema["cls"], {}))
        result = self._closed(result)
        optional = _OPTIONAL.get(schema["cls"], set())
        result["required"] = [name for name in result["required"] if name not in optional]
        return result

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return self._closed(super().model_schema(schema))

    def _closed(self, result: JsonSchemaValue) -> JsonSchemaValue:
        """Every field required, no other allowed; every number in a plan is a count."""
        result["required"] = list(result.get("properties", {}))
        result["additionalProperties"] = False
        for prop in result.get("properties", {}).values():
            prop.pop("default", None)
            if prop.get("type") == "integer":
                prop["minimum"] = 0
        return result

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


Summary = create_model(  # type: ignore[call-overload]
    "Summary",
    __base__=_Closed,
    __doc__="How many changes of each action.",
    **{action: (int, ...) for action in ACTIONS},
)


class Unmanaged(_Closed):
    """A store object the configuration does not name: left alone unless pruning."""

    kind: Kind
    key: str


class SavedPlan(_Closed):
    """An opconf plan: what apply would change, and the store state it was computed against."""

    format_version: Literal["1.1"]
    digest: Digest = Field(description="sha256 of the plan's canonical JSON without this field")
    summary: Summary
    changes: list[Change]
    errors: list[PlanError] = Field(description="why the plan cannot be applied")
    warnings: list[PlanError]
    unmanaged: list[Unmanaged]
    prune: bool = Field(description="unmanaged objects are deleted")
    unchanged: int = Field(description="configured objects that already match the store")
    base: Base


assert get_args(SavedPlan.model_fields["format_version"].annotation) == (FORMAT_VERSION,)


def plan_schema() -> dict[str, Any]:
    """The plan's JSON Schema body (``$schema`` and ``$id`` are added by the caller)."""
    body = SavedPlan.model_json_schema(schema_generator=_Generator)
    return {**body, "title": "opconf plan"}
