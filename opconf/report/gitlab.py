"""``--format gitlab``: GitLab's code quality report (the Code Climate issue subset GitLab
reads), shown on merge requests: ``artifacts: reports: codequality: FILE``.

The fingerprint identifies a problem across runs: a hash of the file, the rule and the place
in the document (or the message when there is none), never of the line number, so moving a
document in its file does not turn an old problem into a new one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from opconf.diagnostics import Diagnostic
from opconf.validate import ValidationResult
from opconf.visible import json_visible

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def fingerprint(d: Diagnostic, occurrence: int = 0) -> str:
    """Stable across runs; ``occurrence`` tells apart identical problems in one file."""
    what = d.pointer or d.message
    text = f"{d.file}\0{d.code}\0{what}\0{occurrence}"
    return hashlib.sha256(text.encode()).hexdigest()


def issue(d: Diagnostic, occurrence: int = 0) -> dict[str, Any]:
    path = f" ({d.dotted})" if d.path else ""
    return {
        "type": "issue",
        "description": f"{d.code} {d.message}{path}{d.reason}",
        "check_name": d.code,
        "fingerprint": fingerprint(d, occurrence),
        "severity": "info" if d.waived else _SEVERITY[d.severity],
        "location": {"path": d.file, "lines": {"begin": d.line}},
    }


def render(result: ValidationResult, strict: bool) -> str:
    # GitLab needs a file for every issue: notes without one (OPC290) are left out.
    seen: dict[tuple[str, str, str], int] = {}
    issues = []
    for d in result.diagnostics:
        if not d.file:
            continue
        key = (d.file, d.code, d.pointer or d.message)
        seen[key] = seen.get(key, -1) + 1
        issues.append(issue(d, seen[key]))
    return json_visible(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
