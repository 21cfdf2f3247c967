"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other viewers."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from opconf import __version__
from opconf.diagnostics import Diagnostic
from opconf.validate import ValidationResult
from opconf.validate.catalogue import DOCS_URL, RULES, help_uri
from opconf.visible import json_visible

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _result(d: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index[d.code],
        "level": _LEVEL[d.severity],
        "message": {"text": d.message + (f" ({d.dotted})" if d.path else "")},
    }
    if d.waived:  # shown as suppressed: opconf.yaml holds the waiver and its reason
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": d.waived}
        ]
    if d.file:
        region = {"startLine": d.line, "startColumn": d.column}
        artifact = {"uri": quote(d.file.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}
        location = {"artifactLocation": artifact, "region": region}
        out["locations"] = [{"physicalLocation": location}]
    return out


def render(result: ValidationResult, strict: bool) -> str:
    located = [d for d in result.diagnostics if d.file]
    # Code scanning rejects results without a location: file-less notes go to notifications.
    notes = [
        {"level": _LEVEL[d.severity], "message": {"text": d.message}, "descriptor": {"id": d.code}}
        for d in result.diagnostics
        if not d.file
    ]
    codes = sorted({d.code for d in located})
    rule_index = {code: i for i, code in enumerate(codes)}
    rules = [
        {"id": c, "shortDescription": {"text": RULES.get(c, c)}, "helpUri": help_uri(c)}
        for c in codes
    ]
    driver = {
        "name": "opconf",
        "version": __version__,
        "informationUri": DOCS_URL,
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "results": [_result(d, rule_index) for d in located],
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": notes},
        ],
        "columnKind": "unicodeCodePoints",
    }
    body = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_visible(json.dumps(body, indent=2, ensure_ascii=False)) + "\n"
