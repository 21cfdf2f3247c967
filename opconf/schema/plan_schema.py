"""The JSON Schema of saved plans and ``plan --format json`` (format_version 1.0)."""

from __future__ import annotations

from typing import Any

from opconf.plan.model import ACTIONS, FORMAT_VERSION

_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_OBJ_OR_NULL = {"type": ["object", "null"]}
_KINDS = {"enum": ["Product", "CoverageGroup", "OpportunityTemplate"]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


_DETAIL = _object(
    {
        "op": {"enum": ["set", "add", "remove", "move", "rename"]},
        "path": {**_STR, "description": "e.g. name, members[jdoe], stages[qualify].probability"},
        "old": {"description": "value before (any JSON)"},
        "new": {"description": "value after (any JSON)"},
        "destructive": {"type": "boolean"},
        "impact": {**_INT, "description": "open opportunities affected"},
    }
)
_CHANGE = _object(
    {
        "action": {"enum": list(ACTIONS)},
        "kind": _KINDS,
        "key": _STR,
        "old_key": {"type": ["string", "null"], "description": "rename: the key in the store"},
        "destructive": {"type": "boolean"},
        "impact": {**_INT, "description": "open opportunities on this template or product"},
        "details": {"type": "array", "items": _DETAIL},
        "stage_renames": {"type": "object", "additionalProperties": _STR},
        "stage_moves": {
            "type": "object",
            "additionalProperties": _STR,
            "description": "removed stage → stage that takes its open opportunities",
        },
        "before": {**_OBJ_OR_NULL, "description": "canonical store state (null for create)"},
        "after": {**_OBJ_OR_NULL, "description": "canonical desired state (null for delete)"},
    }
)
_ERROR = _object(
    {
        "code": _STR,
        "message": _STR,
        "kind": _STR,
        "key": _STR,
        "file": _STR,
        "line": _INT,
        "column": _INT,
    }
)
_BASE = _object(
    {
        "revision": {**_INT, "description": "store revision the plan was computed against"},
        "store": {**_STR, "description": "store URL, credentials redacted"},
        "rows": {
            "type": "object",
            "additionalProperties": _STR,
            "description": "Kind/key → digest of every store row the plan touches",
        },
        "config_digest": _STR,
        "tool_version": _STR,
        "created_at": {**_STR, "format": "date-time"},
    }
)


def plan_schema() -> dict[str, Any]:
    body = _object(
        {
            "format_version": {"const": FORMAT_VERSION},
            "summary": _object({a: _INT for a in ACTIONS}),
            "changes": {"type": "array", "items": _CHANGE},
            "errors": {"type": "array", "items": _ERROR},
            "warnings": {"type": "array", "items": _ERROR},
            "unmanaged": {"type": "array", "items": _object({"kind": _KINDS, "key": _STR})},
            "prune": {"type": "boolean"},
            "unchanged": _INT,
            "base": _BASE,
        }
    )
    return {"title": "opconf plan", **body}
