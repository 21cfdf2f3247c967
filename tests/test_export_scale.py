"""Exact values (README, "Exact values"): a price is compared as a number, and adopting or
updating a product keeps the CRM's own scale when the value is equal (PostgreSQL's NUMERIC
holds ``0.80`` apart from ``0.8``); a changed price is written as the configuration says."""

from __future__ import annotations

from decimal import Decimal

from opconf.canonical import decimal_text
from tests.plan import helpers as h


def _prices(env: h.Env) -> list[tuple[str, str]]:
    rows = h.sql(env.url, "SELECT key, CAST(list_price AS TEXT) FROM product ORDER BY key")
    return [(key, price) for key, price in rows]


def test_adoption_keeps_the_crms_scale(env: h.Env) -> None:
    postgresql = env.url.startswith("postgresql")
    for key, price in (("p", "0.80"), ("q", "12.00"), ("r", "5.50")):
        h.sql(
            env.url,
            "INSERT INTO product (key, name, type, active, list_price)"
            " VALUES (:key, :key, 'deposit', TRUE, :price)",
            key=key,
            # SQLite has no exact decimal type: its store holds the canonical text.
            price=Decimal(price) if postgresql else decimal_text(price),
        )
    before = _prices(env)
    env.ok("export", "--store", env.url)
    text = (env.root / "config" / "products" / "q.yaml").read_text(encoding="utf-8")
    assert "\nlistPrice: 12\n" in text
    env.ok("apply", "--auto-approve")
    assert _prices(env) == before  # nothing the plan did not show was written
    assert env.ok("plan").splitlines()[-1] == h.NO_CHANGES
    path = env.root / "config" / "products" / "r.yaml"
    path.write_text(text.replace("key: q", "key: r").replace("12", "5.75"), encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("name: q", "name: r"), "utf-8")
    env.ok("apply", "--auto-approve")
    assert dict(_prices(env))["r"] == "5.75"
