"""Validation that redoes only what changed, for a process that validates again and again
(the language server, after each edit).

Per file, what depends on that file alone is kept: its reading, its documents' envelope and
schema problems (located) and their well-typed form. A file counts as unchanged while its
editor text is the same, or (not open) its size, modification time and inode are. The
cross-file rules run again every time, on the index of every document, as in
:func:`opconf.validate.validate_results`; so the result is the same as a full validation
(``tests/test_incremental.py`` compares them).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from opconf.diagnostics import Diagnostic
from opconf.load.discover import display_names
from opconf.load.yamlread import Document, FileResult, read_file, read_text
from opconf.reference_data import References
from opconf.validate import (
    REFS_SKIPPED,
    ValidationResult,
    check_document,
    finish,
    locate,
    rules,
)
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.policy import Policy
from opconf.validate.welltyped import without_repeats
from opconf.workspace import Overlays, absolute, text_reader

Signature = tuple[object, ...]


@dataclass
class _Checked:
    """What one file's content alone decides."""

    signature: Signature
    result: FileResult
    documents: list[tuple[str, Document]]  # (kind, well-typed document), in file order
    problems: list[Finding]  # envelope and schema
    located: list[Diagnostic]  # the problems, with their places


class Incremental:
    """Validates like :func:`opconf.workspace.validate_files`, keeping per-file work."""

    def __init__(self) -> None:
        self._files: dict[str, _Checked] = {}  # absolute path → its checks
        self._cwd = ""
        self._named: dict[Path, str] = {}

    def validate(
        self,
        files: Sequence[Path],
        refs: References | None,
        overlays: Overlays,
        note_skipped_refs: bool = True,
        policy: Policy | None = None,
    ) -> ValidationResult:
        names = self._names(files)
        sources = {names[p]: p for p in files}
        paths = [absolute(p) for p in files]
        texts = {names[p]: overlays[a] for p, a in zip(files, paths, strict=True) if a in overlays}
        checked = [
            self._checked(p, a, names[p], texts.get(names[p]))
            for p, a in zip(files, paths, strict=True)
        ]
        self._files = dict(zip(paths, checked, strict=True))
        policy = policy or Policy()
        result = ValidationResult(files=len(files), sources=sources, policy=policy)
        findings: list[Finding] = []
        for name, check in zip(sources, checked, strict=True):
            result.file_digests[name] = check.result.sha256
            result.diagnostics.extend(check.result.diagnostics)
            if not policy:  # else every finding goes through the policy below, then is located
                result.diagnostics.extend(check.located)
            findings.extend(check.problems)
            for kind, doc in check.documents:
                result.index.add(kind, doc)
        repeated = without_repeats(rules.check(result.index, refs), findings)
        finish(
            result,
            [*findings, *repeated] if policy else repeated,
            refs,
            text_reader(texts, sources),
        )
        if refs is None and note_skipped_refs:
            result.diagnostics.append(REFS_SKIPPED)
        return result

    def _names(self, files: Sequence[Path]) -> dict[Path, str]:
        """:func:`~opconf.load.discover.display_names`, kept while the folder is the same
        (the same files are named again after every edit)."""
        cwd = os.getcwd()
        if self._cwd != cwd:
            self._cwd, self._named = cwd, {}
        missing = [p for p in files if p not in self._named]
        self._named.update(display_names(missing))
        return self._named

    def _checked(self, path: Path, key: str, name: str, text: str | None) -> _Checked:
        signature = signature_of(path, text)
        known = self._files.get(key)
        if known is not None and signature is not None and known.signature == signature:
            return known
        result = read_file(path, name) if text is None else _read_text(text, name)
        index = Index()
        problems = [p for doc in result.documents for p in check_document(doc, index)]
        documents = [(kind, doc) for kind, docs in index.by_kind.items() for doc in docs]
        source = {name: path}
        located = locate(problems, source, lambda _: text) if text is not None else []
        if text is None and problems:
            located = locate(problems, source)
        return _Checked(signature or (), result, documents, problems, located)


def _read_text(text: str, name: str) -> FileResult:
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
