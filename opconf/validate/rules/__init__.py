"""Layer 3: semantic rules (catalogue: docs/rules.md).

Each module checks one concern and yields :class:`~opconf.validate.finding.Finding` values:
most judge one document alone (:func:`per_document`); those across documents judge groups of
documents sharing a value (:mod:`~opconf.validate.rules.groups`), so that a validation run
again after an edit re-judges only what the edit touched (:mod:`opconf.incremental`).
"""

from __future__ import annotations

from collections.abc import Iterator

from opconf.load.yamlread import Document
from opconf.reference_data import References
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.rules import groups, members, refdata, references, stages


def check(index: Index, refs: References | None) -> Iterator[Finding]:
    for kind, docs in index.by_kind.items():
        for doc in docs:
            yield from per_document(kind, doc, refs)
    yield from groups.check(index)


def per_document(kind: str, doc: Document, refs: References | None) -> Iterator[Finding]:
    """The findings of the rules that need only ``doc`` (and the CRM's reference data)."""
    if kind == "OpportunityTemplate":
        yield from stages.check_document(doc)
        yield from references.check_document(doc)
    elif kind == "CoverageGroup":
        yield from members.check_document(doc)
    if refs is not None:
        yield from refdata.check_document(kind, doc, refs)


def order(f: Finding) -> tuple[str, int, str, str, str]:
    """One order for rule findings however they were found (whole or after an edit), so
    findings at one place come out in the same order."""
    return (f.doc.file, f.doc.index, f.code, repr(f.path), f.message)
