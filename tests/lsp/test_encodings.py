"""Columns in the units an editor offers at initialize besides UTF-16: UTF-8 (bytes, as
Neovim and Helix can) and UTF-32 (code points). 😀 is 4 UTF-8 bytes and 1 code point, 財 3 bytes
and 1 code point (tests/lsp/test_features.py covers UTF-16, the default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import SERVER, open_file, published, uri
from tests.lsp.test_diagnostics import PRODUCT, TEMPLATE

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=SERVER, scope="module", params=["utf-8", "utf-32"])
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    capabilities = client_capabilities("neovim")
    assert capabilities.general is not None
    capabilities.general.position_encodings = [request.param]
    result = await lsp_client.initialize_session(lsp.InitializeParams(capabilities=capabilities))
    assert result.capabilities.position_encoding == request.param
    yield
    await lsp_client.shutdown_session()


def _units(text: str, encoding: str) -> int:
    return len(text.encode("utf-8")) if encoding == "utf-8" else len(text)


async def test_diagnostics_and_positions_after_an_emoji(
    client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    encoding = request.node.callspec.params["client"]
    (tmp_path / "config").mkdir()
    product = tmp_path / "config" / "products.yaml"
    product.write_text(PRODUCT.format(key="savings"), encoding="utf-8")
    template = tmp_path / "config" / "template.yaml"
    text = TEMPLATE.replace("products:\n  - brokerage\n", 'products: ["😀財", savings, savng]\n')
    template.write_text(text, encoding="utf-8")
    open_file(client, template)
    found = (await published(client, [template]))[template]
    line = text.splitlines()[6]
    quoted = '"😀財"'
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [
        ("OPC105", 6, _units(line[: line.index(quoted)], encoding)),
        ("OPC210", 6, _units(line[: line.index("savng")], encoding)),
    ]
    widths = [d.range.end.character - d.range.start.character for d in found]
    assert widths == [_units(quoted, encoding), _units("savng", encoding)]
    at = lsp.Position(line=6, character=_units(line[: line.index("savings") + 1], encoding))
    definition = await client.text_document_definition_async(
        lsp.DefinitionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(template)), position=at
        )
    )
    assert [(d.uri, d.range.start.line) for d in definition] == [(uri(product), 2)]
