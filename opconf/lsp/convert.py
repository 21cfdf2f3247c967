"""opconf's values as Language Server Protocol types (and back): nothing else lives here."""

from __future__ import annotations

import os
from collections.abc import Callable

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import PositionCodec

from opconf.authoring.complete import Candidate
from opconf.authoring.rename import Edit
from opconf.authoring.symbols import Occurrence, Span
from opconf.diagnostics import Diagnostic

SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}


# A project's folder as opconf works in it (links resolved: what os.getcwd() says there) →
# the folder as the editor names it, when they differ (a linked home folder, macOS's /tmp).
_editor_names: dict[str, str] = {}


def path_of(uri: str) -> str | None:
    """The path the editor names (``Projects.locate`` says opconf's name for it)."""
    return to_fs_path(uri) if uri.startswith("file:") else None


def name_folder(resolved: str, editor: str) -> None:
    """Files under ``resolved`` go back to the editor under ``editor`` (see :func:`uri_of`)."""
    if resolved != editor:
        _editor_names[resolved] = editor


def uri_of(path: str) -> str:
    """The URI the editor knows ``path`` by: under its own name of the project's folder."""
    for resolved, editor in _editor_names.items():
        if path == resolved or path.startswith(resolved + os.sep):
            path = editor + path[len(resolved) :]
            break
    return str(from_fs_path(path))


class Columns:
    """Columns between opconf's (code points) and the editor's: the position encoding agreed
    at initialize, UTF-16 unless the editor offers UTF-8 or UTF-32 (an emoji is 1 code point,
    2 UTF-16 units, 4 UTF-8 bytes)."""

    def __init__(self, codec: PositionCodec, text_of: Callable[[str], str]) -> None:
        self._codec = codec
        self._text_of = text_of  # a file's text (the editor's when open), by path
        self._lines: dict[str, list[str]] = {}

    def range(self, path: str, span: Span) -> lsp.Range:
        """``span`` of the file ``path`` in the editor's units."""
        start = lsp.Position(line=span.line, character=span.column)
        end = lsp.Position(line=span.end_line, character=span.end_column)
        if self._codec.encoding == lsp.PositionEncodingKind.Utf32:
            return lsp.Range(start=start, end=end)
        lines = self._lines_of(path)
        return lsp.Range(start=self._out(lines, start), end=self._out(lines, end))

    def position(self, text: str, position: lsp.Position) -> tuple[int, int]:
        """(line, column in code points) of the editor's ``position`` in ``text``."""
        if self._codec.encoding == lsp.PositionEncodingKind.Utf32:
            return position.line, position.character
        lines = text.split("\n")
        if position.line >= len(lines):
            return position.line, position.character
        units = 0
        for column, char in enumerate(lines[position.line]):
            if units >= position.character:
                return position.line, column
            units += self._codec.client_num_units(char)
        return position.line, len(lines[position.line])

    def _out(self, lines: list[str], position: lsp.Position) -> lsp.Position:
        if position.line >= len(lines):
            return position
        before = lines[position.line][: position.character]
        return lsp.Position(line=position.line, character=self._codec.client_num_units(before))

    def _lines_of(self, path: str) -> list[str]:
        if path not in self._lines:
            self._lines[path] = self._text_of(path).split("\n")
        return self._lines[path]


def to_diagnostic(d: Diagnostic, span: Span, columns: Columns, path: str) -> lsp.Diagnostic:
    """The same code, severity and message as ``opconf validate --format json``."""
    return lsp.Diagnostic(
        range=columns.range(path, span),
        message=d.message,
        severity=SEVERITY[d.severity],
        code=d.code,
        source="opconf",
        data={"path": d.pointer},
    )


def to_location(o: Occurrence, columns: Columns) -> lsp.Location:
    return lsp.Location(uri=uri_of(o.file), range=columns.range(o.file, o.span))


def to_completion(c: Candidate) -> lsp.CompletionItem:
    kind = lsp.CompletionItemKind.Field if c.field else lsp.CompletionItemKind.Value
    return lsp.CompletionItem(
        label=c.label, detail=c.detail or None, insert_text=c.insert, kind=kind
    )


def to_workspace_edit(edits: list[Edit], columns: Columns) -> lsp.WorkspaceEdit:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for e in edits:
        changes.setdefault(uri_of(e.file), []).append(
            lsp.TextEdit(range=columns.range(e.file, e.span), new_text=e.text)
        )
    return lsp.WorkspaceEdit(changes=changes)
