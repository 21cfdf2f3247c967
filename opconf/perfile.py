"""What one file's content alone decides: its reading, its documents' envelope and schema
problems (located), their well-typed form, and the findings of the rules that judge one
document. Kept per file by :mod:`opconf.incremental` (in memory, and on disk through
:mod:`opconf.filecache`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from opconf.diagnostics import Diagnostic
from opconf.load.yamlread import Document, FileResult, read_text
from opconf.reference_data import References
from opconf.validate import check_document, locate
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.rules import per_document

Signature = tuple[object, ...]


@dataclass
class Checked:
    """What one file's content alone decides."""

    name: str
    signature: Signature
    result: FileResult
    documents: list[tuple[str, Document]]  # (kind, well-typed document), in file order
    problems: list[Finding]  # envelope and schema
    located: list[Diagnostic]  # the problems, with their places
    refs: References | None = None  # what ``rules`` were judged against
    rules: list[Finding] = field(default_factory=list)  # of the rules judging one document

    def reported(self) -> set[tuple[int, object]]:
        """The (document, path) of every problem: no rule finding repeats one."""
        return {(p.doc.index, p.path) for p in self.problems}


def check(
    path: Path, name: str, signature: Signature, text: str | None, result: FileResult
) -> Checked:
    """What one file's content alone decides, but the rules (:func:`judged`)."""
    index = Index()
    problems = [p for doc in result.documents for p in check_document(doc, index)]
    documents = [(kind, doc) for kind, docs in index.by_kind.items() for doc in docs]
    source = {name: path}
    located = locate(problems, source, lambda _: text) if text is not None else []
    if text is None and problems:
        located = locate(problems, source)
    return Checked(name, signature, result, documents, problems, located)


def judged(checked: Checked, refs: References | None) -> Checked:
    """``checked`` with the findings of the rules judging one document against ``refs``."""
    reported = checked.reported()
    found = [
        f
        for kind, doc in checked.documents
        for f in per_document(kind, doc, refs)
        if (f.doc.index, f.path) not in reported
    ]
    return replace(checked, refs=refs, rules=found)


def read_text_digested(text: str, name: str) -> FileResult:
    result = read_text(text, name)
    result.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return result


def signature_of(path: Path, text: str | None) -> Signature | None:
    """What tells that a file changed; None when it cannot be known (never reused)."""
    if text is not None:
        return ("text", hashlib.sha256(text.encode("utf-8")).hexdigest())
    try:
        info = os.stat(path)
    except OSError:
        return None
    return ("file", info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev)
