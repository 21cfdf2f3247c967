"""Waived findings on the catalogue's view model: each is put on the object it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf.catalogue import build
from opconf.catalogue.waived import Waived, by_object
from opconf.diagnostics import Diagnostic

from .pages import ROOT, run
from .test_model import desired, pipeline, stage, template


def waived(code: str, file: str, line: int, path: tuple[str | int, ...] = ()) -> Diagnostic:
    return Diagnostic(code, "error", f"{code} says no", file, line, 3, path, waived="legacy")


def test_a_waived_finding_belongs_to_the_document_it_is_in() -> None:
    a = desired("OpportunityTemplate", template("a", pipeline(stage("x", 10))), "t.yaml:1:1")
    b = desired("OpportunityTemplate", template("b", pipeline(stage("x", 10))), "t.yaml:12:1")
    c = desired("OpportunityTemplate", template("c", pipeline(stage("x", 10))), "c:d.yaml:1:1")
    found = by_object(
        [a, b, c],
        [
            waived("OPC226", "t.yaml", 20, ("stages", 1, "probability")),
            waived("OPC223", "t.yaml", 12),
            waived("OPC223", "t.yaml", 4),
            Diagnostic("OPC229", "warning", "counted, not waived", "t.yaml", 5),
            waived("OPC223", "c:d.yaml", 9),  # a colon in the file name
            waived("OPC223", "other.yaml", 9),  # no object of this catalogue
        ],
    )
    assert found == {
        ("OpportunityTemplate", "a"): (Waived("OPC223", "OPC223 says no", "legacy", ""),),
        ("OpportunityTemplate", "b"): (
            Waived("OPC226", "OPC226 says no", "legacy", "stages[1].probability"),
            Waived("OPC223", "OPC223 says no", "legacy", ""),
        ),
        ("OpportunityTemplate", "c"): (Waived("OPC223", "OPC223 says no", "legacy", ""),),
    }


def test_the_view_model_marks_waived_objects_in_the_list_and_the_details() -> None:
    a = desired("OpportunityTemplate", template("a", pipeline(stage("x", 10))), "t.yaml:1:1")
    b = desired("OpportunityTemplate", template("b", pipeline(stage("x", 10))), "t.yaml:12:1")
    marks = by_object([a, b], [waived("OPC226", "t.yaml", 20), waived("OPC223", "t.yaml", 13)])
    catalogue = build([a, b], waived=marks)
    (tab, *_) = catalogue.tabs
    assert [(e.key, e.waived) for e in tab.entries] == [("a", ()), ("b", ("OPC223", "OPC226"))]
    assert (tab.waived, catalogue.waived) == (1, 1)
    assert catalogue.waived_summary == "1 object with waived findings"
    assert "waived" not in catalogue.details["template"]["a"]
    assert [w["code"] for w in catalogue.details["template"]["b"]["waived"]] == [
        "OPC226",
        "OPC223",
    ]


def test_the_command_counts_the_objects_it_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT / "tests" / "cases" / "catalogue" / "waived")
    code, out, err = run(capsys, "catalogue", "--out", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.endswith(
        "2 templates, 0 coverage groups, 2 products; 3 objects with waived findings.\n"
    )
