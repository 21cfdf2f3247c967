"""Builders of canonical objects and small write helpers for the store tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opconf.canonical import canonical
from opconf.store import Holder, Store

Obj = dict[str, Any]
HOLDER = Holder(actor="tester", host="test-host", pid=1)
DEMO = Path(__file__).parent / "data" / "demo.yaml"  # reference data, objects, opportunities
DEMO_REFS = Path(__file__).parent / "data" / "refs.yaml"  # reference data only

try:
    from tests.plan.helpers import sql as sql  # raw SQL against a store, committed
except ImportError:  # tests/ on sys.path
    from plan.helpers import sql as sql  # type: ignore[no-redef]


def product(key: str, **fields: Any) -> Obj:
    return canonical("Product", {"key": key, "name": key.title(), "type": "deposit", **fields})


def group(key: str, **fields: Any) -> Obj:
    return canonical("CoverageGroup", {"key": key, "name": key.title(), **fields})


def stage(key: str, probability: int = 50, **fields: Any) -> Obj:
    return {"key": key, "name": key.title(), "probability": probability, **fields}


def template(key: str, stages: list[Obj] | None = None, **fields: Any) -> Obj:
    if stages is None:
        stages = [stage("open_stage", 10), stage("won", 100, outcome="won")]
    doc = {
        "key": key,
        "name": key.title(),
        "category": "product",
        "entityType": "contact",
        "stages": stages,
        **fields,
    }
    return canonical("OpportunityTemplate", doc)


def create(store: Store, kind: str, obj: Obj) -> int:
    with store.writer(HOLDER) as writer:
        return writer.create(kind, obj)


def update(store: Store, kind: str, obj: Obj, key: str | None = None, **options: Any) -> None:
    with store.writer(HOLDER) as writer:
        row = writer.state.objects[(kind, key or obj["key"])]
        writer.update(kind, row.id, obj, **options)


def data(store: Store, kind: str, key: str) -> Obj:
    return store.read_state().objects[(kind, key)].data


def stage_ids(url: str, template_key: str) -> dict[str, int]:
    """Stage key → row id, read straight from the table."""
    rows = sql(
        url,
        "SELECT s.key, s.id FROM template_stage s"
        " JOIN opportunity_template t ON t.id = s.template_id WHERE t.key = :key",
        key=template_key,
    )
    return {key: row_id for key, row_id in rows}


def mapped_repo(root: Path, url: str, mapping: dict[str, Any]) -> Path:
    """A project at ``root`` whose default target is ``url`` through ``mapping`` (the data of
    crm/mapping.yaml)."""
    import yaml

    (root / "crm").mkdir(parents=True)
    text = yaml.safe_dump(mapping, sort_keys=False)
    (root / "crm" / "mapping.yaml").write_text(text, encoding="utf-8")
    project = {
        "targets": {"prod": {"store": url, "mapping": "crm/mapping.yaml"}},
        "defaultTarget": "prod",
    }
    (root / "opconf.yaml").write_text(yaml.safe_dump(project), encoding="utf-8")
    return root


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``opconf ARGV`` in process: exit code, stdout, stderr."""
    from opconf.cli import main

    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Any, *argv: str) -> str:
    """``opconf ARGV``, which must succeed without a word on stderr: its stdout."""
    code, out, err = run_cli(capsys, *argv)
    assert (code, err) == (0, ""), (out, err)
    return out
