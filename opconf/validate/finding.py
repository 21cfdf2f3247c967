"""A problem found in a document, before it is given a line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opconf.diagnostics import Severity
from opconf.load.yamlread import Document


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    doc: Document
    path: tuple[Any, ...]
    at_key: bool = False  # point at the key of the last path element, not its value
    severity: Severity = "error"
    waived: str = ""  # the reason of the waiver (opconf.yaml) that waives it
