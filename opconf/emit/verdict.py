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
from pathlib import Path
from typing import Any

from opconf.load.yamlread import read_file, read_text
from opconf.reference_data import References
from opconf.store.model import StoreState
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
    files: Mapping[str, str],
    out: Path,
    display: str,
    config: Path,
    state: StoreState,
    policy: Policy,
    today: date,
) -> list[Failing]:
    """:func:`failing` for an export of ``files`` (relative paths) into ``out`` (shown as
    ``display``): beside the configuration when ``out`` is its folder, against the store's
    users, coverage roles and product types."""
    named = {display + rel: text for rel, text in files.items()}
    beside: dict[str, Path] = {}
    if out.resolve() == config.resolve() and config.is_dir():
        from opconf.errors import UsageError
        from opconf.load.discover import discover, display_names

        shadowed = {(config / rel).resolve() for rel in files}
        try:
            found = display_names(discover([config]))
        except UsageError:  # a folder without documents yet
            found = {}
        beside = {name: p for p, name in found.items() if p.resolve() not in shadowed}
    refs = References(state.users, state.roles, state.product_types)
    return failing(named, beside, refs, policy, today)


def failing(
    files: Mapping[str, str],
    beside: Mapping[str, Path],
    refs: References,
    policy: Policy,
    today: date,
) -> list[Failing]:
    """The exported objects (``files``: display name → text) that break a rule, in order.

    ``beside``: the configuration's files they join (display name → path; one an exported
    file replaces is left out), read so that references between them resolve.
    """
    exported = [read_text(text, name) for name, text in files.items()]
    others = [read_file(path, name) for name, path in beside.items() if name not in files]
    findings = check_documents(exported + others, refs, Index())
    findings, _ = apply_policy(policy, findings, today)
    order = {name: i for i, name in enumerate(files)}
    codes: dict[tuple[int, str, str], set[str]] = {}
    for f in findings:
        kind, key = f.doc.data.get("kind"), f.doc.data.get("key")
        counts = f.severity in ("error", "warning") and not f.waived
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
