"""``--format json``: the machine-readable shape SPEC §3 gives."""

from __future__ import annotations

import json

from opconf.validate import ValidationResult


def render(result: ValidationResult, strict: bool) -> str:
    body = {
        "valid": result.valid(strict),
        "files": result.files,
        "objects": result.objects,
        "diagnostics": [d.to_dict() for d in result.diagnostics],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
