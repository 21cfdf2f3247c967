"""``--format text``: one line per problem, then a summary line."""

from __future__ import annotations

from opconf.diagnostics import Diagnostic, plural
from opconf.validate import ValidationResult
from opconf.visible import visible


def line(d: Diagnostic) -> str:
    """``file:line:column: severity CODE message (path)``, control characters escaped; a
    waived finding: ``waived CODE message (path) — waived: reason``."""
    where = f"{d.file}:{d.line}:{d.column}: " if d.file else ""
    path = f" ({d.dotted})" if d.path else ""
    return visible(f"{where}{d.label} {d.code} {d.message}{path}{d.reason}")


def summary(result: ValidationResult) -> str:
    errors, warnings = result.count("error"), result.count("warning")
    scope = f"in {plural(result.files, 'file')} ({plural(result.objects, 'object')} checked)"
    waived = result.count("waived")
    if not errors and not warnings:
        return f"No problems {scope}" + (f"; {waived:,} waived." if waived else ".")
    tail = f", {waived:,} waived" if waived else ""
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}{tail} {scope}"


def render(result: ValidationResult, strict: bool) -> str:
    return "".join(line(d) + "\n" for d in result.diagnostics) + summary(result) + "\n"
