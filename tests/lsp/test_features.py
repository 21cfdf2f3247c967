"""Completion, hover, definition, references, rename and quick fixes, over stdio, on a small
project: a product and a group in their files, a template using them, a reference snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_file, published, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")

REFS = """\
users:
  - {login: ajones, displayName: Alice Jones, email: a@example.com, active: true}
  - {login: bpatel, displayName: Bhavin Patel, email: b@example.com, active: true}
coverageRoles:
  - {code: advisor, name: Financial Advisor, unique: false}
productTypes:
  - {code: deposit, name: Deposit Account}
  - {code: mortgage, name: Residential Mortgage}
"""
PRODUCTS = """\
apiVersion: opconf/v1
kind: Product
key: savings
name: Savings Account
type: deposit
---
apiVersion: opconf/v1
kind: Product
key: home_loan
name: Home Loan
type: mortgage
"""
GROUP = """\
apiVersion: opconf/v1
kind: CoverageGroup
key: wealth_east
name: Wealth East
members:
  - user: ajones
    role: advisor
"""
TEMPLATE = """\
apiVersion: opconf/v1
kind: OpportunityTemplate
key: onboarding
name: Onboarding
category: product
entityType: contact
defaultCoverageGroup: wealth_east
products: [savings]
stages:
  - key: qualify
    name: Qualify
    probability: 10
    steps:
      - key: kyc
        name: KYC
        type: document
        assignee: owner
  - key: won
    name: Won
    probability: 100
    outcome: won
    replaces: [qualify_old]
  - {key: lost, name: Lost, probability: 0, outcome: lost}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "opconf.yaml").write_text("config: config/\n", encoding="utf-8")
    (tmp_path / "opconf.refs.yaml").write_text(REFS, encoding="utf-8")
    for name, text in {"products.yaml": PRODUCTS, "group.yaml": GROUP, "t.yaml": TEMPLATE}.items():
        (tmp_path / "config" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "config" / name).write_text(text, encoding="utf-8")
    return tmp_path


def _at(line: int, character: int) -> lsp.Position:
    return lsp.Position(line=line, character=character)


async def _complete(
    client: LanguageClient, path: Path, text: str, line: int, col: int
) -> list[str]:
    open_file(client, path, text)
    params = lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri(path)), position=_at(line, col)
    )
    found = await client.text_document_completion_async(params)
    assert isinstance(found, lsp.CompletionList)
    return [item.label for item in found.items]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("products: [savings]", "products: [savings, "), ["home_loan", "savings"]),
        (("defaultCoverageGroup: wealth_east", "defaultCoverageGroup: "), ["wealth_east"]),
        (("replaces: [qualify_old]", "replaces: ["), ["lost", "qualify", "won"]),
        (
            ("assignee: owner", "assignee: "),
            ["owner", "{role: advisor}", "{user: ajones}", "{user: bpatel}"],
        ),
        (("assignee: owner", "assignee: {role: "), ["advisor"]),
        (("assignee: owner", "assignee: {user: "), ["ajones", "bpatel"]),
        (("type: document", "type: "), ["task", "document", "call", "meeting"]),
        (("entityType: contact", "entityType: "), ["contact", "company", "household"]),
    ],
)
async def test_template_completion(
    client: LanguageClient, project: Path, edit: tuple[str, str], expected: list[str]
) -> None:
    old, new = edit
    text = TEMPLATE.replace(old, new)
    line = next(i for i, row in enumerate(text.split("\n")) if new in row)
    column = text.split("\n")[line].index(new) + len(new)
    path = project / "config" / "t.yaml"
    assert await _complete(client, path, text, line, column) == expected


async def test_block_list_items_and_members(client: LanguageClient, project: Path) -> None:
    path = project / "config" / "t.yaml"
    text = TEMPLATE.replace("products: [savings]", "products:\n  - ")
    assert await _complete(client, path, text, 8, 4) == ["home_loan", "savings"]
    group = project / "config" / "group.yaml"
    text = GROUP + "  - user: \n"
    assert await _complete(client, group, text, 7, 10) == ["ajones", "bpatel"]
    text = GROUP + "  - user: bpatel\n    role: \n"
    assert await _complete(client, group, text, 8, 10) == ["advisor"]
    products = project / "config" / "products.yaml"
    text = PRODUCTS.replace("type: mortgage", "type: ")
    assert await _complete(client, products, text, 10, 6) == ["deposit", "mortgage"]


async def _hover(client: LanguageClient, path: Path, line: int, col: int) -> str:
    open_file(client, path)
    params = lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri(path)), position=_at(line, col)
    )
    found = await client.text_document_hover_async(params)
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


async def test_hover(client: LanguageClient, project: Path) -> None:
    path = project / "config" / "t.yaml"
    assert await _hover(client, path, 7, 12) == (
        "**Product** `savings`\n\nSavings Account (config/products.yaml:3)"
    )
    assert await _hover(client, path, 6, 25) == (
        "**CoverageGroup** `wealth_east`\n\nWealth East (config/group.yaml:3)"
    )
    stage_field = await _hover(client, path, 11, 6)
    assert stage_field.startswith("**probability** (integer)\n\nWin probability")
    step_type = await _hover(client, path, 15, 9)
    assert "One of: `task`, `document`, `call`, `meeting`" in step_type
    user = await _hover(client, project / "config" / "group.yaml", 5, 12)
    assert user == "**user** `ajones`\n\nAlice Jones (opconf.refs.yaml:2)"


async def test_definition_and_references(client: LanguageClient, project: Path) -> None:
    path = project / "config" / "t.yaml"
    open_file(client, path)
    document = lsp.TextDocumentIdentifier(uri=uri(path))
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=document, position=_at(7, 12))
    )
    assert isinstance(found, list)
    assert [(f.uri, f.range.start.line, f.range.start.character) for f in found] == [
        (uri(project / "config" / "products.yaml"), 2, 5)
    ]
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=document,
            position=_at(6, 25),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert sorted((Path(r.uri).name, r.range.start.line) for r in refs) == [
        ("group.yaml", 2),
        ("t.yaml", 6),
    ]


async def test_quick_fix_for_did_you_mean(client: LanguageClient, project: Path) -> None:
    path = project / "config" / "t.yaml"
    text = TEMPLATE.replace("products: [savings]", "products: [saving]")
    open_file(client, path, text)
    found = await published(client, [path])
    (diagnostic,) = found[path]
    assert diagnostic.message == "unknown product 'saving' (did you mean 'savings'?)"
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri(path)),
            range=diagnostic.range,
            context=lsp.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    (action,) = actions
    assert isinstance(action, lsp.CodeAction) and action.edit and action.edit.changes
    (edit,) = action.edit.changes[uri(path)]
    assert (edit.new_text, edit.range) == ("savings", diagnostic.range)
    assert (edit.range.start.character, edit.range.end.character) == (11, 17)


async def test_other_yaml_files_are_left_alone(client: LanguageClient, project: Path) -> None:
    """A CI workflow beside the documents gets no opconf completion (nor diagnostics)."""
    workflow = project / ".github" / "ci.yml"
    workflow.parent.mkdir()
    workflow.write_text("name: ci\non: push\n", encoding="utf-8")
    open_file(client, workflow)
    params = lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri(workflow)), position=_at(1, 0)
    )
    assert await client.text_document_completion_async(params) is None


async def test_field_names_of_the_mapping_at_the_cursor(
    client: LanguageClient, project: Path
) -> None:
    path = project / "config" / "t.yaml"
    text = TEMPLATE.replace("        assignee: owner\n", "        assignee: owner\n        du\n")
    found = await _complete(client, path, text, 16, 10)
    assert found == ["key", "name", "type", "required", "dueDays", "assignee"]
    text = TEMPLATE.replace("    probability: 10\n", "    probability: 10\n    gu\n", 1)
    assert "guidance" in await _complete(client, path, text, 12, 6)


async def test_columns_count_utf16_units_after_an_emoji(
    client: LanguageClient, project: Path
) -> None:
    """The editor counts UTF-16 units (😀 is two, 財 one): a diagnostic after them is
    underlined exactly, and a position the editor sends there finds the key."""
    path = project / "config" / "t.yaml"
    text = TEMPLATE.replace("products: [savings]", 'products: ["😀財", savings, savng]')
    open_file(client, path, text)
    found = await published(client, [path])
    line = text.splitlines()[7]
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found[path]] == [
        ("OPC105", 7, line.index('"😀財"')),  # before the emoji: as many units as code points
        ("OPC210", 7, line.index("savng") + 1),  # after it: one more
    ]
    # '"😀財"' is 4 code points, 5 UTF-16 units
    assert [(d.range.end.character - d.range.start.character) for d in found[path]] == [5, 5]
    document = lsp.TextDocumentIdentifier(uri=uri(path))
    at = line.index("savings") + 1  # UTF-16: one more than the code points
    definition = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=document, position=_at(7, at))
    )
    assert isinstance(definition, list)
    assert [(Path(f.uri).name, f.range.start.line) for f in definition] == [("products.yaml", 2)]
