"""Properties of plan and apply, on random configurations (hypothesis).

For random valid configurations A and B over the demo CRM's users, roles and product types —
B drawn from the same key pools as A, so objects are kept, changed, dropped, added and renamed
(object and stage ``previousKeys``) — and C, B with some of the keys it renamed away taken by
new objects: apply A, B and C, roll back to A (the renamed rows renamed back, the newer rows
that took their keys deleted), then to B:

- after each apply the store's managed objects are exactly the configuration's canonical
  forms, and the next plan is empty;
- a plan survives its JSON round trip (the saved plan is what gets applied), validates
  against ``schemas/plan.schema.json`` and renders;
- the demo's unmanaged objects and its opportunities are never touched;
- ``rollback`` to A's revision returns the store to A, and to B's to B.

The property runs on SQLite; ``test_roundtrip_example`` runs the same check on both backends
with a fixed pair of configurations.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from opconf.apply import apply_plan
from opconf.canonical import KIND_ORDER, canonical
from opconf.plan.model import Plan
from opconf.plan.render_markdown import render as render_markdown
from opconf.plan.render_text import render as render_text
from opconf.plan.saved import load, save
from opconf.store import Holder, Store
from opconf.store import demo as demo_data
from opconf.workflow import plan_config, plan_rollback, validate_config

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

Obj = dict[str, Any]
Key = tuple[str, str]
PLAN_SCHEMA = json.loads((h.ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
HOLDER = Holder(actor="property", host="test-host", pid=1)
# Small by default to keep the suite fast; OPCONF_PROPERTY_EXAMPLES=500 for a bug hunt.
EXAMPLES = int(os.environ.get("OPCONF_PROPERTY_EXAMPLES", "20"))

_DEMO = demo_data.load(demo_data.DEMO_FILE)
USERS = sorted(u["login"] for u in _DEMO["users"] if u.get("active", True))
ROLES = sorted(r["code"] for r in _DEMO["coverageRoles"])
UNIQUE_ROLES = {r["code"] for r in _DEMO["coverageRoles"] if r.get("unique")}
TYPES = sorted(p["code"] for p in _DEMO["productTypes"])
# Pools disjoint from the demo's own keys (its unmanaged objects must stay untouched).
PRODUCT_KEYS = ("p_alpha", "p_beta", "p_gamma", "p_delta", "p_epsilon")
GROUP_KEYS = ("g_north", "g_south", "g_east")
TEMPLATE_KEYS = ("t_one", "t_two", "t_three")
STAGE_KEYS = ("s_a", "s_b", "s_c", "s_d", "s_e")
STEP_KEYS = tuple(f"k_{i}" for i in range(8))
WORDS = ("Alpha", "Épargne", "Zins & Co", "Plan: gold", "日本語", "O'Brien", "yes", "null", "0.5")

TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=24)
PRICE = st.one_of(
    st.integers(0, 10**6),
    st.decimals(0, 10**6, places=2, allow_nan=False, allow_infinity=False).map(float),
)


def _optional(draw: st.DrawFn, doc: Obj, field: str, values: st.SearchStrategy[Any]) -> None:
    """Leave ``field`` out (the schemas refuse an explicit null) or draw a value."""
    if draw(st.booleans()):
        doc[field] = draw(values)


def _name(draw: st.DrawFn, key: str) -> str:
    return f"{draw(st.sampled_from(WORDS))} {key}"  # the key keeps names unique


@st.composite
def products(draw: st.DrawFn, keys: list[str]) -> list[Obj]:
    out = []
    for key in keys:
        doc: Obj = {"key": key, "name": _name(draw, key), "type": draw(st.sampled_from(TYPES))}
        _optional(draw, doc, "description", TEXT)
        _optional(draw, doc, "listPrice", PRICE)
        _optional(draw, doc, "unitOfMeasure", st.sampled_from(("account", "policy", "loan")))
        if draw(st.booleans()):
            doc["active"] = draw(st.booleans())
        if draw(st.booleans()):
            # One code per key: swapping or reusing codes is a known bug with its own test.
            doc["code"] = f"CODE-{key.upper()}"
        out.append(h.document("Product", doc))
    return out


@st.composite
def members(draw: st.DrawFn) -> list[Obj]:
    users = draw(st.lists(st.sampled_from(USERS), unique=True, max_size=4))
    out, held = [], set()
    for user in users:
        role = draw(st.sampled_from(ROLES))
        if role in UNIQUE_ROLES and role in held:
            role = "advisor"
        held.add(role)
        out.append({"user": user, "role": role})
    return out


@st.composite
def groups(draw: st.DrawFn, keys: list[str]) -> list[Obj]:
    out = []
    for key in keys:
        doc: Obj = {"key": key, "name": _name(draw, key), "members": draw(members())}
        _optional(draw, doc, "description", TEXT)
        if draw(st.booleans()):
            doc["visibility"] = draw(st.sampled_from(("public", "private")))
        out.append(h.document("CoverageGroup", doc))
    return out


@st.composite
def steps(draw: st.DrawFn, pool: list[str]) -> list[Obj]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        if not pool:
            break
        kind = draw(st.sampled_from(("task", "document", "call", "meeting")))
        step: Obj = {"key": pool.pop(), "name": _name(draw, "step"), "type": kind}
        if draw(st.booleans()):
            step["required"] = draw(st.booleans())
        _optional(draw, step, "dueDays", st.integers(0, 90))
        assignee = draw(st.sampled_from(("absent", "owner", "role", "user")))
        if assignee == "role" and kind != "document":
            step["assignee"] = {"role": draw(st.sampled_from(ROLES))}
        elif assignee == "user":
            step["assignee"] = {"user": draw(st.sampled_from(USERS))}
        elif assignee == "owner":
            step["assignee"] = "owner"
        out.append(step)
    return out


@st.composite
def stages(draw: st.DrawFn) -> list[Obj]:
    """1–4 open stages (probabilities never decreasing), then won and lost in any order."""
    keys = draw(st.lists(st.sampled_from(STAGE_KEYS), min_size=1, max_size=4, unique=True))
    chances = sorted(draw(st.lists(st.integers(0, 99), min_size=len(keys), max_size=len(keys))))
    rows: list[Obj] = [
        {"key": k, "name": _name(draw, k), "probability": p}
        for k, p in zip(keys, chances, strict=True)
    ]
    closed = [
        {"key": "won", "name": "Won", "probability": 100, "outcome": "won"},
        {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    rows += draw(st.permutations(closed))
    pool = list(draw(st.permutations(STEP_KEYS)))
    for stage in rows:
        _optional(draw, stage, "guidance", TEXT)
        stage["steps"] = draw(steps(pool))
    return rows


@st.composite
def templates(
    draw: st.DrawFn, keys: list[str], product_keys: list[str], group_keys: list[str]
) -> list[Obj]:
    out = []
    for key in keys:
        sells = draw(st.permutations(product_keys))
        doc: Obj = {
            "key": key,
            "name": _name(draw, key),
            "category": draw(st.sampled_from(("product", "parent"))),
            "entityType": draw(st.sampled_from(("contact", "company", "household"))),
            "products": list(sells[: draw(st.integers(0, len(sells)))]),
            "stages": draw(stages()),
        }
        if group_keys:
            _optional(draw, doc, "defaultCoverageGroup", st.sampled_from(group_keys))
        _optional(draw, doc, "description", TEXT)
        if draw(st.booleans()):
            doc["active"] = draw(st.booleans())
        out.append(h.document("OpportunityTemplate", doc))
    return out


def _subset(draw: st.DrawFn, pool: tuple[str, ...]) -> list[str]:
    return sorted(draw(st.sets(st.sampled_from(pool), max_size=len(pool))))


@st.composite
def configs(draw: st.DrawFn) -> list[Obj]:
    """At least one product: an empty config folder is a usage error, not "delete all"."""
    product_keys = _subset(draw, PRODUCT_KEYS) or [PRODUCT_KEYS[0]]
    group_keys = _subset(draw, GROUP_KEYS)
    template_keys = _subset(draw, TEMPLATE_KEYS)
    return [
        *draw(products(product_keys)),
        *draw(groups(group_keys)),
        *draw(templates(template_keys, product_keys, group_keys)),
    ]


def _claim(draw: st.DrawFn, free: list[str]) -> str | None:
    """Likely take one of ``free`` (keys that disappeared) as a previous key."""
    if not free or draw(st.integers(0, 3)) == 0:
        return None
    old = draw(st.sampled_from(free))
    free.remove(old)
    return old


@st.composite
def successors(draw: st.DrawFn, a: list[Obj]) -> list[Obj]:
    """A configuration B to follow A: independent, plus renames of A's vanished keys."""
    b = draw(configs())
    before = {(d["kind"], d["key"]): d for d in a}
    for kind in ("Product", "CoverageGroup", "OpportunityTemplate"):
        a_keys = {k for (k_kind, k) in before if k_kind == kind}
        b_docs = [d for d in b if d["kind"] == kind]
        free = sorted(a_keys - {d["key"] for d in b_docs})
        for doc in b_docs:
            old = None if doc["key"] in a_keys else _claim(draw, free)
            if old:
                doc["previousKeys"] = [old]
            origin = before.get((kind, old or doc["key"]))
            if origin is None:
                continue
            if kind == "CoverageGroup":  # visibility is fixed at creation (OPC303)
                doc["visibility"] = origin.get("visibility", "public")
            if kind == "OpportunityTemplate":
                _rename_stages(draw, origin, doc)
    return b


def _rename_stages(draw: st.DrawFn, origin: Obj, doc: Obj) -> None:
    old_keys = {s["key"] for s in origin["stages"]}
    free = sorted(old_keys - {s["key"] for s in doc["stages"]})
    for stage in doc["stages"]:
        if stage["key"] not in old_keys:
            old = _claim(draw, free)
            if old:
                stage["previousKeys"] = [old]
    if free and draw(st.booleans()):  # no opportunities: `replaces` moves none, harmlessly
        doc["stages"][0]["replaces"] = free


# --- the check --------------------------------------------------------------------------------


def canonical_state(docs: list[Obj]) -> dict[Key, Obj]:
    return {(d["kind"], d["key"]): canonical(d["kind"], d) for d in docs}


def _plan(store: Store, folder: Path, docs: list[Obj]) -> Plan:
    h.write_config(folder, docs)
    result = validate_config(folder)
    assert result.valid(), [d.message for d in result.diagnostics]
    plan = plan_config(result, store, prune=False)
    assert plan.errors == ()
    return plan


def _apply_saved(store: Store, plan: Plan) -> None:
    """Save, reload (with every check of a saved plan), render the plan, then apply the
    reloaded one: every plan opconf makes passes its own checks, digest unchanged."""
    data = json.loads(json.dumps(plan.to_dict()))
    jsonschema.validate(data, PLAN_SCHEMA)
    with tempfile.TemporaryDirectory() as folder:
        save(plan, Path(folder) / "plan.json")
        saved = load(Path(folder) / "plan.json")
    assert saved.to_dict() == data and saved.digest == plan.digest
    assert render_text(saved).endswith(render_text(plan).splitlines()[-1] + "\n")
    assert len(render_markdown(saved)) < 65_536
    apply_plan(store, saved, holder=HOLDER, allow_destructive=True)


def _note(plan: Plan) -> None:
    """What the example exercised (``pytest --hypothesis-show-statistics``)."""
    if not currently_in_test_context():
        return
    for action, n in plan.summary().items():
        if n:
            event(action)
    ops = {d.op for c in plan.changes for d in c.details}
    for op in sorted(ops):
        event(f"detail {op}")
    if any(c.stage_renames for c in plan.changes):
        event("stage rename")
    renamed = {(c.kind, c.key) for c in plan.changes if c.action == "rename"}
    if any(c.action == "delete" and (c.kind, c.key) in renamed for c in plan.changes):
        event("rename back onto a reused key")
    if any(set(c.stage_renames.values()) & set(c.stage_renames) for c in plan.changes):
        event("stage renamed onto a key that is renamed too")
    if any(
        f"stages[{new}]" in {d.path for d in c.details if d.op == "remove"}
        for c in plan.changes
        for new in c.stage_renames.values()
    ):
        event("stage renamed back onto a reused key")


def _untouched(store: Store) -> tuple[object, ...]:
    """What opconf must never change: unmanaged objects, opportunities, CRM data."""
    state = store.read_state()
    unmanaged = {k: o.data for k, o in state.objects.items() if not o.managed}
    return unmanaged, state.usage, state.users, state.roles, state.product_types


def _managed(store: Store) -> dict[Key, Obj]:
    return {k: o.data for k, o in store.read_state().objects.items() if o.managed}


def check_roundtrip(
    url: str, folder: Path, a: list[Obj], b: list[Obj], c: list[Obj] | None = None
) -> None:
    """Apply A, then B (then C), then roll back to A (then to B): the store equals each in
    turn."""
    store = Store(url)
    try:
        store.init(demo=True)
        crm = _untouched(store)
        configs = [a, b] if c is None else [a, b, c]
        revisions = []
        for docs in configs:
            plan = _plan(store, folder, docs)
            _note(plan)
            _apply_saved(store, plan)
            assert _managed(store) == canonical_state(docs)
            assert _plan(store, folder, docs).changes == ()
            revisions.append(store.history()[-1].revision)
        for revision, docs in [(revisions[0], a), (revisions[1], b)][: len(configs) - 1]:
            rollback = plan_rollback(store, revision)
            assert rollback.errors == ()
            _note(rollback)
            _apply_saved(store, rollback)
            assert _managed(store) == canonical_state(docs)
            assert _plan(store, folder, docs).changes == ()
        assert _untouched(store) == crm
    finally:
        store.close()


@st.composite
def config_pairs(draw: st.DrawFn) -> tuple[list[Obj], list[Obj]]:
    a = draw(configs())
    return a, draw(successors(a))


@st.composite
def reuses(draw: st.DrawFn, b: list[Obj]) -> list[Obj]:
    """A configuration C to follow B: B's previousKeys done with, and some of the keys B
    renamed away taken by new objects (rename, then reuse the old key)."""
    c = [{k: v for k, v in d.items() if k != "previousKeys"} for d in copy.deepcopy(b)]
    for doc in c:
        if doc["kind"] == "OpportunityTemplate":
            _reuse_stage_keys(draw, doc)
    old = sorted((d["kind"], k) for d in b for k in d.get("previousKeys", ()))
    taken = draw(st.lists(st.sampled_from(old), unique=True)) if old else []
    new = {kind: [k for kind_, k in taken if kind_ == kind] for kind in KIND_ORDER}
    product_keys = [d["key"] for d in c if d["kind"] == "Product"] + new["Product"]
    group_keys = [d["key"] for d in c if d["kind"] == "CoverageGroup"] + new["CoverageGroup"]
    return [
        *c,
        *draw(products(new["Product"])),
        *draw(groups(new["CoverageGroup"])),
        *draw(templates(new["OpportunityTemplate"], product_keys, group_keys)),
    ]


def _reuse_stage_keys(draw: st.DrawFn, doc: Obj) -> None:
    """Stage renames and replaces done with; maybe a new first stage takes a renamed-away key."""
    olds = []
    for stage in doc["stages"]:
        olds += stage.pop("previousKeys", [])
        stage.pop("replaces", None)
    if olds and draw(st.booleans()):
        key = draw(st.sampled_from(olds))
        doc["stages"].insert(0, {"key": key, "name": _name(draw, key), "probability": 0})


@st.composite
def config_triples(draw: st.DrawFn) -> tuple[list[Obj], list[Obj], list[Obj]]:
    a, b = draw(config_pairs())
    return a, b, draw(reuses(b))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(triple=config_triples())
def test_apply_plan_rollback_roundtrip(triple: tuple[list[Obj], list[Obj], list[Obj]]) -> None:
    with tempfile.TemporaryDirectory(prefix="opconf-prop-") as tmp:
        check_roundtrip(f"sqlite:///{tmp}/store.db", Path(tmp) / "config", *triple)


# --- one fixed example, on both backends ------------------------------------------------------

EXAMPLE_A = [
    h.product("p_alpha", code="CODE-P_ALPHA", listPrice=99.5),
    h.product("p_beta", active=False),
    h.group("g_north", visibility="private", members=[{"user": "ajones", "role": "lead_advisor"}]),
    h.group("g_south", members=[{"user": "bpatel", "role": "advisor"}]),
    h.template(
        "t_one", stages=("s_a", "s_b", "s_c"), products=["p_alpha"], defaultCoverageGroup="g_north"
    ),
    h.template("t_two", stages=("s_a",)),
]
EXAMPLE_A[4]["stages"][0]["steps"] = [
    {"key": "k_1", "name": "Call", "type": "call"},
    {"key": "k_2", "name": "Papers", "type": "document", "assignee": {"user": "cnguyen"}},
]
EXAMPLE_B = [
    h.product("p_gamma", previousKeys=["p_alpha"], code="CODE-P_GAMMA", listPrice=99.50),
    h.product("p_delta", description="Ünïcode — “quoted”: yes"),
    h.group(
        "g_east",
        previousKeys=["g_north"],
        visibility="private",
        members=[{"user": "ajones", "role": "advisor"}, {"user": "dkim", "role": "advisor"}],
    ),
    h.template(
        "t_three",
        previousKeys=["t_one"],
        stages=("s_a", "s_d", "s_b"),
        products=["p_delta", "p_gamma"],
        defaultCoverageGroup="g_east",
    ),
    h.template("t_two", stages=("s_a", "s_e")),
]
EXAMPLE_B[3]["stages"][1].update(previousKeys=["s_c"], guidance="renamed from s_c")
EXAMPLE_B[3]["stages"][2]["steps"] = [
    {"key": "k_2", "name": "Papers", "type": "document", "required": True, "dueDays": 0},
    {"key": "k_1", "name": "Call", "type": "meeting", "assignee": {"role": "advisor"}},
]


def test_roundtrip_example(store_url: str, tmp_path: Path) -> None:
    check_roundtrip(store_url, tmp_path / "config", EXAMPLE_A, EXAMPLE_B)
    check_roundtrip_is_not_vacuous(store_url)


def check_roundtrip_is_not_vacuous(url: str) -> None:
    """The example does rename, move and delete (so the check above did real work)."""
    store = Store(url)
    try:
        summaries = [e.summary for e in store.history()]
    finally:
        store.close()
    assert summaries[1] == {
        "create": 1,
        "update": 1,
        "rename": 3,
        "delete": 2,
        "adopt": 0,
        "release": 0,
    }
    # The snapshot's row ids let the rollback rename the three objects back; it is recorded
    # as the rollback it is.
    assert summaries[2] == {
        "create": 2,
        "update": 1,
        "rename": 3,
        "delete": 1,
        "adopt": 0,
        "release": 0,
        "rollback": 1,
    }


@pytest.mark.parametrize("which", ["a", "b"])
def test_example_configurations_are_valid(which: str, tmp_path: Path) -> None:
    docs = EXAMPLE_A if which == "a" else EXAMPLE_B
    result = validate_config(h.write_config(tmp_path / "config", docs))
    assert result.valid() and not result.diagnostics
