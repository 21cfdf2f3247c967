"""docs/reference.md is generated from the models; every field of every schema a user edits
has a description; no user-facing file points to a specification users do not have."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opconf.kinds import KINDS, PROJECT_SCHEMA, REFS_SCHEMA, SCHEMA_NAMES
from opconf.schema.generate import expected_files
from opconf.schema.reference import expected_reference
from opconf.validate.catalogue import RULES

ROOT = Path(__file__).parents[1]
PAGE = ROOT / "docs" / "reference.md"
EDITED = [f"{SCHEMA_NAMES[k]}.schema.json" for k in KINDS] + [
    f"{PROJECT_SCHEMA}.schema.json",
    f"{REFS_SCHEMA}.schema.json",
]


def test_the_page_matches_the_models() -> None:
    expected = expected_reference()
    if os.environ.get("OPCONF_REGEN") == "1":
        PAGE.write_text(expected, encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/reference.md drifted from opconf/models.py: regenerate it with "
        "OPCONF_REGEN=1 .venv/bin/python -m pytest tests/test_reference.py"
    )


def test_every_code_on_the_page_is_in_the_catalogue() -> None:
    codes = set(re.findall(r"OPC\d{3}", expected_reference()))
    assert codes - set(RULES) == set()


def _fields(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, spec in schema.get("properties", {}).items():
        yield f"{where}.{name}", spec
    for name, inner in schema.get("$defs", {}).items():
        yield from _fields(inner, name)


@pytest.mark.parametrize("name", EDITED)
def test_every_field_has_a_description(name: str) -> None:
    schema = json.loads(expected_files()[name])
    missing = [where for where, spec in _fields(schema, "") if not spec.get("description")]
    assert missing == []


def test_the_schemas_promise_previous_keys_only_where_they_exist() -> None:
    """A step has no previousKeys (OPC102): its key's text must not tell to rename with them."""
    template = json.loads(expected_files()["opportunity-template.schema.json"])
    step = template["$defs"]["Step"]["properties"]
    assert "previousKeys" not in step
    assert "no previousKeys" in step["key"]["description"]
    assert (
        "list the old key in previousKeys"
        in template["$defs"]["Stage"]["properties"]["key"]["description"]
    )


def test_no_user_facing_file_points_to_the_specification() -> None:
    files = [ROOT / "README.md", ROOT / "opconf.yaml", ROOT / "action.yml", *ROOT.glob("docs/*.md")]
    files += [*ROOT.glob("schemas/*.json"), *ROOT.glob("examples/**/*.y*ml")]
    found = [
        str(f.relative_to(ROOT))
        for f in files
        if re.search(r"SPEC §|SPEC\.md|\bthe SPEC\b|\.\./shared", f.read_text(encoding="utf-8"))
    ]
    assert found == []
