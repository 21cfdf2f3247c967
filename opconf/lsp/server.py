"""The language server's features: each one converts, calls :mod:`opconf.authoring`, converts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from opconf import __version__
from opconf.authoring import navigate
from opconf.authoring.complete import complete
from opconf.authoring.cursor import cursor_at
from opconf.authoring.ranges import suggestion
from opconf.authoring.rename import rename
from opconf.authoring.session import Session
from opconf.authoring.symbols import Occurrence
from opconf.errors import OpconfError
from opconf.lsp.convert import (
    Columns,
    path_of,
    to_completion,
    to_diagnostic,
    to_location,
    to_workspace_edit,
    uri_of,
)
from opconf.lsp.projects import Projects, inside
from opconf.project import PROJECT_FILE

server = LanguageServer("opconf", __version__)
projects = Projects()


def _publish(ls: LanguageServer, uri: str, refresh: bool = True) -> None:
    editor_path = path_of(uri)
    if editor_path is None:
        return
    session, path = projects.locate(editor_path)
    if refresh:
        session.refresh()
    if not (session.is_document(path) or os.path.basename(path) == PROJECT_FILE):
        return  # another YAML file (a CI workflow): not opconf's
    session.open(path, ls.workspace.get_text_document(uri).source)
    columns = _columns(ls, session)
    for file, found in projects.diagnostics(session, always=path).items():
        diagnostics = [to_diagnostic(d, span, columns, file) for d, span in found]
        params = lsp.PublishDiagnosticsParams(uri=uri_of(file), diagnostics=diagnostics)
        ls.text_document_publish_diagnostics(params)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


_latest: dict[str, int] = {}  # uri → the version of its last edit


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    """Validate after an edit, unless a newer edit of the document has arrived meanwhile
    (typing fast in a large project must not queue one validation per keystroke)."""
    uri, version = params.text_document.uri, params.text_document.version
    _latest[uri] = version
    await asyncio.sleep(0)  # let the edits already sent be read first
    if _latest[uri] == version:
        _publish(ls, uri, refresh=False)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    editor_path = path_of(params.text_document.uri)
    if editor_path is not None:
        session, path = projects.locate(editor_path)
        session.close(path)
        session.refresh()


@server.feature(
    lsp.TEXT_DOCUMENT_COMPLETION,
    lsp.CompletionOptions(trigger_characters=[":", " ", "[", "{", ",", "-"]),
)
def completion(ls: LanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    opened = _opened(ls, params.text_document.uri)
    if opened is None:
        return None
    session, _, text = opened
    cursor = cursor_at(text, *_columns(ls, session).position(text, params.position))
    items = [to_completion(c) for c in complete(cursor, session.occurrences(stale=True))]
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    opened = _opened(ls, params.text_document.uri)
    if opened is None:
        return None
    session, path, text = opened
    line, column = _columns(ls, session).position(text, params.position)
    with inside(session.root):
        found = navigate.hover(session.occurrences(), path, text, line, column)
    if found is None:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=found))


def _columns(ls: LanguageServer, session: Session) -> Columns:
    """Columns in the units the editor and the server agreed on, for the session's files."""
    return Columns(ls.workspace.position_codec, session.text)


def _opened(ls: LanguageServer, uri: str) -> tuple[Session, str, str] | None:
    """The document's session (with the editor's text of it), its path and its text."""
    editor_path = path_of(uri)
    if editor_path is None:
        return None
    session, path = projects.locate(editor_path)
    if not session.is_document(path):
        return None
    text = ls.workspace.get_text_document(uri).source
    session.open(path, text)
    return session, path, text


def _under_cursor(
    ls: LanguageServer, uri: str, position: lsp.Position
) -> tuple[list[Occurrence], Occurrence | None, Columns | None]:
    opened = _opened(ls, uri)
    if opened is None:
        return [], None, None
    session, path, text = opened
    occurrences = session.occurrences()
    columns = _columns(ls, session)
    found = navigate.under_cursor(occurrences, path, *columns.position(text, position))
    return occurrences, found, columns


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: LanguageServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    occurrences, found, columns = _under_cursor(ls, params.text_document.uri, params.position)
    if found is None or columns is None:
        return []
    return [to_location(o, columns) for o in navigate.definitions(occurrences, found)]


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: LanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    occurrences, found, columns = _under_cursor(ls, params.text_document.uri, params.position)
    if found is None or columns is None:
        return []
    declarations = params.context.include_declaration
    found_all = navigate.references(occurrences, found, declarations)
    return [to_location(o, columns) for o in found_all]


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def rename_key(ls: LanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    occurrences, found, columns = _under_cursor(ls, params.text_document.uri, params.position)
    if found is None or columns is None:
        return None
    editor_path = path_of(params.text_document.uri)
    assert editor_path is not None
    session = projects.locate(editor_path)[0]
    texts = {o.file: session.text(o.file) for o in occurrences}
    try:
        edits = rename(occurrences, found, params.new_name, texts)
    except OpconfError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        ls.window_show_message(
            lsp.ShowMessageParams(type=lsp.MessageType.Error, message=exc.message + hint)
        )
        return None
    return to_workspace_edit(edits, columns)


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
)
def code_actions(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """ "Did you mean 'x'?": replace what the diagnostic points at with x."""
    actions = []
    for d in params.context.diagnostics:
        fix = suggestion(d.message) if d.source == "opconf" else None
        if fix is None:
            continue
        edit = lsp.TextEdit(range=d.range, new_text=fix)
        actions.append(
            lsp.CodeAction(
                title=f"Change to '{fix}'",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[d],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
            )
        )
    return actions


def serve() -> None:
    """Serve on stdin and stdout until the editor says exit.

    The protocol gets its own copies of the two streams (it closes them when it ends); what
    anything else prints goes to stderr, where it cannot break a message.
    """
    stdin, stdout = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    with contextlib.redirect_stdout(sys.stderr):
        server.start_io(stdin, stdout)
