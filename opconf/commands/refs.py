"""``opconf refs pull``: snapshot CRM reference data into opconf.refs.yaml for offline checks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from opconf import exitcodes
from opconf.commands._common import add_store_options, open_store
from opconf.fsio import write_text

HEADER = "# CRM reference data snapshot, written by `opconf refs pull`. Do not edit by hand.\n"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("refs", help="CRM reference data snapshot")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    pull = verbs.add_parser("pull", help="write opconf.refs.yaml from the store")
    pull.add_argument("--out", type=Path, metavar="FILE", help="default: opconf.refs.yaml")
    add_store_options(pull)
    pull.set_defaults(run=run_pull)


def _flow(item: dict[str, Any]) -> str:
    """One entry as a flow mapping; strings plain where YAML reads them back unchanged."""
    parts = []
    for key, value in item.items():
        plain = isinstance(value, str) and _plain_ok(value)
        parts.append(f"{key}: {value if plain else json.dumps(value, ensure_ascii=False)}")
    return "{" + ", ".join(parts) + "}"


_NOT_FIRST = set("@`!&*|>%'\"#-?:,[]{} ")
_NOT_INSIDE = set(",[]{}")  # flow context


def _plain_ok(value: str) -> bool:
    from opconf.load.scalars import plain_scalar

    if not value or value[0] in _NOT_FIRST or value != value.strip() or value.endswith(":"):
        return False
    if _NOT_INSIDE & set(value) or ": " in value or " #" in value:
        return False
    return bool(plain_scalar(value) == value)


def render(data: dict[str, list[dict[str, Any]]]) -> str:
    lines = [HEADER.rstrip("\n")]
    for section in ("users", "coverageRoles", "productTypes"):
        lines.append(f"{section}:")
        lines += [f"  - {_flow(item)}" for item in data[section]]
    return "\n".join(lines) + "\n"


def run_pull(args: argparse.Namespace) -> int:
    project, store = open_store(args)
    refs = store.reference_data()
    out = args.out or project.refs_file
    text = render(refs.as_dict())
    write_text(out, text)
    counts = {k: len(v) for k, v in refs.as_dict().items()}
    print(
        f"Wrote {out}: {counts['users']} users, {counts['coverageRoles']} coverage roles, "
        f"{counts['productTypes']} product types."
    )
    return exitcodes.OK
