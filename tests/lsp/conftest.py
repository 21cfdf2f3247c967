"""The real server (``python -m opconf lsp``) over stdio, driven by pytest-lsp.

One server per test module (starting one costs a Python start-up); each test works in its own
folder, and the server finds each document's project from its path, as in an editor holding
several projects. Tests await the server's messages, never a timer.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "opconf", "lsp"])


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    params = lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    return path.absolute().as_uri()


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> None:
    body = path.read_text(encoding="utf-8") if text is None else text
    item = lsp.TextDocumentItem(uri=uri(path), language_id="yaml", version=1, text=body)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))


def change_file(client: LanguageClient, path: Path, text: str, version: int) -> None:
    """Replace the whole text of an open document (as after an edit)."""
    document = lsp.VersionedTextDocumentIdentifier(uri=uri(path), version=version)
    change = lsp.TextDocumentContentChangeWholeDocument(text=text)
    params = lsp.DidChangeTextDocumentParams(text_document=document, content_changes=[change])
    client.text_document_did_change(params)


async def published(
    client: LanguageClient, paths: Iterable[Path]
) -> dict[Path, list[lsp.Diagnostic]]:
    """The diagnostics of ``paths``, once the server has published them all (forgotten first,
    so an earlier publication does not count)."""
    wanted = {uri(p): p for p in paths}
    for key in wanted:
        client.diagnostics.pop(key, None)
    while not all(key in client.diagnostics for key in wanted):
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return {p: list(client.diagnostics[key]) for key, p in wanted.items()}
