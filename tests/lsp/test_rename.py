"""Rename over stdio: every reference follows, the old key joins previousKeys, and the result
validates and plans as a rename (the store's row kept)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from opconf import exitcodes
from opconf.cli import main
from tests.lsp.conftest import open_file, uri
from tests.lsp.test_features import GROUP, PRODUCTS, REFS, TEMPLATE

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _cli(folder: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture
def applied(tmp_path: Path) -> Path:
    """The project of test_features, applied to a demo store."""
    (tmp_path / "opconf.yaml").write_text("config: config/\n", encoding="utf-8")
    (tmp_path / "opconf.refs.yaml").write_text(REFS, encoding="utf-8")
    (tmp_path / "config").mkdir()
    for name, text in {"products.yaml": PRODUCTS, "group.yaml": GROUP, "t.yaml": TEMPLATE}.items():
        (tmp_path / "config" / name).write_text(text, encoding="utf-8")
    assert _cli(tmp_path, "store", "init", "--demo")[0] == 0
    assert _cli(tmp_path, "apply", "--auto-approve")[0] == 0
    return tmp_path


def _offset(text: str, position: lsp.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


def _apply(edit: lsp.WorkspaceEdit) -> None:
    assert edit.changes is not None
    for target, edits in edit.changes.items():
        path = Path(target.removeprefix("file://"))
        text = path.read_text(encoding="utf-8")
        for e in sorted(edits, key=lambda e: _offset(text, e.range.start), reverse=True):
            start, end = _offset(text, e.range.start), _offset(text, e.range.end)
            text = text[:start] + e.new_text + text[end:]
        path.write_text(text, encoding="utf-8")


async def _rename(client: LanguageClient, path: Path, line: int, col: int, new: str) -> None:
    open_file(client, path)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(path)),
            position=lsp.Position(line=line, character=col),
            new_name=new,
        )
    )
    assert edit is not None
    _apply(edit)


async def test_rename_a_product_from_a_reference(client: LanguageClient, applied: Path) -> None:
    await _rename(client, applied / "config" / "t.yaml", 7, 12, "savings_account")
    products = (applied / "config" / "products.yaml").read_text(encoding="utf-8")
    assert products.startswith(
        "apiVersion: opconf/v1\nkind: Product\nkey: savings_account\npreviousKeys: [savings]\n"
    )
    template = (applied / "config" / "t.yaml").read_text(encoding="utf-8")
    assert "products: [savings_account]\n" in template
    code, out = _cli(applied, "validate")
    assert (code, out.splitlines()[-1]) == (0, "No problems in 3 files (4 objects checked).")
    code, out = _cli(applied, "plan")
    assert code == exitcodes.OK
    assert "Plan: 0 to create, 0 to update, 1 to rename, 0 to delete." in out


async def test_rename_a_stage_in_a_flow_mapping(client: LanguageClient, applied: Path) -> None:
    template = applied / "config" / "t.yaml"
    await _rename(client, template, 22, 10, "closed_lost")
    text = template.read_text(encoding="utf-8")
    assert "  - {key: closed_lost, previousKeys: [lost], name: Lost," in text
    code, out = _cli(applied, "plan")
    assert code == exitcodes.OK
    assert "      → stages[lost] renamed to closed_lost\n" in out
    assert "Plan: 0 to create, 1 to update, 0 to rename, 0 to delete." in out


async def test_a_second_rename_adds_to_previous_keys(client: LanguageClient, applied: Path) -> None:
    template = applied / "config" / "t.yaml"
    await _rename(client, template, 9, 10, "qualify_lead")
    await _rename(client, template, 9, 10, "lead")
    text = template.read_text(encoding="utf-8")
    assert "  - key: lead\n    previousKeys: [qualify, qualify_lead]\n" in text
    assert _cli(applied, "validate")[0] == 0


async def test_a_step_key_is_not_renamed(client: LanguageClient, applied: Path) -> None:
    template = applied / "config" / "t.yaml"
    open_file(client, template)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(template)),
            position=lsp.Position(line=13, character=15),
            new_name="kyc2",
        )
    )
    assert edit is None
