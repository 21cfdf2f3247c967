"""The YAML reader: YAML 1.2 with JSON semantics, problems as data, positions on demand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from opconf.diagnostics import Diagnostic
from opconf.errors import UsageError
from opconf.load.builder import MAX_ALIAS_NODES, MAX_DEPTH
from opconf.load.discover import discover
from opconf.load.locate import Locator
from opconf.load.scalars import plain_scalar
from opconf.load.yamlread import read_file, read_text


def value(text: str) -> Any:
    """The value of ``v`` in a one-line document ``v: <text>``."""
    result = read_text(f"v: {text}\n", "t.yaml")
    assert result.diagnostics == []
    return result.documents[0].data["v"]


def codes(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in read_text(text, "t.yaml").diagnostics]


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    "text",
    [
        "NO", "no", "No", "yes", "Yes", "YES", "on", "On", "off", "OFF", "y", "n",
        "True", "TRUE", "False", "Null", "NULL",
        "2024-01-01", "2024-01-01T10:00:00Z", "12:30:00",
        "1_000", "0x1F", "0o17", "0b101", "+0x1F",
        ".inf", "-.inf", "+.inf", ".Inf", ".nan", ".NaN",
        "1.2.3", "1e", "+", ".", "-x", "1 000", "v1", "opconf/v1",
    ],
)  # fmt: skip
def test_yaml_11_and_other_lookalikes_stay_strings(text: str) -> None:
    assert value(text) == text


def test_booleans() -> None:
    assert value("true") is True
    assert value("false") is False


@pytest.mark.parametrize("text", ["null", "~", ""])
def test_nulls(text: str) -> None:
    assert value(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("007", 7),
        ("12345678901234567890", 12345678901234567890),
    ],
)
def test_integers(text: str, expected: int) -> None:
    result = value(text)
    assert type(result) is int
    assert result == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.75", "0.75"),
        ("-1.5", "-1.5"),
        ("1.", "1"),
        (".5", "0.5"),
        ("1e3", "1E+3"),
        ("2.5E-2", "0.025"),
    ],
)
def test_numbers_are_exact_decimals(text: str, expected: str) -> None:
    result = value(text)
    assert type(result) is Decimal
    assert result == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "0.1",
        "123456789012345678901234567890.5",  # beyond a float, and beyond the 28-digit context
        "0.000000000000000000000000000001",
        "1e400",
        "99999999999999999999999999999999999999.99999999999999999999",
    ],
)
def test_numbers_keep_every_digit(text: str) -> None:
    assert value(text).as_tuple() == Decimal(text).as_tuple()


def test_integers_of_any_length_never_crash() -> None:
    """int() refuses more than 4,300 digits; such an integer stays an exact Decimal."""
    assert value("9" * 4300) == int("9" * 4300)
    assert value("9" * 5000) == Decimal("9" * 5000)
    assert value("!!int " + "9" * 5000) == Decimal("9" * 5000)


def test_numbers_of_any_size_are_read_exactly() -> None:
    """How large a price may be is the schema's business (the store's NUMERIC), not the
    reader's: no size makes the reader round, crash or refuse."""
    assert value("1e999999999") == Decimal("1e999999999")
    assert value("-1e-999999999") == Decimal("-1e-999999999")
    assert value("1" * 200000 + ".5") == Decimal("1" * 200000 + ".5")
    assert value("!!float 1e999999999") == Decimal("1e999999999")


@pytest.mark.parametrize("text", ["'true'", '"false"', "'null'", '"42"', "'1.5'", '""', "''"])
def test_quoted_scalars_are_strings(text: str) -> None:
    assert value(text) == text[1:-1]


def test_block_scalars_are_strings() -> None:
    result = read_text("a: |\n  true\nb: >-\n  42\n", "t.yaml")
    assert result.documents[0].data == {"a": "true\n", "b": "42"}


def test_plain_scalar_resolver() -> None:
    assert plain_scalar("") is None
    assert plain_scalar("10") == 10
    assert plain_scalar("10.0") == 10.0
    assert plain_scalar("10x") == "10x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!!str 12", "12"),
        ("!!str true", "true"),
        ("!!int 12", 12),
        ("!!float 1.5", Decimal("1.5")),
        ("!!bool false", False),
        ("!!null ''", None),
        ("!!null", None),
    ],
)
def test_core_tags(text: str, expected: Any) -> None:
    result = value(text)
    assert type(result) is type(expected)
    assert result == expected


def test_keys_are_strings_even_when_they_look_like_other_things() -> None:
    data = read_text("1: a\ntrue: b\nnull: c\n2024-01-01: d\n", "t.yaml").documents[0].data
    assert data == {"1": "a", "true": "b", "null": "c", "2024-01-01": "d"}


def test_collections() -> None:
    text = "m: {a: 1, b: [x, 2.5, true, ~]}\nl:\n  - k: v\n  - []\n"
    data = read_text(text, "t.yaml").documents[0].data
    assert data == {"m": {"a": 1, "b": ["x", 2.5, True, None]}, "l": [{"k": "v"}, []]}


def test_aliases_within_budget_are_expanded() -> None:
    text = "base: &b {type: task, required: true}\nsteps: [*b, *b]\n"
    data = read_text(text, "t.yaml").documents[0].data
    assert data["steps"] == [{"type": "task", "required": True}] * 2


def test_merge_keys_are_not_special() -> None:
    """YAML 1.2 has no ``<<`` merge: it is an ordinary key (the schema rejects it)."""
    data = read_text("a: &a {x: 1}\nb:\n  <<: *a\n", "t.yaml").documents[0].data
    assert data["b"] == {"<<": {"x": 1}}


# --------------------------------------------------------------------------- documents


def test_multi_document_file() -> None:
    text = "# header\na: 1\n---\nb: 2\n---\n---\n# only a comment\n---\nc: 3\n...\n"
    result = read_text(text, "t.yaml")
    assert result.diagnostics == []
    docs = result.documents
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, {"c": 3}]
    # index counts every document, empty ones too, so the Locator finds the same one again
    assert [(d.index, d.line, d.column) for d in docs] == [(0, 2, 1), (1, 4, 1), (4, 9, 1)]
    assert {d.file for d in docs} == {"t.yaml"}


def test_empty_file_has_no_documents() -> None:
    assert read_text("", "t.yaml").documents == []
    assert read_text("# just a comment\n", "t.yaml").documents == []


def test_a_bad_document_does_not_hide_the_good_ones() -> None:
    result = read_text("a: 1\n---\n- x\n---\nb: 2\nb: 3\n---\nc: 4\n", "t.yaml")
    assert [d.data for d in result.documents] == [{"a": 1}, {"c": 4}]
    assert [(d.code, d.line) for d in result.diagnostics] == [("OPC007", 3), ("OPC003", 6)]


def test_syntax_error_keeps_earlier_documents() -> None:
    result = read_text("a: 1\n---\nb: [\n", "t.yaml")
    assert [d.data for d in result.documents] == [{"a": 1}]
    assert [d.code for d in result.diagnostics] == ["OPC002"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\n\t\nb: 2\n", {"a": 1, "b": 2}),  # a blank line holding a tab
        ("a:\n  b: 1\n \t \n  c: 2\n", {"a": {"b": 1, "c": 2}}),
        ("a:\n  - x\n  -\ty\n", {"a": ["x", "y"]}),  # a tab after '-'
        ("a:\n  -\tb: 1\n    c: 2\n", {"a": [{"b": 1, "c": 2}]}),
        ("a:\n- - x\n  -\t- y\n", {"a": [["x", ["y"]]]}),
        ("a: |\n  x\n  \t\n  y\n", {"a": "x\n\t\ny\n"}),  # content: kept as it is
        ("a: [1,\n\t\n 2]\n", {"a": [1, 2]}),
    ],
)
def test_tabs_yaml_reads_as_white_space(text: str, expected: Any) -> None:
    result = read_text(text, "t.yaml")
    assert (result.diagnostics, [d.data for d in result.documents]) == ([], [expected])


def test_tabs_that_are_not_white_space_stay_errors_where_they_are() -> None:
    assert codes("a: 1\n\tb: 2\n") == [("OPC002", 2, 1)]  # indentation
    assert codes("a: |\n  x\n\t\n  y\n") == [("OPC002", 3, 1)]  # ends a block scalar
    assert codes("a: 1\r\t\rb: 2\r")[0][0] == "OPC002"  # lines by CR alone: not guessed
    blank = "".join(f"k{i}: 1\n\t\n" for i in range(150)) + "b: |\n  x\n\t\n  y\n"
    assert codes(blank) == [("OPC002", 303, 1)]  # 150 lines read again, then the error
    many = "".join(f"k{i}: 1\n\t\n" for i in range(300))
    assert codes(many) == [("OPC002", 402, 1)]  # read again 200 times at most


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_file(path, "bom.yaml").documents[0].data == {"a": 1}


def test_problems_carry_file_line_column_and_path() -> None:
    result = read_text("a:\n  b: 1\n  b: 2\n", "dir/t.yaml")
    assert result.diagnostics == [
        Diagnostic("OPC003", "error", "duplicate key 'b'", "dir/t.yaml", 3, 3, ("a", "b"))
    ]


# --------------------------------------------------------------------------- hostile input


def test_unsupported_tags() -> None:
    assert codes("a: !!python/object/apply:os.system [true]\n") == [("OPC004", 1, 4)]
    assert codes("a: !local x\n") == [("OPC004", 1, 4)]
    assert codes("!!python/object:os.Foo {a: 1}\n") == [("OPC004", 1, 1)]
    assert codes("a: !!omap [b: 1]\n") == [("OPC004", 1, 4)]
    assert codes("? !!python/name:os.system x\n: 1\n") == [("OPC004", 1, 3)]


def test_invalid_core_tag_values() -> None:
    result = read_text("a: !!int twelve\nb: !!bool yes\n", "t.yaml")
    assert [d.message for d in result.diagnostics] == [
        "'twelve' is not a valid !!int value",
        "'yes' is not a valid !!bool value",
    ]


def test_alias_budget() -> None:
    text = "a: &a [" + ", ".join(["x"] * 100) + "]\n"
    text += "b: [" + ", ".join(["*a"] * (MAX_ALIAS_NODES // 100 + 1)) + "]\n"
    result = read_text(text, "t.yaml")
    assert result.documents == []
    assert [d.message for d in result.diagnostics] == [
        f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes"
    ]


def test_recursive_alias() -> None:
    """Reported at the anchored node that contains an alias to itself."""
    assert codes("a: &x\n  b: *x\n") == [("OPC005", 1, 4)]
    assert codes("&a [*a]\n") == [("OPC005", 1, 1)]


def test_depth_limit() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert read_text(ok, "t.yaml").diagnostics == []
    deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert codes(deep) == [("OPC008", 1, 3 + MAX_DEPTH)]


@pytest.mark.parametrize("text", ["a: " + "[" * 50_000 + "]" * 50_000, "- " * 50_000 + "x"])
def test_very_deep_nesting_is_an_error_not_a_crash(text: str) -> None:
    assert [code for code, _, _ in codes(text + "\n")] == ["OPC008"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    assert read_file(path, "latin1.yaml").diagnostics == [
        Diagnostic("OPC001", "error", "not valid UTF-8 (byte 0xe9)", "latin1.yaml", 2, 7)
    ]


def test_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opconf.load import yamlread

    monkeypatch.setattr(yamlread, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    (diagnostic,) = read_file(path, "big.yaml").diagnostics
    assert diagnostic.code == "OPC006"


def test_non_string_keys() -> None:
    assert codes("? [a, b]\n: 1\n") == [("OPC009", 1, 3)]
    assert codes("{a: 1}: x\n") == [("OPC009", 1, 1)]


def test_special_floats_never_come_out_of_the_reader() -> None:
    """JSON has no infinity or NaN."""
    for text in (".inf", "-.inf", ".nan"):
        assert isinstance(value(text), str)


def test_float_tag_accepts_integer_notation() -> None:
    assert value("!!float 1") == 1.0


# --------------------------------------------------------------------------- positions


TEMPLATE = """\
# comment
apiVersion: opconf/v1
kind: OpportunityTemplate
stages:
  - key: qualify
    probability: 10
    steps:
      - {key: kyc, type: document, dueDays: 5}
---
key: second
list: [a, b]
"""


@pytest.fixture
def locator() -> Locator:
    return Locator(lambda name: {"t.yaml": TEMPLATE}[name])


@pytest.mark.parametrize(
    ("index", "path", "at_key", "expected"),
    [
        (0, (), False, (2, 1)),
        (0, ("kind",), False, (3, 7)),
        (0, ("kind",), True, (3, 1)),
        (0, ("stages",), False, (5, 3)),
        (0, ("stages", 0), False, (5, 5)),
        (0, ("stages", 0, "probability"), False, (6, 18)),
        (0, ("stages", 0, "probability"), True, (6, 5)),
        (0, ("stages", 0, "steps", 0, "dueDays"), False, (8, 45)),
        (0, ("stages", 0, "steps", 0, "dueDays"), True, (8, 36)),
        (1, ("list", 1), False, (11, 11)),
        (1, ("key",), False, (10, 6)),
    ],
)
def test_locator_positions(
    locator: Locator, index: int, path: tuple[Any, ...], at_key: bool, expected: tuple[int, int]
) -> None:
    assert locator.position("t.yaml", index, path, at_key=at_key) == expected


def test_locator_stops_at_the_deepest_existing_node(locator: Locator) -> None:
    """A missing field is reported at the mapping that lacks it."""
    assert locator.position("t.yaml", 0, ("stages", 0, "name")) == (5, 5)
    assert locator.position("t.yaml", 0, ("stages", 7, "key")) == (5, 3)
    assert locator.position("t.yaml", 9, ("kind",)) == (1, 1)


def test_locator_reads_each_file_once() -> None:
    reads: list[str] = []

    def source(name: str) -> str:
        reads.append(name)
        return TEMPLATE

    locator = Locator(source)
    locator.position("t.yaml", 0, ("kind",))
    locator.position("t.yaml", 1, ("key",))
    assert reads == ["t.yaml"]


def test_locator_agrees_with_reader_positions() -> None:
    result = read_text(TEMPLATE, "t.yaml")
    locator = Locator(lambda name: TEMPLATE)
    for doc in result.documents:
        assert locator.position("t.yaml", doc.index, ()) == (doc.line, doc.column)


# --------------------------------------------------------------------------- discovery


def test_discover(tmp_path: Path) -> None:
    for name in ["b/z.yaml", "a.yml", "b/a.yaml", "notes.txt", ".git/x.yaml", "b/.hidden/y.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: 1\n")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == [
        "a.yml",
        "b/a.yaml",
        "b/z.yaml",
    ]
    # an explicit file is taken as it is, and a file named twice is read once
    explicit = tmp_path / "notes.txt"
    assert discover([explicit, tmp_path / "b" / "a.yaml", explicit]) == sorted(
        [explicit, tmp_path / "b" / "a.yaml"]
    )


def test_discover_missing_path(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        discover([tmp_path / "nope"])
