"""``drift --accept``: the CRM's changes merged into the configuration, for review in a PR.

A three-way merge by identity (:mod:`opconf.drift.merge`): the changes between the last
apply's snapshot and the live store are written into the documents, located by key, never
by position; the configuration's pending changes stay; a field both sides changed is a
conflict, left as the configuration has it unless the CRM's value is taken. Keys changed in
the CRM are solved as one permutation (:mod:`opconf.drift.resolve`). Every file is computed
first (:mod:`opconf.drift.files`), then all are written at once, or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from opconf.diagnostics import plural
from opconf.drift.files import Files
from opconf.drift.merge import Conflict, Merger
from opconf.drift.pairs import Pair, pairs
from opconf.drift.render_conflicts import conflict_lines
from opconf.drift.resolve import Resolution, resolve
from opconf.drift.threeway import StageIds, follow, merge_object
from opconf.plan.diff import Desired
from opconf.plan.snapshot import Snapshot
from opconf.store.model import Settled


@dataclass(frozen=True)
class Selection:
    """Which objects accept takes (``only``; none: all), leaves out, and takes the CRM's
    side of (``take``; None: none, empty: all)."""

    only: Sequence[str] = ()
    exclude: Sequence[str] = ()
    take: Sequence[str] | None = None

    def chosen(self, p: Pair) -> bool:
        return (not self.only or _named(p, self.only)) and not _named(p, self.exclude)

    def taken(self, p: Pair) -> bool:
        return self.take is not None and (not self.take or _named(p, self.take))


def _named(p: Pair, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(f"{p.kind}/{k}", g) for k in p.names for g in patterns)


@dataclass(frozen=True)
class Accepted:
    files: tuple[str, ...]  # written, relative to the working directory
    changes: int  # what a user counts: a field, an element, a key, an object
    conflicts: tuple[Conflict, ...]

    def report(self) -> str:
        lines = []
        if not self.changes and not self.files:
            nothing = "the configuration has the store's values"
            lines.append(
                "Nothing accepted." if self.conflicts else f"Nothing to accept: {nothing}."
            )
        else:
            head = f"Accepted {plural(self.changes, 'change')} from the CRM into"
            lines += [f"{head} {plural(len(self.files), 'file')}:", *(f"  {f}" for f in self.files)]
        if self.conflicts:
            lines.append(
                f"Left {plural(len(self.conflicts), 'conflict')} as the configuration has"
                f" {'it' if len(self.conflicts) == 1 else 'them'} (changed here and in the CRM):"
            )
            lines += conflict_lines(self.conflicts)
            lines.append("To take the CRM's values: opconf drift --accept --take crm [KIND/KEY...]")
        if self.files:
            lines.append(
                "Review them (`git diff`), then commit: the next plan leaves the store as it is."
            )
        return "\n".join(lines) + "\n"


def accept(
    desired: Iterable[Desired], settled: Settled, config: Path, selection: Selection
) -> Accepted:
    """Merge the CRM's changes into the files under ``config``: all written, or none."""
    desired = list(desired)
    found = pairs(desired, settled.snapshot, settled.state)
    res = resolve(found, selection.chosen, selection.taken)
    files = Files(config, desired, res)
    count = len(res.created) + len(res.accepted)
    conflicts = list(res.conflicts)
    twins = {(p.kind, p.live.key) for p in res.twins if p.live}
    for p in found:
        if p.desired is None or res.accepted.get((p.kind, p.desired.key), "") is None:
            continue
        # Created on both sides and the CRM's taken: merged as if the configuration's
        # object had been applied, so every field that differs takes the CRM's value
        # (elements still found by identity: comments stay with their items).
        twin = p.live is not None and (p.kind, p.live.key) in twins
        then = p.desired.data if twin else p.then
        if p.live is not None and then is not None and (twin or selection.chosen(p)):
            m = Merger(p.kind, p.desired.key, twin or selection.taken(p))
            ids = None if twin else _stage_ids(settled.snapshot, p)
            merged = merge_object(
                m, (then, p.desired.data, p.live.data), res.store, res.accepted, ids
            )
            count += len(merged.accepted)
            conflicts += merged.conflicts
            files.edit(p.desired, merged.obj, merged.stages)
        else:
            files.edit(p.desired, follow(p.desired.data, res.accepted), None)
    written = files.write()
    return Accepted(written, count, tuple(conflicts))


def _stage_ids(snapshot: Snapshot | None, p: Pair) -> StageIds | None:
    if p.kind != "OpportunityTemplate" or p.then is None or p.live is None or p.desired is None:
        return None
    then = (snapshot or {}).get("stage_ids", {}).get(p.then["key"])
    to_live: dict[str, str | None] = {}
    if then and p.live.stage_ids:
        back = {i: k for k, i in p.live.stage_ids.items()}
        to_live = {k: back.get(i) for k, i in then.items()}
    applied = {s["key"] for s in p.then["stages"]}
    to_then = {
        stage: old
        for stage, olds in p.desired.stage_previous.items()
        for old in olds
        if old in applied and stage not in applied
    }
    return StageIds(to_live, to_then)


__all__ = ["Accepted", "Resolution", "Selection", "accept"]
