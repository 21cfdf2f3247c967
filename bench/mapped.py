"""A vendor-like CRM on SQLite for the mapped change-path rows (bench/rows.py): the test
suite's vendor schema (tests/store/crm_schema.py: upper-case tables, UUID ids opconf makes,
'Y'/'N' flags, outcome codes, soft deletes, audit fills, an audit trigger of its own), with
the corpus's users, coverage roles and product types, and its mapping written to a file.

    python bench/mapped.py URL MAPPING_FILE   (run in the corpus folder: opconf.refs.yaml)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "store"), str(ROOT)]

from crm_schema import create_crm  # noqa: E402  (tests/store: the suite's vendor schema)
from sqlalchemy import create_engine, text  # noqa: E402

from opconf.store.url import driver_url  # noqa: E402


def main(url: str, mapping_file: str) -> None:
    mapping = create_crm(url)
    data = json.loads(mapping.model_dump_json(by_alias=True, exclude_none=True))
    Path(mapping_file).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    refs = yaml.safe_load(Path("opconf.refs.yaml").read_text(encoding="utf-8"))
    engine = create_engine(driver_url(url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM crm_user"))
        conn.execute(text("DELETE FROM crm_coverage_role"))
        conn.execute(text("DELETE FROM crm_product_type"))
        users = [
            {"login": u["login"], "name": u.get("displayName"), "active": u.get("active", True)}
            for u in refs.get("users", [])
        ]
        conn.execute(text("INSERT INTO crm_user VALUES (:login, :name, NULL, :active)"), users)
        roles = [
            {"code": r["code"], "name": r.get("name"), "unique": r.get("unique", False)}
            for r in refs.get("coverageRoles", [])
        ]
        conn.execute(text("INSERT INTO crm_coverage_role VALUES (:code, :name, :unique)"), roles)
        types = [{"code": t["code"], "name": t.get("name")} for t in refs.get("productTypes", [])]
        conn.execute(text("INSERT INTO crm_product_type VALUES (:code, :name)"), types)
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
