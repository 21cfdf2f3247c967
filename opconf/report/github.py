"""``--format github``: GitHub Actions workflow commands, shown as PR annotations."""

from __future__ import annotations

from opconf.diagnostics import Diagnostic
from opconf.report.text import summary
from opconf.validate import ValidationResult
from opconf.visible import visible

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(value: str) -> str:
    # %, CR and LF are the workflow command's own escapes; other controls are shown escaped.
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(escaped)


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    props = []
    if d.file:
        props += [f"file={_property(d.file)}", f"line={d.line}", f"col={d.column}"]
    props.append(f"title={_property(d.code + (' (waived)' if d.waived else ''))}")
    path = f" ({d.dotted})" if d.path else ""
    level = "notice" if d.waived else _LEVEL[d.severity]  # shown, never failing a check
    return f"::{level} {','.join(props)}::{_data(d.message + path + d.reason)}"


def render(result: ValidationResult, strict: bool) -> str:
    return "".join(annotation(d) + "\n" for d in result.diagnostics) + summary(result) + "\n"
