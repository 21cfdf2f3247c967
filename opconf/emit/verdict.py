"""What validation will say about the objects an export writes (SPEC §13).

An export writes the CRM as it is, and a CRM holds configuration that opconf's rules would not
allow today: each exported object that breaks a rule is named with its codes, and
:func:`waivers` gives the ``waivers:`` entries that let the export validate unchanged. The
exported documents are checked as validation checks them — beside the configuration they join
(when they are written into it), against the store's reference data (as the plan checks them),
under the project's rules and waivers. Core only: never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from opconf.emit.documents import DEFAULTS
from opconf.emit.export import Export
from opconf.kinds import API_VERSION
from opconf.load.yamlread import Document, read_file
from opconf.reference_data import References
from opconf.store.model import Obj, StoreState
from opconf.validate import check_documents
from opconf.validate.catalogue import ADJUSTABLE
from opconf.validate.index import Index
from opconf.validate.policy import Policy
from opconf.validate.policy import apply as apply_policy

REASON = "adopted as is on {day}"


@dataclass(frozen=True, slots=True)
class Failing:
    """An exported object that breaks rules: every code, and those a waiver can cover."""

    kind: str
    key: str
    codes: tuple[str, ...]

    @property
    def waivable(self) -> tuple[str, ...]:
        return tuple(code for code in self.codes if code in ADJUSTABLE)


def of_export(
    export: Export,
    out: Path,
    display: str,
    config: Path,
    state: StoreState,
    policy: Policy,
    today: date,
) -> list[Failing]:
    """:func:`failing` for ``export`` into ``out`` (shown as ``display``): beside the
    configuration when ``out`` is its folder, against the store's users, coverage roles and
    product types. The exported objects are checked from the store's data (what their files
    hold, without reading the text back)."""
    docs = [
        Document(display + rel, 0, 1, 1, _as_written(obj.kind, obj.data))
        for rel, obj in export.objects.items()
    ]
    beside: dict[str, Path] = {}
    if out.resolve() == config.resolve() and config.is_dir():
        from opconf.errors import UsageError
        from opconf.load.discover import discover, display_names

        shadowed = {(config / rel).resolve() for rel in export.objects}
        try:
            found = display_names(discover([config]))
        except UsageError:  # a folder without documents yet
            found = {}
        beside = {name: p for p, name in found.items() if p.resolve() not in shadowed}
    refs = References(state.users, state.roles, state.product_types)
    return failing(docs, beside, refs, policy, today)


# Fields whose absence is their default: an empty text there is left out of the document.
_OPTIONAL = frozenset(name for d in DEFAULTS.values() for name, v in d.items() if v is None)


def _as_written(kind: str, data: Obj) -> Obj:
    """The document export writes for ``data`` (canonical), as validation reads it: absent
    optionals and empty optional text (a CRM's UI saves ``''``) left out, the price a number.
    One pass, without the text: cheaper than writing and reading it back."""
    doc: Obj = {"apiVersion": API_VERSION, "kind": kind, **_present(data)}
    price = doc.get("listPrice")
    if isinstance(price, str):
        number = Decimal(price)
        doc["listPrice"] = int(number) if number == number.to_integral_value() else number
    return doc


def _present(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _present(v)
            for k, v in value.items()
            if v is not None and not (v == "" and k in _OPTIONAL)
        }
    if isinstance(value, list):
        return [_present(v) for v in value]
    return value


def failing(
    docs: list[Document],
    beside: Mapping[str, Path],
    refs: References,
    policy: Policy,
    today: date,
) -> list[Failing]:
    """The objects of ``docs`` (the exported documents) that fail validation (an error not
    waived; a warning fails nothing), in their order.

    ``beside``: the configuration's files they join (display name → path), read so that
    references between them resolve.
    """
    others = [d for name, path in beside.items() for d in read_file(path, name).documents]
    findings = check_documents([*docs, *others], refs, Index())
    findings, _ = apply_policy(policy, findings, today)
    order = {doc.file: i for i, doc in enumerate(docs)}
    codes: dict[tuple[int, str, str], set[str]] = {}
    for f in findings:
        kind, key = f.doc.data.get("kind"), f.doc.data.get("key")
        counts = f.severity == "error" and not f.waived  # what fails validate and the plan
        if counts and f.doc.file in order and isinstance(kind, str) and isinstance(key, str):
            codes.setdefault((order[f.doc.file], kind, key), set()).add(f.code)
    return [Failing(kind, key, tuple(sorted(c))) for (_, kind, key), c in sorted(codes.items())]


def waivers(objects: list[Failing], today: date) -> list[dict[str, Any]]:
    """The ``waivers:`` entries that waive what ``objects`` break (what can be waived)."""
    reason = REASON.format(day=today.isoformat())
    return [
        {"match": f"{o.kind}/{o.key}", "rules": list(o.waivable), "reason": reason}
        for o in objects
        if o.waivable
    ]
