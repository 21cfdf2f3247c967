"""export's fast path (:mod:`opconf.emit.direct`) writes exactly what ruamel.yaml writes.

The fast path lays documents out itself and lets ruamel write every value that is not
trivially plain; these properties hold it byte-identical to ruamel's full emission
(representer, serializer, emitter) for random documents: Unicode text, multi-line text, long
lines that wrap, special words, number-like strings, exact prices, empty lists, nested steps.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf.canonical import canonical
from opconf.emit import direct
from opconf.emit.direct import FlowMap, FlowSeq, commented, dump_direct
from opconf.emit.documents import document, document_text, tree
from opconf.emit.engine import Verbatim, dump, dump_plain, make_yaml
from opconf.fmt import format_text
from tests.search import examples
from tests.test_export_properties import CHARS

Obj = dict[str, Any]
_WORDS = st.sampled_from(
    ["yes", "No", "ON", "null", "NULL", "true", "False", "~", "1e3", "0x10", "0o7", "1_000",
     "12", "-3", "+5", ".5", "1.50", "-0.0", ".inf", ".NaN", "2024-01-31", "12:30", "y", "n",
     "a: b", "a #b", "- x", "? y", "[x]", "{y}", "x,y", "*x", "&y", "!z", "%p", "@q", "`b",
     "'q'", '"d"', "O'Brien", "Café", "naïve", "日本語", "עברית", "🎉", "a;b", "(x)", "a/b",
     "end.", "x-", "-", "---", "...", "#", "", " ", "a  b", "trailing ", " leading", "a\u2028b",
     "a\x85b", "tab\there"]
)  # fmt: skip
_PLAIN_WORD = st.from_regex(r"[A-Za-z][a-z]{0,11}", fullmatch=True)
_SENTENCE = st.lists(st.one_of(_WORDS, _PLAIN_WORD), max_size=40)
_TEXT = st.one_of(
    _WORDS,
    st.text(CHARS, min_size=1, max_size=30),
    _SENTENCE.map(" ".join),  # long lines: wrapped by ruamel
    st.lists(_PLAIN_WORD, min_size=10, max_size=25).map(" ".join),  # near the line width
    st.lists(_SENTENCE.map(" ".join), min_size=2, max_size=4).map("\n".join),  # multi-line
    _SENTENCE.map(lambda words: "\n".join(words) + "\n"),
)
_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


@st.composite
def _object(draw: st.DrawFn) -> tuple[str, Obj]:
    kind = draw(st.sampled_from(["Product", "CoverageGroup", "OpportunityTemplate"]))
    common = {"key": draw(_KEY), "name": draw(_TEXT), "description": draw(st.none() | _TEXT)}
    if kind == "Product":
        digits = st.integers(-(10**18) + 1, 10**18 - 1)
        price = st.builds(lambda n, s: str(Decimal(n).scaleb(-s)), digits, st.integers(0, 6))
        return kind, {
            **common,
            "type": draw(_TEXT),
            "active": draw(st.booleans()),
            "listPrice": draw(st.none() | price),
            "code": draw(st.none() | _TEXT),
            "unitOfMeasure": draw(st.none() | _TEXT),
        }
    if kind == "CoverageGroup":
        member = st.fixed_dictionaries({"user": _TEXT, "role": _TEXT})
        return kind, {
            **common,
            "visibility": draw(st.sampled_from(["public", "private"])),
            "members": draw(st.lists(member, max_size=4)),
        }
    assignee = st.one_of(st.just("owner"), st.builds(lambda u: {"user": u}, _TEXT))
    step = st.fixed_dictionaries(
        {"key": _KEY, "name": _TEXT, "type": _TEXT, "required": st.booleans(),
         "dueDays": st.none() | st.integers(0, 400), "assignee": assignee}
    )  # fmt: skip
    stage = st.fixed_dictionaries(
        {"key": _KEY, "name": _TEXT, "probability": st.integers(0, 100),
         "outcome": st.sampled_from(["open", "won", "lost"]), "guidance": st.none() | _TEXT,
         "steps": st.lists(step, max_size=3)}
    )  # fmt: skip
    return kind, {
        **common,
        "category": draw(_TEXT),
        "entityType": draw(_TEXT),
        "active": draw(st.booleans()),
        "defaultCoverageGroup": draw(st.none() | _KEY),
        "products": draw(st.lists(_KEY, max_size=12)),
        "stages": draw(st.lists(stage, min_size=1, max_size=3)),
    }


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=_object())
def test_fast_path_writes_what_ruamel_writes(obj: tuple[str, Obj]) -> None:
    kind, data = obj
    doc = document(kind, canonical(kind, data))
    assert dump_direct(tree(kind, canonical(kind, data)), make_yaml()) == dump(doc)


_SCALAR = st.one_of(
    _TEXT,
    st.booleans(),
    st.integers(),
    st.sampled_from(["0", "-12", "1.50", "1e3", "abc", "null"]).map(
        lambda t: Verbatim(t, "tag:yaml.org,2002:float" if "." in t else "tag:yaml.org,2002:int")
    ),
)
_ANY_KEY = st.one_of(_KEY, _WORDS, st.text(CHARS, max_size=8))
_FLAT = st.one_of(
    st.dictionaries(_ANY_KEY, _SCALAR, max_size=3).map(FlowMap),
    st.lists(_SCALAR, max_size=4).map(FlowSeq),
)
_NODE = st.recursive(
    st.one_of(_SCALAR, _FLAT),
    lambda inner: st.one_of(
        st.dictionaries(_ANY_KEY, inner, max_size=4), st.lists(inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(_ANY_KEY, _NODE, min_size=1, max_size=6))
def test_any_tree_is_written_as_ruamel_writes_it(data: Obj) -> None:
    """Shapes export never builds (nested lists, odd keys, empty collections) included."""
    assert dump_direct(data, make_yaml()) == dump_plain(commented(data), make_yaml())


def test_trivial_values_never_reach_ruamel() -> None:
    direct._MEMO.clear()
    data = {
        "key": "checking",
        "name": "Everyday Checking (EUR)",
        "active": False,
        "stages": [{"key": "s1", "steps": [{"assignee": FlowMap(user="ajones")}]}],
        "products": FlowSeq(["a", "b"]),
        "listPrice": Verbatim("1.50", "tag:yaml.org,2002:float"),
    }
    assert dump_direct(data, make_yaml()) == dump_plain(commented(data), make_yaml())
    assert direct._MEMO == {}


def test_exported_text_is_what_fmt_writes() -> None:
    data = {
        "key": "checking",
        "name": "yes",
        "description": "Line one\nline two\n" + "word " * 30,
        "type": "deposit",
        "active": True,
        "listPrice": "12.50",
        "code": "0123",
        "unitOfMeasure": None,
    }
    text = document_text("Product", canonical("Product", data), "../../schemas")
    assert format_text(text) == text
