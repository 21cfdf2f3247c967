"""The well-typed part of a document, for the semantic rules (SPEC §3: one round).

A document with schema errors still goes through the rules: every node the schema found
ill-typed (wrong type, value not allowed, out of range, too long…) is replaced by ``None`` in a
copy of its data, and a missing required field is absent. Since a well-typed document holds no
``None`` anywhere (the schemas allow no null), the rules read ``None`` as "unknown" and skip
exactly what needs that value. A rule finding on a node the schema already reported is dropped:
one problem, one diagnostic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from opconf.load.yamlread import Document
from opconf.validate.finding import Finding

# Schema codes whose node holds a value the rules must not use. Not OPC101 (the field is
# absent already), OPC102 (an unknown field no rule reads) nor OPC108 (a list of the wrong
# length still has well-typed items).
ILL_TYPED = frozenset({"OPC103", "OPC104", "OPC105", "OPC106", "OPC107", "OPC109"})


def well_typed(doc: Document, findings: Iterable[Finding]) -> Document:
    """``doc`` with every ill-typed node replaced by None (the original is left untouched)."""
    paths = [f.path for f in findings if f.code in ILL_TYPED]
    if not paths:
        return doc
    data = _copy(doc.data)
    for path in paths:
        _blank(data, path)
    return replace(doc, data=data)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _blank(data: Any, path: tuple[Any, ...]) -> None:
    if not path:
        return  # the document itself is the node: the rules then see all its fields
    node = data
    for part in path[:-1]:
        if not isinstance(node, (dict, list)):
            return  # an ancestor is blank already
        node = node[part]
    if isinstance(node, (dict, list)):
        node[path[-1]] = None


def without_repeats(rule_findings: Iterable[Finding], schema: Iterable[Finding]) -> list[Finding]:
    """Rule findings, less those on a node that a schema finding already names."""
    reported = {(f.doc.file, f.doc.index, f.path) for f in schema}
    return [f for f in rule_findings if (f.doc.file, f.doc.index, f.path) not in reported]
