"""opconf's values as Language Server Protocol types (and back): nothing else lives here."""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from opconf.authoring.complete import Candidate
from opconf.authoring.rename import Edit
from opconf.authoring.symbols import Occurrence, Span
from opconf.diagnostics import Diagnostic

SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}


def path_of(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def uri_of(path: str) -> str:
    return str(from_fs_path(path))


def to_range(span: Span) -> lsp.Range:
    return lsp.Range(
        start=lsp.Position(line=span.line, character=span.column),
        end=lsp.Position(line=span.end_line, character=span.end_column),
    )


def to_diagnostic(d: Diagnostic, span: Span) -> lsp.Diagnostic:
    """The same code, severity and message as ``opconf validate --format json``."""
    return lsp.Diagnostic(
        range=to_range(span),
        message=d.message,
        severity=SEVERITY[d.severity],
        code=d.code,
        source="opconf",
        data={"path": d.pointer},
    )


def to_location(o: Occurrence) -> lsp.Location:
    return lsp.Location(uri=uri_of(o.file), range=to_range(o.span))


def to_completion(c: Candidate) -> lsp.CompletionItem:
    kind = lsp.CompletionItemKind.Field if c.field else lsp.CompletionItemKind.Value
    return lsp.CompletionItem(
        label=c.label, detail=c.detail or None, insert_text=c.insert, kind=kind
    )


def to_workspace_edit(edits: list[Edit]) -> lsp.WorkspaceEdit:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for e in edits:
        changes.setdefault(uri_of(e.file), []).append(
            lsp.TextEdit(range=to_range(e.span), new_text=e.text)
        )
    return lsp.WorkspaceEdit(changes=changes)
