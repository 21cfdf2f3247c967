"""``--format json``: the machine-readable shape SPEC §3 gives."""

from __future__ import annotations

import json

from opconf.sourcelinks import SourceLinks
from opconf.validate import ValidationResult
from opconf.visible import json_visible


def render(result: ValidationResult, strict: bool, *, links: SourceLinks | None = None) -> str:
    """With ``links`` (in GitHub Actions), each located diagnostic has the ``url`` of its line."""
    diagnostics = [d.to_dict() for d in result.diagnostics]
    if links:
        for d, out in zip(result.diagnostics, diagnostics, strict=True):
            if url := links.line(d.file, d.line):
                out["url"] = url
    body = {
        "valid": result.valid(strict),
        "files": result.files,
        "objects": result.objects,
        "diagnostics": diagnostics,
    }
    return json_visible(json.dumps(body, indent=2, ensure_ascii=False)) + "\n"
