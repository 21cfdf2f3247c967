"""``opconf refs pull``: the reference snapshot, written from the store, read back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.emit.export import ExportError
from opconf.emit.refs import render
from opconf.fmt import format_text
from opconf.load.yamlread import read_file
from opconf.references import References, inspect_references
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


def test_pull_no_email_leaves_the_addresses_out(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The snapshot is committed: --no-email keeps the addresses out of git; it still
    validates the example config offline."""
    Store(store_url).init(demo=True)
    out = tmp_path / "refs.yaml"
    assert main(["refs", "pull", "--store", store_url, "--out", str(out), "--no-email"]) == 0
    capsys.readouterr()
    text = out.read_text()
    committed = (ROOT / "opconf.refs.yaml").read_text()
    assert "@" in committed and "email" not in text and "@" not in text
    assert text.count("login:") == committed.count("login:") == 25
    code = main(["validate", "--refs", str(out), str(ROOT / "config")])
    assert (code, capsys.readouterr().err) == (0, "")


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
    refs, problems = inspect_references(path)
    assert problems == ()
    assert refs is not None and refs.users == {"u": True}
    (doc,) = read_file(path, "refs").documents
    assert doc.data == data
    assert format_text(render(data)) == render(data)  # written as fmt writes it


# ------------------------------------------------------------------- checked like a document


def test_snapshot_loads(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text(
        "users:\n  - {login: a, displayName: A, email: a@x, active: false}\n"
        "  - {login: b, displayName: ~, email: ~, active: true}\n  - {login: c}\n"
        "coverageRoles: [{code: r, name: R, unique: true}, {code: s}]\n"
        "productTypes: [{code: t, name: T}]\n"
    )
    assert inspect_references(path) == (
        References(
            users={"a": False, "b": True, "c": True},
            roles={"r": True, "s": False},
            product_types=frozenset({"t"}),
        ),
        (),
    )
    assert inspect_references(tmp_path / "missing.yaml") == (None, ())


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "opconf.refs.yaml"
    path.write_text(text)
    refs, found = inspect_references(path)
    assert refs is None  # a snapshot with errors is not used at all
    return [f"{d.line}:{d.column} {d.code} {d.message}" for d in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'users: [{login: a, active: "false"}]\n',
            '1:28 OPC103 active must be true or false, not a string "false"',
        ),
        (
            "users: [{login: a, active: no}]\n",
            '1:28 OPC103 active must be true or false, not a string "no"',
        ),
        ("coverageRoles: [{code: r, unique: yes}]\n", "1:35 OPC103 unique must be true or false"),
        ("users: [{active: true}]\n", "1:9 OPC101 missing required field 'login'"),
        (
            "users: [{login: a, actve: true}]\n",
            "1:20 OPC102 unknown field 'actve' (did you mean 'active'?)",
        ),
        ("users: {a: true}\n", "1:8 OPC103 users must be a list, not a mapping"),
        ("user: []\n", "1:1 OPC102 unknown field 'user' (did you mean 'users'?)"),
        ("productTypes: [{code: 7}]\n", "1:23 OPC103 code must be a string, not an integer 7"),
        (
            "productTypes: [{code: t, name: 7}]\n",
            "1:32 OPC104 name must be a string or null; got 7",
        ),
        ("users: []\n---\nusers: []\n", "3:1 OPC012 opconf.refs.yaml holds a single document"),
    ],
)
def test_malformed_snapshots_are_located_errors(tmp_path: Path, text: str, expected: str) -> None:
    (found,) = problems(tmp_path, text)
    assert found.startswith(expected), found


PRODUCT = "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: t\n"
GROUP = """\
apiVersion: opconf/v1
kind: CoverageGroup
key: g
name: G
members: [{user: a, role: r}]
"""


def test_validate_reports_the_snapshots_problems_and_skips_its_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`active: "false"` used to mean active; now it is a located error, and no reference
    check runs on a snapshot whose meaning is unknown (no OPC290 note either: there is one)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "g.yaml").write_text(GROUP)
    (tmp_path / "opconf.refs.yaml").write_text(
        'users: [{login: a, active: "false"}]\ncoverageRoles: [{code: r}]\n'
    )
    assert main(["validate"]) == exitcodes.PROBLEMS
    assert capsys.readouterr().out == (
        "opconf.refs.yaml:1:28: error OPC103 active must be true or false, not a string "
        '"false" (did you mean false?) (users[0].active)\n'
        "1 error, 0 warnings in 1 file (1 object checked)\n"
    )


def test_validate_names_a_bad_refs_option_file_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "p.yaml").write_text(PRODUCT)
    (tmp_path / "snap.yaml").write_text("productTypes: [t]\n")
    assert main(["validate", "--refs", "snap.yaml"]) == exitcodes.PROBLEMS
    assert capsys.readouterr().out == (
        "snap.yaml:1:16: error OPC103 productTypes must be a mapping, "
        'not a string "t" (did you mean {code: "t"}?) (productTypes[0])\n'
        "1 error, 0 warnings in 1 file (1 object checked)\n"
    )
    assert main(["validate", "--refs", "missing.yaml"]) == exitcodes.USAGE
    assert capsys.readouterr().err == "error: reference data file missing.yaml does not exist\n"


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
