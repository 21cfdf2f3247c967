"""The rule catalogue (opconf/validate/catalogue.py) and docs/rules.md stay in step."""

from __future__ import annotations

import re
from pathlib import Path

from opconf.validate.catalogue import PLAN_CODES, RULES, help_uri

CODES = RULES | PLAN_CODES  # every code docs/rules.md documents

REPO = Path(__file__).resolve().parent.parent
DOCS = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
CASES = Path(__file__).parent / "cases" / "validate"

HEADING = re.compile(r"^### (OPC\d{3}) — (.+)$", re.MULTILINE)
SEVERITY = re.compile(r"\*\*Severity:\*\* (error|warning|info)")


def sections() -> dict[str, str]:
    """Code → the text of its section (up to the next heading)."""
    parts = re.split(r"^#{2,3} ", DOCS, flags=re.MULTILINE)
    return {m.group(1): part for part in parts if (m := re.match(r"(OPC\d{3}) — ", part))}


def test_every_code_has_a_section_and_every_section_a_code() -> None:
    documented = [m.group(1) for m in HEADING.finditer(DOCS)]
    assert len(documented) == len(set(documented)), "a code is documented twice"
    assert sorted(set(CODES) - set(documented)) == [], "codes missing from docs/rules.md"
    assert sorted(set(documented) - set(CODES)) == [], "docs/rules.md documents unknown codes"


def test_headings_use_the_catalogue_titles() -> None:
    titles = {m.group(1): m.group(2) for m in HEADING.finditer(DOCS)}
    assert {code: titles.get(code) for code in CODES} == CODES


def test_help_links_land_on_the_section() -> None:
    """SARIF links each result to ``rules.md#opcNNN``: an explicit anchor above the heading."""
    for code in CODES:
        fragment = help_uri(code).split("#", 1)[1]
        assert f'<a id="{fragment}"></a>\n\n### {code} — ' in DOCS, code


def test_every_section_has_layer_severity_and_fix() -> None:
    found = sections()
    assert sorted(found) == sorted(CODES)
    for code, text in found.items():
        assert "**Layer:**" in text, code
        assert SEVERITY.search(text), code
        assert "**Fix:**" in text, code


def test_documented_severity_matches_what_validate_reports() -> None:
    """Checked against the reviewed golden outputs, so the docs cannot drift from the code."""
    documented = {code: SEVERITY.search(text).group(1) for code, text in sections().items()}  # type: ignore[union-attr]
    reported: dict[str, set[str]] = {}
    for expected in CASES.glob("*/expected.txt"):
        project = expected.parent / "opconf.yaml"
        if project.exists() and "\nrules:" in "\n" + project.read_text(encoding="utf-8"):
            continue  # the project sets severities of its own
        for line in expected.read_text(encoding="utf-8").splitlines():
            if m := re.search(r"(?:^|: )(error|warning|info) (OPC\d{3}) ", line):
                reported.setdefault(m.group(2), set()).add(m.group(1))
    assert len(reported) > 40
    assert {code: {documented[code]} for code in reported} == reported


def test_index_table_lists_every_code_once() -> None:
    rows = re.findall(r"^\| \[(OPC\d{3})\]\(#(opc\d{3})\) \| (.+?) \|", DOCS, re.MULTILINE)
    assert [code for code, _, _ in rows] == sorted(CODES)
    assert all(anchor == code.lower() for code, anchor, _ in rows)
    assert {code: title for code, _, title in rows} == CODES


def test_links_inside_the_page_resolve() -> None:
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', DOCS))
    links = set(re.findall(r"\]\(#([a-z0-9-]+)\)", DOCS))
    assert links and links <= anchors
