"""The committed JSON Schemas: up to date with the models, valid, and read alike by both validators.

Validation asks jsonschema-rs (fast) whether a document is valid and python-jsonschema (the
reference) for the messages; a document the two disagree on is either accepted without a
message or rejected without one, so they must agree on every document we know of.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from referencing import Registry, Resource

from opconf.load.discover import discover
from opconf.load.yamlread import read_file
from opconf.models import KINDS, SCHEMA_NAMES
from opconf.schema.generate import expected_files

REPO = Path(__file__).resolve().parent.parent
FOLDERS = [REPO / "schemas", REPO / "opconf" / "schema" / "files"]
CASES = Path(__file__).parent / "cases" / "validate"
EXAMPLE_CONFIG = REPO / "config"
GENERATED = expected_files()


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: str(f.relative_to(REPO)))
def test_committed_schemas_match_the_models(folder: Path) -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.schema.json")}
    stale = sorted(name for name in GENERATED if committed.get(name) != GENERATED[name])
    extra = sorted(set(committed) - set(GENERATED) - {"plan.schema.json"})
    assert stale == [], f"{folder} is out of date: run `opconf schema` and commit the result"
    assert extra == [], f"{folder} holds schemas no model generates: {extra}"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = json.loads(GENERATED[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema_rs.meta.is_valid(schema)


# --------------------------------------------------------------------------- agreement


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in GENERATED.items()}


@cache
def _validators(name: str) -> tuple[Any, Any]:
    """(fast, reference) validators of one schema, resolving ``$ref`` between our schemas."""
    by_id = {s["$id"]: s for s in _schemas().values()}
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for uri, schema in by_id.items()
    )
    schema = _schemas()[name]
    fast = jsonschema_rs.Draft202012Validator(schema, retriever=lambda uri: by_id[uri])
    reference = jsonschema.Draft202012Validator(schema, registry=registry)
    return fast, reference


def _disagreements(data: dict[str, Any]) -> list[str]:
    """Schemas on which the validators disagree about ``data``."""
    names = ["opconf.schema.json"]
    if data.get("kind") in KINDS:
        names.append(f"{SCHEMA_NAMES[data['kind']]}.schema.json")
    out = []
    for name in names:
        fast, reference = _validators(name)
        if fast.is_valid(data) != reference.is_valid(data):
            out.append(name)
    return out


def _documents(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in discover([folder]):
        for doc in read_file(path, str(path.relative_to(folder))).documents:
            docs.append((f"{doc.file}#{doc.index}", doc.data))
    return docs


def _corpora() -> list[Path]:
    folders = sorted(p / "config" for p in CASES.iterdir() if (p / "config").is_dir())
    return [*folders, EXAMPLE_CONFIG] if EXAMPLE_CONFIG.is_dir() else folders


@pytest.mark.parametrize("folder", _corpora(), ids=lambda f: f.parent.name)
def test_validators_agree_on_every_known_document(folder: Path) -> None:
    docs = _documents(folder)
    disagreements = {where: names for where, data in docs if (names := _disagreements(data))}
    assert disagreements == {}


def test_the_corpus_is_not_empty() -> None:
    """The agreement test above is only as good as its documents: both outcomes occur."""
    _, reference = _validators("product.schema.json")
    products = [
        data for folder in _corpora() for _, data in _documents(folder)
        if data.get("kind") == "Product"
    ]  # fmt: skip
    outcomes = {reference.is_valid(data) for data in products}
    assert outcomes == {True, False}
    assert len(products) > 20


def test_any_document_schema_dispatches_on_kind() -> None:
    fast, reference = _validators("opconf.schema.json")
    product = {"apiVersion": "opconf/v1", "kind": "Product", "key": "p", "name": "P", "type": "t"}
    assert fast.is_valid(product) and reference.is_valid(product)
    wrong = {**product, "kind": "CoverageGroup"}  # a product's fields are not a group's
    assert not fast.is_valid(wrong) and not reference.is_valid(wrong)
    unknown = {**product, "kind": "Widget"}
    assert not fast.is_valid(unknown) and not reference.is_valid(unknown)


PRODUCT = {"apiVersion": "opconf/v1", "kind": "Product", "key": "p", "name": "P", "type": "t"}


@pytest.mark.parametrize(
    "change",
    [
        {"listPrice": 0},
        {"listPrice": 0.1},
        {"listPrice": 10**30},
        {"listPrice": -0.0},
        {"listPrice": True},
        {"active": 1},
        {"name": "é" * 120},
        {"name": "😀" * 120},
        {"name": "😀" * 121},
        {"key": "a" * 64},
        {"key": "é"},
        {"key": "a\u0130"},
        {"code": ""},
        {"previousKeys": []},
        {"previousKeys": ["a", "a"]},
    ],
    ids=repr,
)
def test_validators_agree_on_edge_values(change: dict[str, Any]) -> None:
    assert _disagreements({**PRODUCT, **change}) == []


@pytest.mark.parametrize(
    "change", [{"key": "abc\n"}, {"listPrice": float("inf")}], ids=["trailing-newline", "inf"]
)
def test_validators_disagreeing_still_yields_an_error(change: dict[str, Any]) -> None:
    """python-jsonschema's `$` accepts a trailing newline and it takes inf as a number;
    where only the strict validator objects, its finding is reported."""
    from opconf.load.yamlread import Document
    from opconf.validate.schema_check import check_schema

    doc = Document("t.yaml", 0, 1, 1, {**PRODUCT, **change})
    assert check_schema(doc, "Product")
