"""A project as an editor holds it: the files on disk with the open documents' text over them.

The language server keeps one :class:`Session`; every feature asks it for the validation
result (the same entry point as ``opconf validate``) or the symbols of the whole workspace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from opconf.authoring.symbols import Occurrence, document_symbols
from opconf.diagnostics import Diagnostic
from opconf.errors import OpconfError
from opconf.fsio import exists
from opconf.incremental import Incremental
from opconf.load.discover import discover, is_document_name
from opconf.perfile import Signature, signature_of
from opconf.project import PROJECT_FILE, Project, inspect_project
from opconf.reference_data import References
from opconf.references import inspect_references
from opconf.validate import ValidationResult
from opconf.workspace import absolute


@dataclass
class _Symbols:
    signature: Signature  # of the text they were found in
    occurrences: list[Occurrence]
    last_good: list[Occurrence]  # of the last text that parsed whole


class Session:
    """The workspace rooted at ``root`` (the folder of opconf.yaml, or the editor's folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.overlays: dict[str, str] = {}
        self._symbols: dict[str, _Symbols] = {}
        self._incremental = Incremental()
        self._discovered: list[Path] | None = None
        self._known: set[str] = set()  # the discovered files' absolute paths
        self._disk = True  # look at the files on disk again at the next validation
        # the working folder → (opconf.yaml's signature, the project): names in messages
        # are relative to the working folder
        self._project: dict[str, tuple[Signature, tuple[Project, tuple[Diagnostic, ...]]]] = {}
        self._refs: tuple[Signature | None, tuple[References | None, tuple[Diagnostic, ...]]]
        self._refs = (None, (None, ()))

    def open(self, path: str, text: str) -> None:
        self.overlays[path] = text

    def close(self, path: str) -> None:
        self.overlays.pop(path, None)

    def project(self) -> tuple[Project, tuple[Diagnostic, ...]]:
        """The project and the problems of its file, read again when opconf.yaml changed on
        disk (or at the next question after :meth:`refresh`)."""
        file = self.root / PROJECT_FILE
        signature, cwd = signature_of(file, None), os.getcwd()
        known = self._project.get(cwd)
        if known is not None and signature is not None and known[0] == signature:
            return known[1]
        found: tuple[Project, tuple[Diagnostic, ...]] = (
            inspect_project(str(file))
            if exists(file)
            else (Project(root=self.root, config=self.root / "config"), ())
        )
        if signature is not None:
            self._project[cwd] = (signature, found)
        return found

    def references(self, file: Path) -> tuple[References | None, tuple[Diagnostic, ...]]:
        """The reference snapshot at ``file`` and its problems, read again when it changed
        (the same value meanwhile: validation then reuses what it judged against it)."""
        signature = signature_of(file, None)
        if signature is not None:
            signature = (*signature, os.getcwd())  # names in messages are relative to it
        if signature is None or self._refs[0] != signature:
            self._refs = (signature, inspect_references(file))
        return self._refs[1]

    def refresh(self) -> None:
        """Look at the disk again at the next question (a file was opened, saved or closed:
        one may have appeared, gone or changed); edits in between reuse what was seen."""
        self._discovered = None
        self._project = {}
        self._disk = True

    def documents(self) -> list[Path]:
        """The project's document files, and open ones under ``config/`` not yet saved."""
        config = self.project()[0].config
        if self._discovered is None:
            try:
                self._discovered = discover([config]) if config.is_dir() else []
            except OpconfError:
                self._discovered = []
            self._known = {absolute(p) for p in self._discovered}
        files = self._discovered
        new = [p for p in self.overlays if p not in self._known and _document_under(config, p)]
        return sorted([*files, *map(Path, new)], key=str) if new else files

    def is_document(self, path: str) -> bool:
        """Whether ``path`` is one of the project's documents (or its reference snapshot):
        the files completion, hover and navigation serve (not a CI workflow beside them)."""
        project = self.project()[0]
        return path == absolute(project.refs_file) or _document_under(project.config, path)

    def validate(self) -> ValidationResult:
        """What ``opconf validate`` says of the project, with the editor's text."""
        project, problems = self.project()
        refs, refs_problems = self.references(project.refs_file)
        files = self.documents()
        note, disk = not refs_problems, self._disk
        self._disk = False
        result = self._incremental.validate(
            files, refs, self.overlays, note_skipped_refs=note, policy=project.policy, disk=disk
        )
        result.include(problems + refs_problems)
        return result

    def text(self, path: str) -> str:
        """The editor's text of ``path``, else the file's."""
        return self.overlays[path] if path in self.overlays else _read(path)

    def occurrences(self, stale: bool = False) -> list[Occurrence]:
        """Every key defined or referenced in the workspace and the reference snapshot.

        With ``stale``, a file that does not parse now (half typed) counts as it was when it
        last did: what completion offers; navigation and renames want exact places.
        """
        refs_file = absolute(self.project()[0].refs_file)
        out: list[Occurrence] = []
        for path in [*map(absolute, self.documents()), refs_file]:
            symbols = self._file_symbols(path, refs_file=path == refs_file)
            out.extend(symbols.last_good if stale else symbols.occurrences)
        return out

    def _file_symbols(self, path: str, refs_file: bool) -> _Symbols:
        overlay = self.overlays.get(path)
        signature = signature_of(Path(path), overlay)
        cached = self._symbols.get(path)
        if cached is not None and signature is not None and cached.signature == signature:
            return cached
        text = overlay if overlay is not None else _read(path)
        found, whole = document_symbols(path, text, refs_file)
        if whole:
            last_good = found
        elif cached is not None:
            last_good = cached.last_good
        else:  # first seen half typed: as saved
            last_good = document_symbols(path, _read(path), refs_file)[0]
        self._symbols[path] = _Symbols(signature or (), found, last_good)
        return self._symbols[path]


def _document_under(config: Path, path: str) -> bool:
    """Whether discovery would find ``path`` under ``config`` (no hidden folder on the way)."""
    relative = os.path.relpath(path, absolute(config))
    if relative.startswith(".."):
        return False
    parts = relative.split(os.sep)
    return all(not part.startswith(".") for part in parts) and is_document_name(parts[-1])


def _read(path: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
