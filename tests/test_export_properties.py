"""The export guarantee as a property, on SQLite and PostgreSQL (SPEC §7): a random store →
export → ``fmt --check`` and ``validate`` exit 0 → ``plan`` shows only adopts → apply →
``plan`` is empty → export again writes nothing (byte-identical).

Prices have up to 18 significant digits (the reader parses decimals exactly).
``OPCONF_EXAMPLES=200`` searches longer.
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf.canonical import canonical
from opconf.store import Holder, Store
from tests.plan import helpers as h
from tests.search import examples

Obj = dict[str, Any]
# Any character a YAML stream can hold (escaped where needed); PostgreSQL text holds no NUL.
CHARS = st.characters(
    codec="utf-8",
    exclude_categories=["Cs", "Cc"],
    include_characters="\t\n\r\x85",
    exclude_characters="\ufffe\uffff",
)
_TEXT = st.text(CHARS, min_size=1, max_size=12)
_TRICKY = st.sampled_from(
    ["yes", "null", "1e3", "0x10", ": #", "*x", "&y", "!z", "%p", "@q", "a\tb", "end ", "~",
     "multi\nline\n", "🎉", "עברית", "'", '"', "- x", "? y", "#", "0"]
)  # fmt: skip
_STRING = st.one_of(_TRICKY, _TEXT)
_KEYS = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), min_size=1, unique=True)


def _names(n: int) -> st.SearchStrategy[list[str]]:
    return st.lists(_STRING, min_size=n, max_size=n, unique_by=str.casefold)


def _price() -> st.SearchStrategy[str | None]:
    digits = st.integers(0, 10**18 - 1)  # up to 18 significant digits, read back exactly
    exact = st.builds(lambda n, s: str(Decimal(n).scaleb(-s)), digits, st.integers(0, 6))
    return st.none() | exact


@st.composite
def _step(draw: st.DrawFn, key: str) -> Obj:
    kind = draw(st.sampled_from(["task", "document", "call", "meeting"]))
    assignees: list[Any] = ["owner", {"user": "ajones"}]
    assignee = draw(
        st.sampled_from(assignees + ([] if kind == "document" else [{"role": "advisor"}]))
    )
    return {
        "key": key,
        "name": draw(_STRING),
        "type": kind,
        "required": draw(st.booleans()),
        "dueDays": draw(st.none() | st.integers(0, 400)),
        "assignee": assignee,
    }


@st.composite
def _template(draw: st.DrawFn, key: str, name: str, products: list[str], group: str | None) -> Obj:
    opens = draw(st.integers(1, 28))
    probabilities = sorted(draw(st.lists(st.integers(0, 99), min_size=opens, max_size=opens)))
    stages: list[Obj] = []
    for i, probability in enumerate(probabilities):
        steps = [draw(_step(f"s{i}_{j}")) for j in range(draw(st.integers(0, 3)))]
        stages.append(
            {"key": f"s{i}", "name": draw(_STRING), "probability": probability, "steps": steps,
             "guidance": draw(st.none() | _STRING)}
        )  # fmt: skip
    stages += [
        {"key": "won", "name": "Won", "probability": 100, "outcome": "won"},
        {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    return {
        "key": key,
        "name": name,
        "description": draw(st.none() | _STRING),
        "category": draw(st.sampled_from(["product", "parent"])),
        "entityType": draw(st.sampled_from(["contact", "company", "household"])),
        "active": draw(st.booleans()),
        "defaultCoverageGroup": group,
        "products": draw(st.lists(st.sampled_from(products), unique=True)) if products else [],
        "stages": stages,
    }


@st.composite
def _product(draw: st.DrawFn, key: str, name: str) -> Obj:
    return {
        "key": key,
        "name": name,
        "description": draw(st.none() | _STRING),
        "type": "deposit",
        "active": draw(st.booleans()),
        "listPrice": draw(_price()),
        "code": draw(st.none() | _STRING.map(lambda code: code + key)),  # codes are unique
        "unitOfMeasure": draw(st.none() | _STRING),
    }


@st.composite
def _group(draw: st.DrawFn, key: str, name: str) -> Obj:
    users = draw(st.lists(st.sampled_from(["ajones", "bpatel", "cnguyen", "dkim"]), unique=True))
    return {
        "key": key,
        "name": name,
        "visibility": draw(st.sampled_from(["public", "private"])),
        "members": [{"user": user, "role": "advisor"} for user in users],
    }


@st.composite
def _store(draw: st.DrawFn) -> list[tuple[str, Obj]]:
    keys = draw(_KEYS)
    split = sorted(draw(st.lists(st.integers(0, len(keys)), min_size=2, max_size=2)))
    products, groups, templates = keys[: split[0]], keys[split[0] : split[1]], keys[split[1] :]
    objects = [
        ("Product", draw(_product(k, n)))
        for k, n in zip(products, draw(_names(len(products))), strict=True)
    ]
    objects += [
        ("CoverageGroup", draw(_group(k, n)))
        for k, n in zip(groups, draw(_names(len(groups))), strict=True)
    ]
    for key, name in zip(templates, draw(_names(len(templates))), strict=True):
        group = draw(st.none() | st.sampled_from(groups)) if groups else None
        objects.append(("OpportunityTemplate", draw(_template(key, name, products, group))))
    return objects


_CONFIG_TABLES = ("stage_step", "template_stage", "template_product", "opportunity_template",
                  "coverage_member", "coverage_group", "product")  # fmt: skip


def crm_holding(env: h.Env, objects: list[tuple[str, Obj]]) -> None:
    """A store holding only ``objects`` (unmanaged, as the CRM made them); no config/."""
    for table in _CONFIG_TABLES:
        h.sql(env.url, f"DELETE FROM {table}")
    shutil.rmtree(env.root / "config", ignore_errors=True)
    store = Store(env.url)
    with store.writer(Holder.local()) as writer:
        for kind, data in objects:
            writer.create(kind, canonical(kind, data), managed=False)
    store.close()


@settings(
    max_examples=int(os.environ.get("OPCONF_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(objects=_store())
def test_export_validate_adopt_apply_is_stable(env: h.Env, objects: list[tuple[str, Obj]]) -> None:
    crm_holding(env, objects)
    result = env.run("export", "--store", env.url)
    assert (result.code, result.err) == (0, ""), result
    assert env.run("validate").code == 0, env.run("validate")
    assert env.run("fmt", "--check").code == 0  # export writes exactly what fmt writes
    summary = json.loads(env.ok("plan", "--format", "json"))["summary"]
    assert summary == {**dict.fromkeys(summary, 0), "adopt": len(objects)}
    env.ok("apply", "--auto-approve")
    assert env.ok("plan").splitlines()[-1] == h.NO_CHANGES
    again = env.run("export", "--check", "--store", env.url)
    assert again == (0, f"0 files would change, {len(objects)} unchanged.\n", "")


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "\x7f", "\ud800", "\b", "\f", "\\\x0c"])
def test_unwritable_text_is_named(text: str) -> None:
    from opconf.emit.documents import Unwritable, check_text

    with pytest.raises(Unwritable, match=r"^stages\[0\]\.name holds U\+"):
        check_text({"stages": [{"name": text}]})


@pytest.mark.parametrize("text", ["C:\\bin", "\\u0007", "tab\tnew\nline\r", "\x85\u2028"])
def test_writable_text_passes(text: str) -> None:
    from opconf.emit.documents import check_text

    check_text({"stages": [{"name": text}], "description": text})


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=_store())
def test_direct_events_write_what_the_representer_writes(objects: list[tuple[str, Obj]]) -> None:
    """export feeds the emitter directly (fast); fmt goes through ruamel's representer and
    serializer: for every document, the two write the same bytes."""
    from opconf.emit.documents import document
    from opconf.emit.engine import dump, dump_plain, make_yaml

    yaml = make_yaml()
    for kind, data in objects:
        doc = document(kind, canonical(kind, data))
        assert dump_plain(doc, yaml) == dump(doc)
