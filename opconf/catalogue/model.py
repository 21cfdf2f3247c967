"""The catalogue's view model: built by a pure function from the configuration (and a plan).

:func:`build` takes the canonical objects of a valid configuration and, for ``--plan``, a
saved plan; it returns a :class:`Catalogue`: the three lists of the page (templates, coverage
groups, products: entries sorted by name) and each object's details as JSON-able data
(:mod:`opconf.catalogue.details`). Rendering it to HTML is :mod:`opconf.catalogue.render`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from opconf.catalogue import details
from opconf.catalogue.labels import Labels, page_data
from opconf.catalogue.overlay import MARKS, Overlay, deleted_objects, overlays
from opconf.catalogue.waived import Marks, Waived, codes
from opconf.diagnostics import plural
from opconf.plan.diff import Desired
from opconf.plan.model import Obj, Plan
from opconf.plan.render_text import summary_line

# (anchor prefix, kind, noun): the page's tabs, in order. Deep links are #<prefix>/<key>.
TABS = (
    ("template", "OpportunityTemplate", "template"),
    ("group", "CoverageGroup", "coverage group"),
    ("product", "Product", "product"),
)
TAB_OF = {kind: tab for tab, kind, _ in TABS}


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a list: what identifies the object at a glance."""

    tab: str
    key: str
    name: str
    meta: str  # one line under the name, e.g. "6 stages · 14 steps"
    mark: str | None = None  # the plan's word for it: new, changed, renamed, deleted…
    inactive: bool = False
    waived: tuple[str, ...] = ()  # codes of its waived findings (opconf.yaml's waivers)

    @property
    def anchor(self) -> str:
        return f"{self.tab}/{self.key}"


@dataclass(frozen=True)
class Tab:
    name: str
    noun: str  # "coverage group"
    entries: tuple[Entry, ...]

    @property
    def label(self) -> str:
        return self.noun.capitalize() + "s"

    @property
    def pending(self) -> int:
        """Entries a plan marks."""
        return sum(1 for e in self.entries if e.mark)

    @property
    def count(self) -> str:
        """``6 coverage groups``."""
        return plural(len(self.entries), self.noun)

    @property
    def waived(self) -> int:
        """Entries with waived findings."""
        return sum(1 for e in self.entries if e.waived)


@dataclass(frozen=True)
class PlanInfo:
    """The banner of a catalogue drawn with ``--plan``."""

    summary: str  # "Plan: 1 to create, 2 to update, 0 to rename, 0 to delete."
    notes: tuple[str, ...]  # destructive changes, plan errors


@dataclass(frozen=True)
class Catalogue:
    tabs: tuple[Tab, ...]
    details: dict[str, dict[str, Obj]]  # tab → key → details
    aliases: dict[str, str]  # old anchor → anchor, for objects the plan renames
    plan: PlanInfo | None = None
    labels: Labels = field(default_factory=Labels)

    @property
    def waived(self) -> int:
        """Objects with waived findings, on every tab."""
        return sum(t.waived for t in self.tabs)

    @property
    def waived_summary(self) -> str:
        """``2 objects with waived findings``, for the page's waiver bar."""
        return f"{plural(self.waived, 'object')} with waived findings"

    @property
    def data(self) -> Obj:
        """What the page's script reads: details by tab, the aliases, reference names."""
        return {"details": self.details, "aliases": self.aliases, "labels": page_data(self.labels)}


def build(
    objects: Sequence[Desired],
    plan: Plan | None = None,
    labels: Labels | None = None,
    waived: Marks | None = None,
) -> Catalogue:
    """The view model of ``objects`` (canonical, from a valid configuration), with the
    pending changes of ``plan`` marked when one is given, the objects with ``waived``
    findings marked (:func:`opconf.catalogue.waived.by_object`), and the reference data's
    names."""
    marks = overlays(plan) if plan else {}
    waived = waived or {}
    shown = [(d.kind, d.key, d.data, d.source) for d in objects]
    if plan:
        shown += [(kind, key, data, "") for kind, key, data in deleted_objects(plan)]
    users = _users(shown)
    found: dict[str, dict[str, Obj]] = {tab: {} for tab, _, _ in TABS}
    entries: dict[str, list[Entry]] = {tab: [] for tab, _, _ in TABS}
    for kind, key, data, source in shown:
        tab, ov, excused = TAB_OF[kind], marks.get((kind, key)), waived.get((kind, key), ())
        found[tab][key] = _details(kind, data, source, ov, users.get((kind, key), []))
        if excused:
            found[tab][key]["waived"] = [w.to_dict() for w in excused]
        entries[tab].append(_entry(tab, kind, data, ov, excused))
    tabs = tuple(
        Tab(tab, noun, tuple(sorted(entries[tab], key=lambda e: (e.name.casefold(), e.key))))
        for tab, _, noun in TABS
    )
    details_sorted = {tab: dict(sorted(found[tab].items())) for tab in found}
    return Catalogue(tabs, details_sorted, _aliases(plan), _plan_info(plan), labels or Labels())


def _users(shown: list[tuple[str, str, Obj, str]]) -> dict[tuple[str, str], list[str]]:
    """(kind, key) of each group and product → the templates that default to it or sell it."""
    users: dict[tuple[str, str], list[str]] = {}
    for kind, key, data, _ in shown:
        if kind != "OpportunityTemplate":
            continue
        if data["defaultCoverageGroup"]:
            users.setdefault(("CoverageGroup", data["defaultCoverageGroup"]), []).append(key)
        for product in data["products"]:
            users.setdefault(("Product", product), []).append(key)
    return {where: sorted(keys) for where, keys in users.items()}


def _details(kind: str, data: Obj, source: str, ov: Overlay | None, users: list[str]) -> Obj:
    if kind == "OpportunityTemplate":
        return details.template(data, source, ov)
    if kind == "CoverageGroup":
        return details.group(data, source, ov, users)
    return details.product(data, source, ov, users)


def _entry(tab: str, kind: str, data: Obj, ov: Overlay | None, waived: tuple[Waived, ...]) -> Entry:
    if kind == "OpportunityTemplate":
        steps = sum(len(s["steps"]) for s in data["stages"])
        meta = f"{plural(len(data['stages']), 'stage')} · {plural(steps, 'step')}"
    elif kind == "CoverageGroup":
        meta = f"{plural(len(data['members']), 'member')} · {data['visibility']}"
    else:
        price = data["listPrice"]
        meta = data["type"] + (f" · {price}" if price is not None else "")
    mark = ov.mark if ov else None
    inactive = data.get("active") is False
    return Entry(tab, data["key"], data["name"], meta, mark, inactive, codes(waived))


def _aliases(plan: Plan | None) -> dict[str, str]:
    if plan is None:
        return {}
    return {
        f"{TAB_OF[c.kind]}/{c.old_key}": f"{TAB_OF[c.kind]}/{c.key}"
        for c in plan.changes
        if c.old_key
    }


def _plan_info(plan: Plan | None) -> PlanInfo | None:
    if plan is None:
        return None
    notes = []
    if plan.destructive:
        n = plural(len(plan.destructive), "change is", "changes are")
        notes.append(f"{n} destructive: apply needs --allow-destructive.")
    if plan.errors:
        notes.append(f"{plural(len(plan.errors), 'plan error')}: nothing can be applied.")
    return PlanInfo(summary_line(plan), tuple(notes))


__all__ = ["MARKS", "TABS", "Catalogue", "Entry", "PlanInfo", "Tab", "build"]
