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
from dataclasses import dataclass, field
from pathlib import Path

from opconf.crossfile import CrossFile
from opconf.filecache import FileCache, refs_key
from opconf.load.discover import display_names
from opconf.load.locate import Locator
from opconf.load.yamlread import (
    FileResult,
    read_file,
    read_raw,
    read_raw_text,
)
from opconf.perfile import Checked, Signature, check, judged, read_text_digested, signature_of
from opconf.reference_data import References
from opconf.validate import (
    REFS_SKIPPED,
    ValidationResult,
    finish,
    gc_paused,
)
from opconf.validate.finding import Finding
from opconf.validate.policy import Policy
from opconf.validate.rules import order
from opconf.workspace import Overlays, Validator, absolute, text_reader


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

    def __init__(self, cache: FileCache | None = None) -> None:
        self._cache = cache  # of the files on disk, between runs (``opconf validate``)
        self._judged_with: tuple[References | None, str] | None = None  # refs, their digest
        self._files: dict[str, Checked] = {}  # absolute path → its checks
        self._open: set[str] = set()  # the files read from the editor's text last time
        self._noted: dict[str, Checked] = {}  # display name → checks, of files with findings
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
            self._files = {k: self._keep(judged(c, refs)) for k, c in self._files.items()}
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

    def _keep(self, check: Checked) -> Checked:
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
        known: Checked | None,
        refs: References | None,
    ) -> Checked:
        signature = signature_of(path, text)
        if known is not None and signature is not None and known.signature == signature:
            return known if known.refs is refs or known.refs == refs else judged(known, refs)
        if text is None and self._cache is not None:
            return self._cached(path, name, signature or (), refs)
        result = read_file(path, name) if text is None else read_text_digested(text, name)
        return judged(check(path, name, signature or (), text, result), refs)

    def _refs_key(self, refs: References | None) -> str:
        if self._judged_with is None or self._judged_with[0] is not refs:
            self._judged_with = (refs, refs_key(refs))
        return self._judged_with[1]

    def _cached(
        self, path: Path, name: str, signature: Signature, refs: References | None
    ) -> Checked:
        """:meth:`_checked` of a file on disk through the cache (:mod:`opconf.filecache`)."""
        assert self._cache is not None
        raw = read_raw(path, name)
        if isinstance(raw, FileResult):  # unreadable: nothing to keep
            return judged(check(path, name, signature, None, raw), refs)
        sha256, key = hashlib.sha256(raw).hexdigest(), self._refs_key(refs)
        entry = self._cache.get(name, sha256)
        if entry is not None and _is_entry(entry):
            result, documents, problems, located, judged_with, rules = entry
            checked = Checked(name, signature, result, documents, problems, located, refs, rules)
            if judged_with == key:
                return checked
        else:
            result = read_raw_text(raw, name, sha256)
            checked = check(path, name, signature, None, result)
        checked = judged(checked, refs)
        fields = (checked.result, checked.documents, checked.problems, checked.located)
        self._cache.put(name, sha256, (*fields, key, checked.rules))
        return checked


def validate_cached(folder: Path) -> Validator:
    """A :func:`~opconf.workspace.validate_files` keeping per-file results in ``folder``
    between runs (the CLI's ``.opconf/cache``)."""

    def validate(
        files: Sequence[Path],
        refs: References | None,
        overlays: Overlays | None = None,
        note_skipped_refs: bool = True,
        policy: Policy | None = None,
    ) -> ValidationResult:
        cache = FileCache(folder)
        engine = Incremental(cache)
        result = engine.validate(files, refs, overlays or {}, note_skipped_refs, policy)
        cache.save()
        return result

    return validate


def _is_entry(entry: tuple[object, ...]) -> bool:
    """Whether a cache entry has the shape :meth:`Incremental._cached` writes."""
    types = (FileResult, list, list, list, str, list)
    return len(entry) == len(types) and all(map(isinstance, entry, types))
