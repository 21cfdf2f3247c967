"""Validation that redoes only what changed, for a process that validates again and again
(the language server, after each edit).

Per file, what depends on that file alone is kept: its reading, its documents' envelope and
schema problems (located), their well-typed form and the findings of the rules that judge one
document. A file counts as unchanged while its editor text is the same, or (not open) its
size, modification time and inode are. The rules across files are kept by
:class:`~opconf.crossfile.CrossFile`, which re-judges only the groups of documents a changed
file belonged to. The result is the same as a full validation
(``tests/test_incremental.py`` compares them, also after random edits).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from opconf.crossfile import CrossFile
from opconf.diagnostics import Diagnostic
from opconf.load.discover import display_names
from opconf.load.locate import Locator
from opconf.load.yamlread import Document, FileResult, read_file, read_text
from opconf.reference_data import References
from opconf.validate import (
    REFS_SKIPPED,
    ValidationResult,
    check_document,
    finish,
    gc_paused,
    locate,
)
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.policy import Policy
from opconf.validate.rules import order, per_document
from opconf.workspace import Overlays, absolute, text_reader

Signature = tuple[object, ...]


@dataclass
class _Checked:
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


@dataclass
class _Layout:
    """The files of the last run, their names and the cross-file groups of their documents."""

    files: tuple[Path, ...] = ()
    keys: list[str] = field(default_factory=list)  # absolute paths (of :data:`Overlays`)
    place: dict[str, int] = field(default_factory=dict)  # absolute path → its place
    names: list[str] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)  # display name → file
    cross: CrossFile = field(default_factory=lambda: CrossFile(()))


class Incremental:
    """Validates like :func:`opconf.workspace.validate_files`, keeping per-file work."""

    def __init__(self) -> None:
        self._files: dict[str, _Checked] = {}  # absolute path → its checks
        self._open: set[str] = set()  # the files read from the editor's text last time
        self._noted: dict[str, _Checked] = {}  # display name → checks, of files with findings
        self._digests: dict[str, str] = {}  # display name → sha256
        self._refs: References | None = None
        self._cwd = ""
        self._named: dict[Path, str] = {}
        self._layout = _Layout()
        self._locator = Locator(self._text)
        self._text_of = text_reader({}, {})

    def validate(
        self,
        files: Sequence[Path],
        refs: References | None,
        overlays: Overlays,
        note_skipped_refs: bool = True,
        policy: Policy | None = None,
        disk: bool = True,
    ) -> ValidationResult:
        """``disk`` off: a file not open in the editor is taken as unchanged since the last
        run (only editor text changed: nothing on disk is looked at)."""
        layout, fresh = self._layout_of(files)
        with gc_paused() if fresh or disk else contextlib.nullcontext():
            return self._validate(layout, fresh, refs, overlays, disk, policy, note_skipped_refs)

    def _validate(
        self,
        layout: _Layout,
        fresh: bool,
        refs: References | None,
        overlays: Overlays,
        disk: bool,
        policy: Policy | None,
        note_skipped_refs: bool,
    ) -> ValidationResult:
        files = layout.files
        if fresh:
            self._noted, self._digests = {}, {}
        elif not (refs is self._refs or refs == self._refs):
            self._files = {k: self._keep(_judged(c, refs)) for k, c in self._files.items()}
        self._refs = refs
        at = layout.place
        if fresh or disk:
            todo: Iterable[int] = range(len(files))
        else:
            todo = sorted(at[k] for k in {*overlays, *self._open} if k in at)
        for i in todo:
            key, name = layout.keys[i], layout.names[i]
            known = self._files.get(key)
            check = self._checked(files[i], name, overlays.get(key), known, refs)
            if fresh or known is None or check.documents is not known.documents:
                old = () if fresh or known is None else known.documents
                layout.cross.replace(old, check.documents)
                self._locator.forget(name)
            if fresh or check is not known:
                self._files[key] = self._keep(check)
        if fresh:
            self._files = {k: self._files[k] for k in layout.keys}
        self._open = {k for k in overlays if k in at}
        texts = {layout.names[at[k]]: overlays[k] for k in self._open}
        self._text_of = text_reader(texts, layout.sources)
        return self._result(layout, refs, policy or Policy(), note_skipped_refs)

    def _keep(self, check: _Checked) -> _Checked:
        """Note a file's new ``check`` in the totals kept."""
        self._digests[check.name] = check.result.sha256
        if check.result.diagnostics or check.problems or check.rules:
            self._noted[check.name] = check
        else:
            self._noted.pop(check.name, None)
        return check

    def _result(
        self,
        layout: _Layout,
        refs: References | None,
        policy: Policy,
        note_skipped_refs: bool,
    ) -> ValidationResult:
        sources = dict(layout.sources)
        result = ValidationResult(files=len(sources), sources=sources, policy=policy)
        result.index = layout.cross.index()
        result.file_digests = dict(self._digests)
        problems: list[Finding] = []
        rule_findings: list[Finding] = []
        for name in sorted(self._noted, key=layout.cross.place):
            check = self._noted[name]
            result.diagnostics.extend(check.result.diagnostics)
            if not policy:  # else every finding goes through the policy below, then is located
                result.diagnostics.extend(check.located)
            problems.extend(check.problems)
            rule_findings.extend(check.rules)
        reported: dict[str, set[tuple[int, object]]] = {}
        for f in layout.cross.findings():
            name = f.doc.file
            if name not in reported:
                reported[name] = self._noted[name].reported() if name in self._noted else set()
            if (f.doc.index, f.path) not in reported[name]:
                rule_findings.append(f)
        rule_findings.sort(key=order)
        found = [*problems, *rule_findings] if policy else rule_findings
        finish(result, found, refs, self._text_of, self._locator)
        if refs is None and note_skipped_refs:
            result.diagnostics.append(REFS_SKIPPED)
        return result

    def _layout_of(self, files: Sequence[Path]) -> tuple[_Layout, bool]:
        """The layout of ``files``, and whether it is new (every file then joins afresh)."""
        if tuple(files) == self._layout.files and os.getcwd() == self._cwd:
            return self._layout, False
        names = self._names(files)
        listed = [names[p] for p in files]
        keys = [absolute(p) for p in files]
        sources = dict(zip(listed, files, strict=True))
        place = {key: i for i, key in enumerate(keys)}
        self._layout = _Layout(tuple(files), keys, place, listed, sources, CrossFile(listed))
        self._locator = Locator(self._text)
        return self._layout, True

    def _names(self, files: Sequence[Path]) -> dict[Path, str]:
        """:func:`~opconf.load.discover.display_names`, kept while the folder is the same
        (the same files are named again after every edit)."""
        cwd = os.getcwd()
        if self._cwd != cwd:  # every name changes: so do the documents' and messages'
            self._cwd, self._named, self._files = cwd, {}, {}
        missing = [p for p in files if p not in self._named]
        self._named.update(display_names(missing))
        return self._named

    def _text(self, name: str) -> str:
        return self._text_of(name)

    def _checked(
        self,
        path: Path,
        name: str,
        text: str | None,
        known: _Checked | None,
        refs: References | None,
    ) -> _Checked:
        signature = signature_of(path, text)
        if known is not None and signature is not None and known.signature == signature:
            return known if known.refs is refs or known.refs == refs else _judged(known, refs)
        result = read_file(path, name) if text is None else _read_text(text, name)
        index = Index()
        problems = [p for doc in result.documents for p in check_document(doc, index)]
        documents = [(kind, doc) for kind, docs in index.by_kind.items() for doc in docs]
        source = {name: path}
        located = locate(problems, source, lambda _: text) if text is not None else []
        if text is None and problems:
            located = locate(problems, source)
        checked = _Checked(name, signature or (), result, documents, problems, located)
        return _judged(checked, refs)


def _judged(checked: _Checked, refs: References | None) -> _Checked:
    """``checked`` with the findings of the rules judging one document against ``refs``."""
    reported = checked.reported()
    found = [
        f
        for kind, doc in checked.documents
        for f in per_document(kind, doc, refs)
        if (f.doc.index, f.path) not in reported
    ]
    return replace(checked, refs=refs, rules=found)


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
