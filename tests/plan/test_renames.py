"""Renames in plans: objects referenced by templates, and stages (both backends)."""

from __future__ import annotations

import json

import pytest

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def _changes(env: h.Env) -> list[tuple[str, str, str | None, list[str]]]:
    plan = json.loads(env.ok("plan", "--format", "json"))
    return [
        (c["action"], c["key"], c["old_key"], [f"{d['op']} {d['path']}" for d in c["details"]])
        for c in plan["changes"]
    ]


TEAM = [{"user": "ajones", "role": "advisor"}]


def _start(env: h.Env) -> None:
    env.write(
        [
            h.product("p1"),
            h.product("p2"),
            h.group("g1", members=TEAM),
            h.template("seller", products=["p1", "p2"], defaultCoverageGroup="g1"),
        ]
    )
    env.ok("apply", "--auto-approve")


@pytest.mark.parametrize(
    ("renamed", "expected"),
    [
        pytest.param(("p1",), [("rename", "new_p1", "p1", [])], id="one-product-of-two"),
        pytest.param(
            ("p1", "p2"),
            [("rename", "new_p1", "p1", []), ("rename", "new_p2", "p2", [])],
            id="both-products",
        ),
        pytest.param(("g1",), [("rename", "new_g1", "g1", [])], id="only-the-group"),
    ],
)
def test_a_template_follows_renamed_products_and_groups(
    env: h.Env, renamed: tuple[str, ...], expected: list[object]
) -> None:
    """The template refers to rows: renaming what it sells changes nothing in it."""
    _start(env)

    def key(k: str) -> str:
        return f"new_{k}" if k in renamed else k

    def prev(k: str) -> dict[str, object]:
        return {"previousKeys": [k]} if k in renamed else {}

    group = h.group(key("g1"), name="G1", members=TEAM, **prev("g1"))
    env.write(
        [
            h.product(key("p1"), name="P1", **prev("p1")),
            h.product(key("p2"), name="P2", **prev("p2")),
            group,
            h.template("seller", products=[key("p1"), key("p2")], defaultCoverageGroup=key("g1")),
        ]
    )
    assert _changes(env) == expected
    env.ok("apply", "--auto-approve")
    assert env.ok("plan").rstrip("\n").endswith(h.NO_CHANGES)


def test_stale_stage_previous_keys_then_a_real_stage_rename(env: h.Env) -> None:
    """``previousKeys`` left from an earlier apply name no live stage and are ignored; the
    stage renamed now keeps its row."""
    env.write([h.template("deal", stages=("a", "b"))])
    env.ok("apply", "--auto-approve")
    renamed = h.template("deal", stages=("a2", "b"))
    renamed["stages"][0]["previousKeys"] = ["a"]
    env.write([renamed])
    env.ok("apply", "--auto-approve")
    ids = dict(h.sql(env.url, "SELECT key, id FROM template_stage"))
    again = h.template("deal", stages=("a2", "b2"))
    again["stages"][0]["previousKeys"] = ["a"]  # stale
    again["stages"][1].update(name="B", previousKeys=["gone", "b"])  # the live one comes second
    env.write([again])
    assert _changes(env) == [("update", "deal", None, ["rename stages[b]"])]
    env.ok("apply", "--auto-approve")
    assert dict(h.sql(env.url, "SELECT key, id FROM template_stage")) == {
        "a2": ids["a2"],
        "b2": ids["b"],
        "won": ids["won"],
        "lost": ids["lost"],
    }
