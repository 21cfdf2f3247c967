"""``opconf.refs.yaml``, the CRM reference data snapshot, written through the one emitter.

Each entry is one flow mapping on its line, in the order the store gave (sorted by login or
code), so the file diffs line by line. Core only: never prints, never exits.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from opconf.emit.documents import Unwritable, check_text, flow
from opconf.emit.engine import NULL, Verbatim, dump, trimmed
from opconf.emit.export import ExportError

HEADER = "# CRM reference data snapshot, written by `opconf refs pull`. Do not edit by hand.\n"
SECTIONS = ("users", "coverageRoles", "productTypes")


def render(data: dict[str, list[dict[str, Any]]]) -> str:
    """The snapshot's text; raises :class:`ExportError` for a character YAML cannot hold."""
    try:
        check_text(data)
    except Unwritable as exc:
        raise ExportError(
            f"cannot write the reference snapshot: {exc}", hint="correct the text in the CRM"
        ) from None
    doc = CommentedMap()
    for section in SECTIONS:
        doc[section] = CommentedSeq(flow(_nulls(item)) for item in data[section])
    return HEADER + trimmed(dump(doc))


def _nulls(item: dict[str, Any]) -> dict[str, Any]:
    """``null`` spelt out: an empty value in a flow mapping reads badly."""
    return {k: Verbatim("null", NULL) if v is None else v for k, v in item.items()}
