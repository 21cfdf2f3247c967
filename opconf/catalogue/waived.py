"""Waived findings as marks on the catalogue: which object each one is about.

A waived finding (``waivers:`` in opconf.yaml) is shown, not counted, in every report and in
the plan; the catalogue marks the object it belongs to, with the codes and the reasons. A
diagnostic knows its file and line, an object where its document starts (``Desired.source``,
``file:line:column``): a finding belongs to the last document of its file that starts at or
before its line.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opconf.diagnostics import Diagnostic
from opconf.plan.diff import Desired
from opconf.plan.model import Obj

Subject = tuple[str, str]  # (kind, key)


@dataclass(frozen=True, slots=True)
class Waived:
    """One waived finding on an object: what the rule says and why it is waived."""

    code: str
    message: str
    reason: str
    path: str  # where in the document, as people write it: ``stages[1].probability``

    def to_dict(self) -> Obj:
        return {
            "code": self.code,
            "message": self.message,
            "reason": self.reason,
            "path": self.path,
        }


Marks = Mapping[Subject, tuple[Waived, ...]]


def by_object(objects: Sequence[Desired], diagnostics: Iterable[Diagnostic]) -> Marks:
    """The waived findings of ``diagnostics``, by the object (of ``objects``) they are on."""
    starts: dict[str, list[tuple[int, Subject]]] = {}
    for d in objects:
        file, line = _where(d.source)
        if file:
            starts.setdefault(file, []).append((line, (d.kind, d.key)))
    for documents in starts.values():
        documents.sort()
    found: dict[Subject, list[Waived]] = {}
    for diagnostic in diagnostics:
        subject = (
            _subject(starts.get(diagnostic.file, []), diagnostic) if diagnostic.waived else None
        )
        if subject is not None:
            waived = Waived(
                diagnostic.code, diagnostic.message, diagnostic.waived, diagnostic.dotted
            )
            found.setdefault(subject, []).append(waived)
    return {subject: tuple(found[subject]) for subject in sorted(found)}


def codes(waived: Sequence[Waived]) -> tuple[str, ...]:
    """The distinct codes, sorted: ``("OPC223", "OPC226")``."""
    return tuple(sorted({w.code for w in waived}))


def _where(source: str) -> tuple[str, int]:
    """``file:line:column`` → (file, line); a file name may hold colons."""
    file, _, rest = source.rpartition(":")
    file, _, line = file.rpartition(":")
    return (file, int(line)) if file and line.isdigit() and rest.isdigit() else ("", 0)


def _subject(documents: list[tuple[int, Subject]], d: Diagnostic) -> Subject | None:
    at = bisect.bisect_right(documents, d.line, key=lambda doc: doc[0])
    return documents[at - 1][1] if at else None
