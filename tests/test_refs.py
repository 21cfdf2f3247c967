"""``opconf refs pull``: the reference snapshot, written from the store, read back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf.cli import main
from opconf.emit.export import ExportError
from opconf.emit.refs import render
from opconf.fmt import format_text
from opconf.load.yamlread import read_file
from opconf.references import load_references
from opconf.store import Store

ROOT = Path(__file__).resolve().parents[1]


def test_pull_writes_the_committed_snapshot_of_the_demo_crm(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo seed is the CRM the example config was written against: pulling its
    reference data gives back the committed opconf.refs.yaml, byte for byte."""
    Store(store_url).init(demo=True)
    out = tmp_path / "refs.yaml"
    assert main(["refs", "pull", "--store", store_url, "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"Wrote {out}: 25 users, 13 coverage roles, 11 product types.\n"
    )
    assert out.read_text() == (ROOT / "opconf.refs.yaml").read_text()


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "a@b.com",
        "yes",
        "NO",
        "123",
        "1.5",
        "true",
        "null",
        "",
        " pad",
        "a: b",
        "x #y",
        "[x]",
        "-lead",
        "O'Brien",
        'say "hi"',
        "é",
        "tab\there",
        "line\nbreak",
        "~",
        "0x10",
        "🎉 עברית",
        "x" * 150,
    ],
)
def test_every_string_reads_back_unchanged(value: str, tmp_path: Path) -> None:
    data = {
        "users": [{"login": "u", "displayName": value, "email": value, "active": True}],
        "coverageRoles": [{"code": "r", "name": value, "unique": False}],
        "productTypes": [{"code": "t", "name": value}],
    }
    path = tmp_path / "opconf.refs.yaml"
    path.write_text(render(data))
    refs = load_references(path)
    assert refs is not None and refs.users == {"u": True}
    (doc,) = read_file(path, "refs").documents
    assert doc.data == data
    assert format_text(render(data)) == render(data)  # written as fmt writes it


def test_missing_values_and_empty_sections() -> None:
    data = {
        "users": [{"login": "u", "displayName": None, "email": None, "active": False}],
        "coverageRoles": [],
        "productTypes": [],
    }
    text = render(data)
    assert text.splitlines()[1:] == [
        "users:",
        "  - {login: u, displayName: null, email: null, active: false}",
        "coverageRoles: []",
        "productTypes: []",
    ]


def test_control_character_is_refused() -> None:
    data = {"users": [], "coverageRoles": [], "productTypes": [{"code": "t", "name": "a\x1bb"}]}
    with pytest.raises(ExportError, match=r"productTypes\[0\]\.name holds U\+001B"):
        render(data)
