"""Validating some files with the whole project as context, as the CLI and the editor see it.

``opconf validate config/templates/x.yaml`` reports on that file only, but checks it against
every document of the project (a product defined in another file is known). The language
server validates the same way, with the text of the documents open in the editor in place of
what is on disk (``overlays``): one entry point, so both report the same diagnostics.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from opconf.load.discover import discover, display_names
from opconf.load.yamlread import FileResult, read_file, read_text
from opconf.reference_data import References
from opconf.validate import REFS_SKIPPED, ValidationResult, validate_results
from opconf.validate.index import Index
from opconf.validate.policy import Policy

Overlays = Mapping[str, str]  # absolute path → the editor's text of that file


class Validator(Protocol):
    """:func:`validate_files`, or another way to the same result (through a cache)."""

    def __call__(
        self,
        files: Sequence[Path],
        refs: References | None,
        overlays: Overlays | None = None,
        note_skipped_refs: bool = True,
        policy: Policy | None = None,
    ) -> ValidationResult: ...


def absolute(path: Path) -> str:
    """The key of a file in :data:`Overlays` (no ``resolve()``: links keep their name)."""
    return os.path.abspath(path)


def validate_files(
    files: Sequence[Path],
    refs: References | None,
    overlays: Overlays | None = None,
    note_skipped_refs: bool = True,
    policy: Policy | None = None,
) -> ValidationResult:
    """Validate exactly ``files`` (in this order), reading ``overlays`` instead of the disk,
    under ``policy`` (the project's rule severities and waivers)."""
    overlays = overlays or {}
    names = display_names(files)
    texts = {names[p]: overlays[absolute(p)] for p in files if absolute(p) in overlays}
    results = [_read(p, names[p], texts.get(names[p])) for p in files]
    sources = {names[p]: p for p in files}
    text_of = text_reader(texts, sources)
    result = validate_results(results, len(files), refs, sources, policy, text_of)
    if refs is None and note_skipped_refs:
        result.diagnostics.append(REFS_SKIPPED)
    return result


def text_reader(texts: Mapping[str, str], sources: Mapping[str, Path]) -> Callable[[str], str]:
    """A file's text by display name: the editor's (``texts``) when it has one, else the
    disk's (for locating findings)."""

    def text_of(name: str) -> str:
        text = texts.get(name)
        return text if text is not None else sources[name].read_bytes().decode("utf-8-sig")

    return text_of


def _read(path: Path, name: str, text: str | None) -> FileResult:
    if text is None:
        return read_file(path, name)
    result = read_text(text, name)
    result.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return result


def project_files(config: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """The documents under ``config`` (when it exists) and ``extra``, each once (a file
    named twice, ``config/x.yaml`` and its absolute path, is read once: by ``extra``'s name)."""
    context = discover([config]) if config.is_dir() else []
    extra = list(extra)
    names = display_names([*context, *extra])
    by_name = {names[p]: p for p in context}
    by_name.update({names[p]: p for p in extra})
    return sorted(by_name.values(), key=str)


def validate_in_project(
    paths: Sequence[Path],
    config: Path,
    refs: References | None,
    note_skipped_refs: bool = True,
    policy: Policy | None = None,
    validate: Validator | None = None,
) -> ValidationResult:
    """Report on the documents under ``paths``, checked with every document under ``config``
    as context (references, duplicates across files); ``validate``: how (default
    :func:`validate_files`)."""
    targets = discover(paths)
    files = project_files(config, targets)
    validate = validate or validate_files
    result = validate(files, refs, note_skipped_refs=note_skipped_refs, policy=policy)
    return focus(result, set(display_names(targets).values()))


def focus(result: ValidationResult, names: set[str]) -> ValidationResult:
    """``result`` as seen from the files ``names``: their diagnostics (and the notes about no
    file), their documents counted."""
    if set(result.sources) <= names:
        return result
    index = Index()
    for kind, docs in result.index.by_kind.items():
        for doc in docs:
            if doc.file in names:
                index.add(kind, doc)
    return ValidationResult(
        files=len(names),
        diagnostics=[d for d in result.diagnostics if not d.file or d.file in names],
        index=index,
        sources={n: p for n, p in result.sources.items() if n in names},
        file_digests={n: s for n, s in result.file_digests.items() if n in names},
        policy=result.policy,
    )
