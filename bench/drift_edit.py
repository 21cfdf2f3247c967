"""Edit 1 % of a store's objects out of band, as admins clicking in the CRM would (bench
row ``drift``): every hundredth product, coverage group and template gets a new name."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text

from opconf.store.url import driver_url

TABLES = ("product", "coverage_group", "opportunity_template")


def main(url: str) -> None:
    engine = create_engine(driver_url(url))
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"UPDATE {table} SET name = name || ' (UI)' WHERE id % 100 = 0"))
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
