"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other viewers."""

from __future__ import annotations

import json
from typing import Any

from opconf import __version__
from opconf.diagnostics import Diagnostic
from opconf.validate import ValidationResult
from opconf.validate.catalogue import RULES, help_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _result(d: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index[d.code],
        "level": _LEVEL[d.severity],
        "message": {"text": d.message + (f" ({d.dotted})" if d.path else "")},
    }
    if d.file:
        region = {"startLine": d.line, "startColumn": d.column}
        location = {"artifactLocation": {"uri": d.file, "uriBaseId": "%SRCROOT%"}, "region": region}
        out["locations"] = [{"physicalLocation": location}]
    return out


def render(result: ValidationResult, strict: bool) -> str:
    codes = sorted({d.code for d in result.diagnostics})
    rule_index = {code: i for i, code in enumerate(codes)}
    rules = [
        {"id": c, "shortDescription": {"text": RULES.get(c, c)}, "helpUri": help_uri(c)}
        for c in codes
    ]
    driver = {
        "name": "opconf",
        "version": __version__,
        "informationUri": help_uri(""),
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "results": [_result(d, rule_index) for d in result.diagnostics],
        "columnKind": "unicodeCodePoints",
    }
    body = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
