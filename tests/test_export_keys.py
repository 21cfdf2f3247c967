"""``opconf export`` with the keys real CRMs use (SPEC §13): mixed case, ``-`` and ``.``,
names Windows reserves, keys equal ignoring case, ``--exclude``; both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opconf.emit.filenames import file_stem, unheld
from tests.plan import helpers as h
from tests.test_export import _unmanaged_product as _product


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml"))


def _adopt_only(env: h.Env, adopted: int) -> None:
    assert env.run("validate").code == 0
    summary = json.loads(env.ok("plan", "--format", "json"))["summary"]
    assert summary == {**dict.fromkeys(summary, 0), "adopt": adopted}


def test_crm_keys_are_exported_under_portable_names(env: h.Env) -> None:
    keys = ("Premium-Savings", "gold_card", "con", "AUX.v2", "card.v2", "LPT1", "Premium-savings")
    for key in keys:
        _product(env, key, f"Name {key}")
    result = env.run("export", "--only-unmanaged", "--store", env.url)
    assert result.code == 0, result
    assert result.err == (
        "warning: skipped Product 'Premium-savings': its key differs only in case from "
        "'Premium-Savings', which is kept (file systems that ignore case hold one)\n"
    )
    assert result.out == "Exported 6 objects to config/: 6 products.\n"
    assert _files(env.root / "config") == [
        "products/Premium-Savings.yaml",
        "products/_AUX.v2.yaml",
        "products/_LPT1.yaml",
        "products/_con.yaml",
        "products/card.v2.yaml",
        "products/gold_card.yaml",
    ]
    text = (env.root / "config" / "products" / "_con.yaml").read_text(encoding="utf-8")
    assert "\nkey: con\n" in text
    _adopt_only(env, 6)
    env.ok("apply", "--auto-approve")
    assert env.ok("plan").splitlines()[-1] == h.NO_CHANGES


def test_a_case_twin_of_a_configured_key_is_skipped(env: h.Env) -> None:
    env.write([h.product("premium")])
    _product(env, "Premium", "Premium")
    _product(env, "other", "Other")
    result = env.run("export", "--only-unmanaged", "--store", env.url)
    assert (result.code, result.out) == (0, "Exported 1 object to config/: 1 product.\n")
    assert "skipped Product 'Premium': its key differs only in case from 'premium'" in result.err


def test_exclude_leaves_objects_out(env: h.Env) -> None:
    for key in ("Premium-Savings", "gold_card", "legacy.one"):
        _product(env, key, f"Name {key}")
    out = env.ok(
        "export", "--exclude", "legacy.*", "--exclude", "Product/Premium-*", "--store", env.url
    )
    assert out == "Exported 1 object to config/: 1 product.\n"
    assert _files(env.root / "config") == ["products/gold_card.yaml"]


def test_only_unmanaged_on_an_empty_config_folder(env: h.Env) -> None:
    """The README's first adoption command, after `mkdir config`."""
    (env.root / "config").mkdir()
    _product(env, "gold_card", "Gold Card")
    assert (
        env.ok("export", "--only-unmanaged", "--store", env.url)
        == "Exported 1 object to config/: 1 product.\n"
    )


@pytest.mark.parametrize(
    ("key", "stem"),
    [
        ("con", "_con"),
        ("CON", "_CON"),
        ("nul.v2", "_nul.v2"),
        ("com0", "_com0"),
        ("lpt9", "_lpt9"),
        ("console", "console"),
        ("com10", "com10"),
        ("a.con", "a.con"),
    ],
)
def test_file_stem(key: str, stem: str) -> None:
    assert file_stem(key) == stem


def test_unheld_keeps_the_first_of_keys_equal_ignoring_case() -> None:
    found = unheld([("Product", "A"), ("Product", "a"), ("CoverageGroup", "a"), ("Product", "b.")])
    assert [(u.kind, u.key) for u in found] == [("Product", "a"), ("Product", "b.")]
