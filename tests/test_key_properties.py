"""The key grammar as properties (SPEC §13), on SQLite and PostgreSQL: any key matching it —
as an object key, a stage or step key, a reference — round-trips a CRM export → file name →
discovery → validate → plan (adopt only); two keys of one kind equal ignoring case are
refused with a located error naming both places. ``OPCONF_EXAMPLES=200`` searches longer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf.keys import KEY_MAX, KEY_PATTERN
from opconf.validate import validate_paths
from tests.plan import helpers as h
from tests.test_export_properties import crm_holding

Obj = dict[str, Any]
_RESERVED = st.sampled_from(["con", "AUX", "nul.v2", "com1", "Lpt9", "prn.x-y", "CON.", "aux_"])
KEYS = st.one_of(
    st.from_regex(KEY_PATTERN, fullmatch=True),
    _RESERVED.filter(lambda k: re.fullmatch(KEY_PATTERN, k) is not None),
    st.just("9" * KEY_MAX),
)
_EXAMPLES = int(os.environ.get("OPCONF_EXAMPLES", "10"))


def _template(key: str, products: list[str], stage_keys: list[str]) -> Obj:
    stages: list[Obj] = [
        {"key": k, "name": f"Stage {i}", "probability": 10, "steps": [
            {"key": f"{k}-step", "name": "Step", "type": "task"}
        ][: len(k) < KEY_MAX - 5]}
        for i, k in enumerate(stage_keys)
    ]  # fmt: skip
    stages += [
        {"key": "won", "name": "Won", "probability": 100, "outcome": "won"},
        {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    doc = {"key": key, "name": "Template", "category": "product"}
    return {**doc, "entityType": "contact", "products": products, "stages": stages}


@st.composite
def _crm(draw: st.DrawFn) -> list[tuple[str, Obj]]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique_by=str.casefold))
    stage_keys = draw(
        st.lists(KEYS.filter(lambda k: k.casefold() not in ("won", "lost")), min_size=1, max_size=3,
                 unique_by=str.casefold)
    )  # fmt: skip
    objects: list[tuple[str, Obj]] = [
        ("Product", {"key": k, "name": f"Product {i}", "type": "deposit"})
        for i, k in enumerate(keys)
    ]
    template = _template(draw(KEYS), keys, stage_keys)
    return [*objects, ("OpportunityTemplate", template)]


@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(objects=_crm())
def test_any_key_round_trips_export_to_an_adopting_plan(
    env: h.Env, objects: list[tuple[str, Obj]]
) -> None:
    crm_holding(env, objects)
    result = env.run("export", "--store", env.url)
    assert (result.code, result.err) == (0, ""), result
    paths = [p.relative_to(env.root).as_posix() for p in (env.root / "config").rglob("*.yaml")]
    assert len({p.casefold() for p in paths}) == len(objects)  # one file each, on any disk
    stems = [p.rsplit("/", 1)[1].split(".")[0].casefold() for p in paths]
    assert not {"con", "aux", "nul", "prn", "com1", "lpt9"} & set(stems)
    validated = env.run("validate")
    assert validated.code == 0, validated
    summary = json.loads(env.ok("plan", "--format", "json"))["summary"]
    assert summary == {**dict.fromkeys(summary, 0), "adopt": len(objects)}


_PRODUCT = "apiVersion: opconf/v1\nkind: Product\nkey: {key}\nname: {name}\ntype: deposit\n"


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=KEYS.filter(lambda k: k.swapcase() != k))
def test_keys_equal_ignoring_case_are_refused_where_they_are(tmp_path: Path, key: str) -> None:
    config = tmp_path / "config"
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir(parents=True)
    (config / "a.yaml").write_text(_PRODUCT.format(key=key, name="A"), encoding="utf-8")
    (config / "b.yaml").write_text(_PRODUCT.format(key=key.swapcase(), name="B"), encoding="utf-8")
    found = validate_paths([config], refs=None, note_skipped_refs=False).diagnostics
    assert [(d.code, d.file.endswith("b.yaml"), d.line, d.column) for d in found] == [
        ("OPC204", True, 3, 6)
    ]
    assert f"'{key}' at " in found[0].message and found[0].message.count("a.yaml:1:1") == 1
