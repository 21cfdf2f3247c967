"""opconf's own YAML files (``opconf.yaml``, ``opconf.refs.yaml``), checked like documents.

A file holds one document, read by the safe reader (layer 1) and checked against the JSON
Schema generated from its model in :mod:`opconf.project_models` (layer 2); a file's own rule
(``defaultTarget`` names a target) adds findings. Every problem is a located diagnostic, so
callers report them all at once; the well-typed fields stay usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opconf.diagnostics import Diagnostic
from opconf.load.discover import display_names
from opconf.load.yamlread import Document, read_file
from opconf.validate import locate
from opconf.validate.finding import Finding
from opconf.validate.schema_check import check_schema

Rule = Callable[[Document], Iterable[Finding]]


@dataclass(frozen=True)
class CheckedFile:
    """One of opconf's own files: its data and every problem found in it."""

    data: dict[str, Any]  # the file's document; empty when it has none or cannot be read
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def sound(self, name: str) -> bool:
        """Whether the top-level field ``name`` is present and free of problems."""
        return name in self.data and not any(d.path[:1] == (name,) for d in self.diagnostics)


def check_file(path: Path, schema: str, rule: Rule | None = None) -> CheckedFile:
    """Read ``path`` and check it against ``schema`` (a stem under ``schemas/``) and ``rule``."""
    display = display_names([path])[path]
    read = read_file(path, display)
    diagnostics = read.diagnostics + [_extra(doc) for doc in read.documents[1:]]
    doc = read.documents[0] if read.documents else None
    findings: list[Finding] = []
    if doc is not None:
        findings = check_schema(doc, schema)
        findings.extend(rule(doc) if rule else ())
    diagnostics.extend(locate(findings, {display: path}))
    diagnostics.sort(key=Diagnostic.sort_key)
    return CheckedFile(doc.data if doc else {}, tuple(diagnostics))


def _extra(doc: Document) -> Diagnostic:
    """A document after the first: it used to be ignored without a word."""
    name = Path(doc.file).name
    message = f"{name} holds a single document; merge this one into the first"
    return Diagnostic("OPC012", "error", message, doc.file, doc.line, doc.column)
