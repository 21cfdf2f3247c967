"""Random edit sequences: validating after each edit, keeping what did not change, gives
exactly what a fresh full validation gives (``OPCONF_EXAMPLES=200`` searches longer).

The documents are drawn from a small set of keys, names and references, so that edits make
and unmake duplicates, case twins, previous keys still in use or claimed twice, unknown and
inactive references; files are edited in the editor, on disk, broken, dropped and added.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf.incremental import Incremental
from opconf.references import inspect_references
from opconf.validate.policy import Policy, Waiver
from opconf.workspace import absolute, validate_files

CASES = Path(__file__).parent / "cases" / "validate"
EXAMPLES = int(os.environ.get("OPCONF_EXAMPLES", "12"))
SLOTS = ("config/a.yaml", "config/b.yaml", "config/c/d.yaml")
POLICY = Policy(
    severities={"OPC212": "warning", "OPC202": "off"},
    waivers=(Waiver("OpportunityTemplate/t*", frozenset({"OPC212"}), "sold out"),),
)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


@st.composite
def products(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["p1", "P1", "p2", "p3"]))
    return (
        f"kind: Product\nkey: {key}\nname: {draw(st.sampled_from(['A', 'a', 'B']))}\n"
        f"type: {draw(st.sampled_from(['deposit', 'deposits']))}\n"
        f"code: {draw(st.sampled_from(['C1', 'C2']))}\n"
        f"active: {draw(st.booleans())}\n"
        f"previousKeys: {_flow(draw(st.lists(st.sampled_from(['p1', 'p2', 'old']), max_size=2)))}\n"
    )


@st.composite
def groups(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["g1", "G1", "g2"]))
    users = draw(st.lists(st.sampled_from(["ajones", "bpatel", "opeters"]), min_size=1))
    members = "".join(f"  - {{user: {u}, role: advisor}}\n" for u in users)
    return f"kind: CoverageGroup\nkey: {key}\nname: Group {key}\nmembers:\n{members}"


@st.composite
def templates(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["t1", "T1", "t2"]))
    listed = draw(st.lists(st.sampled_from(["p1", "p2", "p11", "P1"]), max_size=3))
    group = draw(st.sampled_from(["", "defaultCoverageGroup: g1\n", "defaultCoverageGroup: g11\n"]))
    previous = draw(st.lists(st.sampled_from(["t1", "old"]), max_size=2))
    return (
        f"kind: OpportunityTemplate\nkey: {key}\nname: Template {key}\ncategory: product\n"
        f"entityType: contact\nactive: {draw(st.booleans())}\nproducts: {_flow(listed)}\n"
        f"{group}previousKeys: {_flow(previous)}\n"
        "stages:\n  - {key: open, name: Open, probability: 10}\n"
        "  - {key: won, name: Won, probability: 100, outcome: won}\n"
        "  - {key: lost, name: Lost, probability: 0, outcome: lost}\n"
    )


BROKEN = st.sampled_from(["kind: Product\nkey: [1]\nname: x\n", "kind: Product\nkey: [\n"])
DOCUMENT = st.one_of(products(), groups(), templates(), BROKEN)
TEXT = st.lists(DOCUMENT, max_size=3).map(
    lambda docs: "---\n".join(f"apiVersion: opconf/v1\n{d}" for d in docs)
)
EDIT = st.tuples(st.sampled_from(SLOTS), st.sampled_from(["editor", "disk", "drop"]), TEXT)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config" / "c").mkdir(parents=True)
    refs = (CASES / "one-round-every-rule" / "opconf.refs.yaml").read_text(encoding="utf-8")
    (tmp_path / "opconf.refs.yaml").write_text(refs, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.lists(TEXT, min_size=len(SLOTS), max_size=len(SLOTS)),
    edits=st.lists(EDIT, min_size=1, max_size=8),
    policy=st.sampled_from([Policy(), POLICY]),
)
def test_edits_give_what_a_full_validation_gives(
    project: Path, start: list[str], edits: list[tuple[str, str, str]], policy: Policy
) -> None:
    refs, _ = inspect_references(Path("opconf.refs.yaml"))
    for slot, text in zip(SLOTS, start, strict=True):
        Path(slot).write_text(text, encoding="utf-8")
    listed, overlays = set(SLOTS), {}
    engine = Incremental()
    _compare(engine, listed, overlays, refs, policy, disk=True)
    for n, (slot, how, text) in enumerate(edits):
        listed.add(slot)
        if how == "editor":
            overlays[absolute(Path(slot))] = text
        elif how == "disk":
            overlays.pop(absolute(Path(slot)), None)
            Path(slot).write_text(text, encoding="utf-8")
            os.utime(slot, ns=(n, n))  # a new time even within the clock's resolution
        else:
            listed.discard(slot)
        _compare(engine, listed, overlays, refs, policy, disk=how == "disk")


def _compare(
    engine: Incremental,
    listed: set[str],
    overlays: dict[str, str],
    refs: object,
    policy: Policy,
    disk: bool,
) -> None:
    files = [Path(s) for s in SLOTS if s in listed]
    full = validate_files(files, refs, overlays, policy=policy)  # type: ignore[arg-type]
    fast = engine.validate(files, refs, overlays, policy=policy, disk=disk)  # type: ignore[arg-type]
    assert fast.diagnostics == full.diagnostics
    assert (fast.files, fast.objects, fast.config_digest) == (
        full.files,
        full.objects,
        full.config_digest,
    )
    assert dict(fast.index.by_kind) == dict(full.index.by_kind)
    assert dict(fast.index.by_key) == dict(full.index.by_key)
