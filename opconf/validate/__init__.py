"""Validation (SPEC §3): read → envelope and schema → semantic rules, all problems at once."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from opconf.diagnostics import Diagnostic
from opconf.kinds import API_VERSION, KINDS
from opconf.load.discover import discover, display_names
from opconf.load.locate import Locator
from opconf.load.yamlread import Document, FileResult, read_file
from opconf.reference_data import References
from opconf.validate import rules
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.policy import Policy
from opconf.validate.policy import apply as apply_policy
from opconf.validate.schema_check import check_envelope, check_schema
from opconf.validate.welltyped import well_typed, without_repeats

REFS_SKIPPED = Diagnostic(
    "OPC290",
    "info",
    "reference checks skipped: no opconf.refs.yaml (write one with `opconf refs pull`)",
)


@dataclass
class ValidationResult:
    """Everything one validation run found."""

    files: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    index: Index = field(default_factory=Index)
    sources: dict[str, Path] = field(default_factory=dict)  # display name → file
    file_digests: dict[str, str] = field(default_factory=dict)  # display name → sha256
    policy: Policy = field(default_factory=Policy)  # rules and waivers applied (opconf.yaml)

    @property
    def config_digest(self) -> str:
        """One digest of every file read: names and contents."""
        text = "".join(f"{name}\0{sha}\n" for name, sha in sorted(self.file_digests.items()))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    @property
    def objects(self) -> int:
        """Documents of a known kind (whether or not they passed the schema)."""
        return sum(len(docs) for docs in self.index.by_kind.values())

    def count(self, severity: str) -> int:
        """Diagnostics of ``severity`` that count (not waived); ``waived``: the waived ones."""
        if severity == "waived":
            return sum(1 for d in self.diagnostics if d.waived)
        return sum(1 for d in self.diagnostics if d.severity == severity and not d.waived)

    def include(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add problems found beside the documents (opconf.yaml, the refs snapshot)."""
        self.diagnostics.extend(diagnostics)
        self.diagnostics.sort(key=Diagnostic.sort_key)

    def valid(self, strict: bool = False) -> bool:
        errors = self.count("error") + (self.count("warning") if strict else 0)
        return errors == 0


def today() -> date:
    """The UTC day waivers' ``until`` is compared with."""
    return datetime.now(UTC).date()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building many small containers triggers the cyclic GC constantly; none are cycles.

    Afterwards the loaded data is frozen out of the collector's sight: it lives until the
    command ends, so scanning it again and again would be wasted work.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def validate_paths(
    paths: Sequence[Path],
    refs: References | None,
    note_skipped_refs: bool = True,
    policy: Policy | None = None,
    allow_empty: bool = False,
) -> ValidationResult:
    """Validate every YAML file under ``paths``; ``refs`` None skips the reference checks
    (with an OPC290 note, unless ``note_skipped_refs`` is off: plan checks them live);
    ``policy``: the project's rule severities and waivers; ``allow_empty``: folders without
    a document are an empty configuration, not an error."""
    files = discover(paths, allow_empty)
    names = display_names(files)
    with gc_paused():
        results = [read_file(path, names[path]) for path in files]
    sources = {names[p]: p for p in files}
    result = validate_results(results, len(files), refs, sources, policy or Policy())
    if refs is None and note_skipped_refs:
        result.diagnostics.append(REFS_SKIPPED)
    return result


def validate_results(
    results: list[FileResult],
    files: int,
    refs: References | None,
    sources: dict[str, Path],
    policy: Policy | None = None,
    text_of: Callable[[str], str] | None = None,
) -> ValidationResult:
    """Envelope, schema and rules over files already read, under ``policy`` (the project's
    rule severities and waivers); ``text_of`` gives a file's text by display name when it is
    not the one on disk (an editor's unsaved buffer)."""
    result = ValidationResult(files=files, sources=sources, policy=policy or Policy())
    for name, file_result in zip(sources, results, strict=True):
        result.file_digests[name] = file_result.sha256
        result.diagnostics.extend(file_result.diagnostics)
    findings = check_documents((d for r in results for d in r.documents), refs, result.index)
    return finish(result, findings, refs, text_of)


def finish(
    result: ValidationResult,
    findings: list[Finding],
    refs: References | None,
    text_of: Callable[[str], str] | None = None,
    locator: Locator | None = None,
) -> ValidationResult:
    """Where diagnostics leave validation: the policy applied once (for every reporter and
    the plan), every finding located (by ``locator`` when given: one kept between runs),
    all sorted."""
    if result.policy:
        findings, notes = apply_policy(result.policy, findings, today(), refs is not None)
        result.diagnostics.extend(notes)
    result.diagnostics.extend(locate(findings, result.sources, text_of, locator))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def check_documents(
    docs: Iterable[Document], refs: References | None, index: Index
) -> list[Finding]:
    """Envelope, schema and semantic findings of ``docs`` (``index`` gets them)."""
    findings: list[Finding] = []
    for doc in docs:
        findings.extend(check_document(doc, index))
    findings.extend(sorted(without_repeats(rules.check(index, refs), findings), key=rules.order))
    return findings


def check_document(doc: Document, index: Index) -> list[Finding]:
    """Envelope and schema problems of one document, which joins ``index`` for the rules.

    The rules see every well-typed part of every document (one round, SPEC §3). A document
    that only lacks its apiVersion is checked as the one version there is; one of another
    version, or of no known kind, is not checked further (its schema is unknown).
    """
    problems = list(check_envelope(doc))
    kind = str(doc.data.get("kind"))
    if problems:
        if kind not in KINDS or "apiVersion" in doc.data:
            return problems
        doc = replace(doc, data={"apiVersion": API_VERSION, **doc.data})
    problems.extend(check_schema(doc, kind))
    index.add(kind, well_typed(doc, problems))
    return problems


def locate(
    findings: list[Finding],
    sources: dict[str, Path],
    text_of: Callable[[str], str] | None = None,
    locator: Locator | None = None,
) -> list[Diagnostic]:
    """Give each finding its line and column (re-parsing only the files concerned)."""
    if locator is None:
        locator = Locator(text_of or (lambda name: sources[name].read_bytes().decode("utf-8-sig")))
    out = []
    for f in findings:
        doc: Document = f.doc
        line, column = locator.position(doc.file, doc.index, f.path, at_key=f.at_key)
        where = (doc.file, line, column, f.path)
        out.append(Diagnostic(f.code, f.severity, f.message, *where, waived=f.waived))
    return out
