"""Diagnostics as the user types are exactly ``opconf validate --format json``'s: the same
codes, severities, messages and positions, on every golden validate case."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from opconf.cli import main
from opconf.load.discover import discover
from tests.lsp.conftest import change_file, open_file, published, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")

CASES = Path(__file__).parents[1] / "cases" / "validate"
SEVERITY = {1: "error", 2: "warning", 3: "info"}
Row = tuple[int, int, str, str, str]


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "config").is_dir())


def _cli(case: Path) -> dict[Path, list[Row]]:
    """What ``opconf validate --format json config`` says in the case folder, by file."""
    out = io.StringIO()
    with contextlib.chdir(case), contextlib.redirect_stdout(out):
        main(["validate", "--format", "json", "config", "--no-cache"])
    found: dict[Path, list[Row]] = {}
    for d in json.loads(out.getvalue())["diagnostics"]:
        if d["file"]:
            row = (d["line"], d["column"], d["severity"], d["code"], d["message"])
            found.setdefault(case / d["file"], []).append(row)
    return found


def _rows(diagnostics: list[lsp.Diagnostic]) -> list[Row]:
    return [
        (
            d.range.start.line + 1,
            d.range.start.character + 1,
            SEVERITY[int(d.severity or 1)],
            str(d.code),
            d.message,
        )
        for d in diagnostics
    ]


def _readable(files: list[Path]) -> Path:
    """A document an editor can open (UTF-8)."""
    for path in files:
        with contextlib.suppress(UnicodeDecodeError):
            path.read_text(encoding="utf-8")
            return path
    raise AssertionError("no UTF-8 document")


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
async def test_golden_case(client: LanguageClient, case: Path) -> None:
    expected = _cli(case)
    files = discover([case / "config"])
    opened = _readable(files)
    open_file(client, opened)
    await published(client, [opened])  # published last: the other files' came before it
    found = {p: _rows(client.diagnostics.get(uri(p), [])) for p in {*files, *expected}}
    assert {p: rows for p, rows in found.items() if rows} == expected


async def test_a_change_is_validated_with_the_other_files(
    client: LanguageClient, tmp_path: Path
) -> None:
    """A template referring to a product of another file: unknown until the product exists
    in the editor's unsaved text, then known (no save)."""
    (tmp_path / "config").mkdir()
    product = tmp_path / "config" / "products.yaml"
    product.write_text(PRODUCT.format(key="brokerage_acct"), encoding="utf-8")
    template = tmp_path / "config" / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    open_file(client, template)
    found = await published(client, [template])
    assert [(d.code, d.message) for d in found[template]] == [
        ("OPC210", "unknown product 'brokerage' (did you mean 'brokerage_acct'?)")
    ]
    assert found[template][0].range == _range(7, 4, 7, 13)
    open_file(client, product)
    change_file(client, product, PRODUCT.format(key="brokerage"), version=2)
    found = await published(client, [product, template])
    assert found == {product: [], template: []}


async def test_every_document_of_a_file_is_covered(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    both = tmp_path / "config" / "both.yaml"
    second = PRODUCT.format(key="b").replace("listPrice: 1", "listPrice: -1")
    text = PRODUCT.format(key="a") + "---\n" + second
    both.write_text(text, encoding="utf-8")
    open_file(client, both)
    found = await published(client, [both])
    assert _rows(found[both]) == [(13, 12, "error", "OPC106", "listPrice must be ≥ 0 (got -1)")]


def _range(line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
    return lsp.Range(
        start=lsp.Position(line=line, character=column),
        end=lsp.Position(line=end_line, character=end_column),
    )


PRODUCT = """\
apiVersion: opconf/v1
kind: Product
key: {key}
name: Product {key}
type: deposit
listPrice: 1
"""

TEMPLATE = """\
apiVersion: opconf/v1
kind: OpportunityTemplate
key: onboarding
name: Onboarding
category: product
entityType: contact
products:
  - brokerage
stages:
  - {key: open, name: Open, probability: 10}
  - {key: won, name: Won, probability: 100, outcome: won}
  - {key: lost, name: Lost, probability: 0, outcome: lost}
"""


async def test_fast_edits_end_on_the_last_text(client: LanguageClient, tmp_path: Path) -> None:
    """Edits sent faster than they are validated: the last publication is the last text's."""
    (tmp_path / "config").mkdir()
    product = tmp_path / "config" / "p.yaml"
    product.write_text(PRODUCT.format(key="p"), encoding="utf-8")
    open_file(client, product)
    await published(client, [product])
    for version in range(2, 7):
        price = -version if version < 6 else version
        text = PRODUCT.format(key="p").replace("listPrice: 1", f"listPrice: {price}")
        change_file(client, product, text, version=version)
    key = product.absolute().as_uri()

    async def settled() -> None:
        while key not in client.diagnostics or len(client.diagnostics[key]) > 0:
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    client.diagnostics.pop(key, None)
    await asyncio.wait_for(settled(), timeout=60)  # a guard against a hang, not a race


async def test_a_project_opened_through_a_linked_folder(
    client: LanguageClient, tmp_path: Path
) -> None:
    """The editor names the files through a symbolic link (a linked home folder, macOS's
    /tmp): the diagnostics come back under the editor's names, and its unsaved text counts."""
    real = tmp_path / "real"
    (real / "config").mkdir(parents=True)
    (real / "config" / "products.yaml").write_text(
        PRODUCT.format(key="brokerage_acct"), encoding="utf-8"
    )
    (real / "config" / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    product = tmp_path / "link" / "config" / "products.yaml"
    template = tmp_path / "link" / "config" / "template.yaml"
    open_file(client, template)
    found = await asyncio.wait_for(published(client, [template]), timeout=60)  # hang guard
    assert [d.code for d in found[template]] == ["OPC210"]
    open_file(client, product)
    change_file(client, product, PRODUCT.format(key="brokerage"), version=2)
    found = await asyncio.wait_for(published(client, [product, template]), timeout=60)
    assert found == {product: [], template: []}
    document = lsp.TextDocumentIdentifier(uri=uri(template))
    at = lsp.Position(line=7, character=6)  # on "brokerage" under products:
    definition = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=document, position=at)
    )
    assert [(d.uri, d.range.start.line) for d in definition] == [(uri(product), 2)]
