"""Our schemas in the editor admins use: Red Hat's yaml-language-server (the engine of VS
Code's YAML support), started over stdio on documents of ``config/`` with their modelines.

It is installed by ``scripts/yaml-server`` (npm, into ``tests/.node/``; ``scripts/test`` runs
it). Without it these tests skip, naming the reason; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).parents[2]
SERVER = ROOT / "tests" / ".node" / "node_modules" / "yaml-language-server" / "bin"
KINDS = {"products": "product", "coverage-groups": "coverage-group"}
KINDS["templates"] = "opportunity-template"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (SERVER / "yaml-language-server").exists():
        return "yaml-language-server is not installed in tests/.node (npm unreachable?)"
    return None


if (reason := _missing()) is not None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run it (see scripts/yaml-server)", pytrace=False)
    pytest.skip(f"{reason}: run scripts/yaml-server", allow_module_level=True)

pytestmark = pytest.mark.asyncio(loop_scope="module")
CONFIG = ClientServerConfig(
    server_command=["node", str(SERVER / "yaml-language-server"), "--stdio"]
)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:
        return None

    params = lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri()
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    item = lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    client.diagnostics.pop(uri, None)
    while uri not in client.diagnostics:
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def _labels(client: LanguageClient, uri: str, line: int, column: int) -> set[str]:
    where = lsp.TextDocumentIdentifier(uri=uri)
    params = lsp.CompletionParams(text_document=where, position=lsp.Position(line, column))
    found = await client.text_document_completion_async(params)
    items = found.items if isinstance(found, lsp.CompletionList) else found or []
    return {item.label for item in items}


def _schema(kind: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    )
    return result


async def test_a_template_gets_fields_enums_and_schema_errors(client: LanguageClient) -> None:
    path = ROOT / "config" / "templates" / "new_account.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    lines = text.replace("category: product", "category: nonsense").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("category:"))
    lines.insert(at + 1, "")  # an empty line at the top level: which fields are left?
    uri = _open(client, path, "\n".join(lines) + "\n")
    found = await _diagnostics(client, uri)
    schema = _schema("opportunity-template")
    allowed = schema["properties"]["category"]["enum"]
    assert [(d.range.start.line, d.message) for d in found] == [
        (at, "Value is not accepted. Valid values: " + ", ".join(f'"{v}"' for v in allowed) + ".")
    ]
    assert await _labels(client, uri, at, len("category: ")) == set(allowed)
    present = {line.split(":")[0] for line in lines if line[:1].isalpha()}
    fields = await _labels(client, uri, at + 1, 0)
    assert fields == set(schema["properties"]) - present != set()


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _sample(node: dict[str, Any]) -> str:
    if "const" in node:
        return json.dumps(node["const"])
    return json.dumps((node.get("enum") or node.get("examples") or ["x"])[0])


def _document(
    node: dict[str, Any], schema: dict[str, Any], choice: int, indent: int = 0
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Lines of a document holding every field of ``node`` (alternatives by ``choice``),
    each with the schema of the field named on it."""
    pad = " " * indent
    for name, field in _resolve(node, schema)["properties"].items():
        target = _resolve(field, schema)
        options = [_resolve(a, schema) for a in target.get("anyOf", [])]
        objects = [o for o in options if "properties" in o]
        items = _resolve(target.get("items", {}), schema)
        if "properties" in target or objects:
            inner = target if "properties" in target else objects[choice % len(objects)]
            yield f"{pad}{name}:", field
            yield from _document(inner, schema, choice, indent + 2)
        elif "properties" in items:
            yield f"{pad}{name}:", field
            yield f"{pad}  -", None
            yield from _document(items, schema, choice, indent + 4)
        else:
            yield f"{pad}{name}: {_sample(target)}", field


@pytest.mark.parametrize("folder", KINDS)
async def test_every_field_has_a_description_on_hover(client: LanguageClient, folder: str) -> None:
    name = KINDS[folder]
    schema = _schema(name)
    seen: set[int] = set()
    for choice in range(2):  # both object forms of an assignee
        rows = list(_document(schema, schema, choice))
        text = f"# yaml-language-server: $schema=../../schemas/{name}.schema.json\n"
        text += "\n".join(line for line, _ in rows) + "\n"
        uri = _open(client, ROOT / "config" / folder / f"hover-{choice}.yaml", text)
        for number, (line, field) in enumerate(rows, start=1):
            if field is None or id(field) in seen:
                continue
            seen.add(id(field))
            described = [field.get("description") or _resolve(field, schema)["description"]]
            # On a value of one of its object forms (an assignee {role: …}), the editor
            # shows that form's description instead of the field's.
            forms = [_resolve(a, schema) for a in _resolve(field, schema).get("anyOf", [])]
            described += [f["description"] for f in forms if "properties" in f]
            where = lsp.TextDocumentIdentifier(uri=uri)
            column = len(line) - len(line.lstrip())
            params = lsp.HoverParams(text_document=where, position=lsp.Position(number, column))
            hover = await client.text_document_hover_async(params)
            assert hover is not None, line
            assert isinstance(hover.contents, lsp.MarkupContent)
            assert any(d in hover.contents.value for d in described), line
