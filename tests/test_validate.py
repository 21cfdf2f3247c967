"""Validation as a library call (``validate_paths``): layers, counting, ordering, known bugs.

The golden cases (test_validate_cases.py) pin the exact output of each rule; these tests pin
behaviour that is easier to state as a property, and the known bugs (strict xfails: fixing a
bug turns its test into a failure, so the marker gets removed).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from opconf.diagnostics import Diagnostic
from opconf.references import References, inspect_references
from opconf.validate import ValidationResult, validate_paths

REPO = Path(__file__).resolve().parent.parent
REFS = References(
    users={"ajones": True, "opeters": False},
    roles={"advisor": False, "lead_advisor": True},
    product_types=frozenset({"deposit"}),
)
PRODUCT = "apiVersion: opconf/v1\nkind: Product\nkey: {key}\nname: {name}\ntype: deposit\n"
TEMPLATE = """\
apiVersion: opconf/v1
kind: OpportunityTemplate
key: new_account
name: New Account
category: product
entityType: contact
{extra}stages:
  - key: qualify
    name: Qualify
    probability: 10
    steps:
      - {step}
  - {{key: won, name: Closed Won, probability: 100, outcome: won}}
  - {{key: lost, name: Closed Lost, probability: 0, outcome: lost}}
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    return tmp_path / "config"


def validate(
    config: Path, files: dict[str, str], refs: References | None = REFS
) -> ValidationResult:
    for name, text in files.items():
        (config / name).write_text(text, encoding="utf-8")
    return validate_paths([Path("config")], refs)


def found(result: ValidationResult) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.file, d.line, d.column) for d in result.diagnostics]


def template(step: str = "{key: call, name: Call, type: call}", extra: str = "") -> str:
    return TEMPLATE.format(step=step, extra=extra)


# --------------------------------------------------------------------------- behaviour


def test_clean_config(config: Path) -> None:
    result = validate(config, {"p.yaml": PRODUCT.format(key="p", name="P"), "t.yaml": template()})
    assert result.diagnostics == []
    assert (result.files, result.objects, result.valid(), result.valid(strict=True)) == (
        2,
        2,
        True,
        True,
    )


def test_without_refs_one_info_note_and_still_valid(config: Path) -> None:
    result = validate(config, {"p.yaml": PRODUCT.format(key="p", name="P")}, refs=None)
    assert [(d.code, d.severity, d.file) for d in result.diagnostics] == [("OPC290", "info", "")]
    assert result.valid(strict=True)


def test_reference_checks_are_skipped_without_refs(config: Path) -> None:
    group = (
        "apiVersion: opconf/v1\nkind: CoverageGroup\nkey: g\nname: G\n"
        "members: [{user: nobody, role: no_role}]\n"
    )
    files = {"g.yaml": group, "p.yaml": PRODUCT.format(key="p", name="P").replace("deposit", "x")}
    assert [d.code for d in validate(config, files, refs=None).diagnostics] == ["OPC290"]
    assert sorted(d.code for d in validate(config, files).diagnostics) == [
        "OPC250",
        "OPC252",
        "OPC253",
    ]


def test_warnings_fail_only_when_strict(config: Path) -> None:
    inactive = PRODUCT.format(key="p", name="P") + "active: false\n"
    result = validate(config, {"p.yaml": inactive, "t.yaml": template(extra="products: [p]\n")})
    assert [(d.code, d.severity) for d in result.diagnostics] == [("OPC212", "warning")]
    assert result.valid() and not result.valid(strict=True)


def test_all_layers_reported_in_one_pass_sorted_by_file_and_line(config: Path) -> None:
    result = validate(
        config,
        {
            "c.yaml": template(extra="products: [nowhere]\n"),  # layer 3
            "a.yaml": "key: [\n",  # layer 1
            "b.yaml": PRODUCT.format(key="B.", name="B"),  # layer 2
            "d.yaml": "- x\n---\n" + PRODUCT.format(key="d", name="D"),  # layer 1, then fine
        },
    )
    assert found(result) == [
        ("OPC002", "config/a.yaml", 2, 1),
        ("OPC105", "config/b.yaml", 3, 6),
        ("OPC210", "config/c.yaml", 7, 12),
        ("OPC007", "config/d.yaml", 1, 1),
    ]
    assert (result.files, result.objects) == (4, 3)


def test_schema_invalid_documents_still_resolve_references(config: Path) -> None:
    """A broken product is reported once, not again as 'unknown product' in each template."""
    broken = PRODUCT.format(key="p", name="P") + "listPrice: -1\n"
    result = validate(config, {"p.yaml": broken, "t.yaml": template(extra="products: [p]\n")})
    assert [d.code for d in result.diagnostics] == ["OPC106"]


def test_semantic_rules_run_on_the_well_typed_part(config: Path) -> None:
    """A bad step type does not hide a pipeline without a won stage (one round, SPEC §3)."""
    bad = TEMPLATE.format(step="{key: call, name: Call, type: fax}", extra="").replace(
        "outcome: won", "outcome: open"
    )
    assert [d.code for d in validate(config, {"t.yaml": bad}).diagnostics] == [
        "OPC222",
        "OPC104",
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("probability: 100, outcome: won", "probability: 150, outcome: won"), "OPC106"),
        (("outcome: won", "outcome: wonn"), "OPC104"),
        (("probability: 0, outcome: lost", "probability: '0', outcome: lost"), "OPC103"),
        (("key: qualify", "key: Qualify."), "OPC105"),
    ],
    ids=["won-150", "unknown-outcome", "string-probability", "bad-stage-key"],
)
def test_a_node_the_schema_reports_is_not_reported_again_by_a_rule(
    config: Path, change: tuple[str, str], code: str
) -> None:
    """Schema and rule on the same node: one diagnostic (a won stage of 150 is not also
    'not 100'; an unknown outcome does not also make 'no won stage')."""
    bad = TEMPLATE.format(step="{key: call, name: Call, type: call}", extra="").replace(*change)
    assert [d.code for d in validate(config, {"t.yaml": bad}).diagnostics] == [code]


def test_a_bad_key_twice_is_two_key_errors_not_a_duplicate(config: Path) -> None:
    text = PRODUCT.format(key="Bad Key", name="P")
    result = validate(config, {"a.yaml": text, "b.yaml": text.replace("name: P", "name: Q")})
    assert [d.code for d in result.diagnostics] == ["OPC105", "OPC105"]


def test_an_empty_stage_list_is_one_error(config: Path) -> None:
    text = TEMPLATE.split("stages:")[0].format(extra="") + "stages: []\n"
    assert [d.code for d in validate(config, {"t.yaml": text}).diagnostics] == ["OPC108"]


def test_ill_typed_lists_and_items_are_skipped_by_the_rules(config: Path) -> None:
    text = TEMPLATE.format(step="7", extra="products: oops\n")
    group = "apiVersion: opconf/v1\nkind: CoverageGroup\nkey: g\nname: G\n"
    group += "members: [1, {role: advisor}]\n"
    result = validate(config, {"t.yaml": text, "g.yaml": group})
    assert [d.code for d in result.diagnostics] == ["OPC103", "OPC101", "OPC103", "OPC103"]


def test_duplicate_keys_in_one_file_name_the_other_document(config: Path) -> None:
    text = PRODUCT.format(key="p", name="P") + "---\n" + PRODUCT.format(key="p", name="Q")
    (diagnostic,) = validate(config, {"p.yaml": text}).diagnostics
    assert diagnostic == Diagnostic(
        "OPC201",
        "error",
        "Product key 'p' is already used at config/p.yaml:1:1",
        "config/p.yaml",
        9,
        6,
        ("key",),
    )


def test_same_key_in_different_kinds_is_fine(config: Path) -> None:
    group = "apiVersion: opconf/v1\nkind: CoverageGroup\nkey: new_account\nname: New Account\n"
    assert validate(config, {"g.yaml": group, "t.yaml": template()}).diagnostics == []


def test_step_assignees_are_checked_against_refs(config: Path) -> None:
    step = "{key: call, name: Call, type: call, assignee: {user: opeters}}"
    result = validate(config, {"t.yaml": template(step)})
    assert [(d.code, d.pointer) for d in result.diagnostics] == [
        ("OPC251", "/stages/0/steps/0/assignee/user")
    ]


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (REPO / "config").is_dir():
        pytest.skip("no example config in this checkout")
    monkeypatch.chdir(REPO)
    refs, problems = inspect_references(REPO / "opconf.refs.yaml")
    assert problems == ()
    result = validate_paths([Path("config")], refs)
    assert [d for d in result.diagnostics if d.severity != "info"] == []
    assert result.objects > 0


# --------------------------------------------------------------------------- known bugs


def test_key_with_trailing_newline_is_rejected(config: Path) -> None:
    text = PRODUCT.format(key='"abc\\n"', name="P")
    assert [d.code for d in validate(config, {"p.yaml": text}).diagnostics] == ["OPC105"]


def test_a_price_beyond_a_float_is_valid_and_exact(config: Path) -> None:
    text = PRODUCT.format(key="p", name="P") + "listPrice: 1e400\n"
    result = validate(config, {"p.yaml": text})
    assert result.diagnostics == []
    assert result.index.docs("Product")[0].data["listPrice"] == Decimal("1e400")


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("1e131072", "listPrice 1e+131072 is out of range: more than 131072 digits before"),
        ("1e-16384", "listPrice 1e-16384 is out of range: more than 16383 digits after"),
        (
            "1" * 200000,
            "listPrice 11111111111111111111…1111111111 (200000 characters) is out of range: "
            "more than 131072 digits before",
        ),
    ],
    ids=["large", "small", "long"],
)
def test_a_price_beyond_the_store_is_refused_and_still_counts(
    config: Path, price: str, message: str
) -> None:
    """The store's NUMERIC holds 131072 digits before the point and 16383 after. The product
    keeps its key: the template that sells it gets no 'unknown product'."""
    text = PRODUCT.format(key="p", name="P") + f"listPrice: {price}\n"
    template_ = template(extra="products: [p]\n")
    [problem] = validate(config, {"p.yaml": text, "t.yaml": template_}).diagnostics
    assert (problem.code, problem.line, problem.column) == ("OPC106", 6, 12)
    assert problem.message == message + " the decimal point"


def test_the_largest_prices_the_store_holds_are_valid(config: Path) -> None:
    prices = ["9" * 131072 + "." + "9" * 16383, "1e-16383", "1.0" + "0" * 20000, "-0.0"]
    files = {
        f"p{i}.yaml": PRODUCT.format(key=f"p{i}", name=f"P{i}") + f"listPrice: {price}\n"
        for i, price in enumerate(prices)
    }
    assert validate(config, files).diagnostics == []


def test_a_file_named_twice_is_read_once(config: Path) -> None:
    (config / "p.yaml").write_text(PRODUCT.format(key="p", name="P"))
    result = validate_paths([Path("config"), config.resolve()], REFS)
    assert (result.files, result.diagnostics) == (1, [])


@pytest.mark.parametrize(
    ("field", "text"), [("description", "~"), ("unitOfMeasure", "true")], ids=["null", "bool"]
)
def test_wrong_type_message_does_not_repeat_itself(config: Path, field: str, text: str) -> None:
    product = PRODUCT.format(key="p", name="P") + f"{field}: {text}\n"
    (diagnostic,) = validate(config, {"p.yaml": product}).diagnostics
    assert diagnostic.code == "OPC103"
    assert diagnostic.message.count(text.replace("~", "null")) == 1, diagnostic.message


@pytest.mark.parametrize(
    "assignee",
    ["{rol: advisor}", "{role: advisor, user: ajones}", "{role: 7}"],
)
def test_wrong_assignee_mapping_gets_a_useful_message(config: Path, assignee: str) -> None:
    step = f"{{key: call, name: Call, type: call, assignee: {assignee}}}"
    diagnostics = validate(config, {"t.yaml": template(step)}).diagnostics
    assert diagnostics
    assert all("None" not in d.message for d in diagnostics), diagnostics
    assert all(d.pointer.startswith("/stages/0/steps/0/assignee") for d in diagnostics)
