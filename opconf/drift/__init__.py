"""``opconf drift``: the configuration, the last apply and the live store compared.

A peer of :mod:`opconf.plan`: the comparison (:mod:`~opconf.drift.compare`, fields in
:mod:`~opconf.drift.fields`) uses the plan's detail model and diff; :mod:`~opconf.drift.ignore`
applies ``drift.ignore``; :mod:`~opconf.drift.render` renders. ``--accept``
(:mod:`~opconf.drift.accept`) is a three-way merge by identity: the sides of each object
(:mod:`~opconf.drift.pairs`), the keys changed in the CRM solved as one permutation
(:mod:`~opconf.drift.resolve`), each object merged (:mod:`~opconf.drift.threeway`,
:mod:`~opconf.drift.merge`, :mod:`~opconf.drift.stages`), put into its document by identity
(:mod:`~opconf.drift.splice`, :mod:`~opconf.drift.keys`), every file computed then written at
once (:mod:`~opconf.drift.files`). Core only: never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from opconf.drift.compare import compare
from opconf.drift.ignore import IgnoreRule, apply_rules
from opconf.drift.model import Drift, Since
from opconf.plan.diff import Desired
from opconf.store.model import Settled

__all__ = ["Drift", "drift_of"]


def drift_of(
    desired: Iterable[Desired],
    settled: Settled,
    *,
    store: str,
    ignore: Iterable[IgnoreRule] = (),
    today: date | None = None,
) -> Drift:
    """The drift of ``settled`` (the store read while no apply ran) against ``desired``."""
    desired = list(desired)
    config = {(d.kind, d.key): d.data for d in desired}
    previous = {(d.kind, old): d.key for d in desired for old in d.previous_keys}
    stages = {(d.kind, d.key): d.stage_previous for d in desired}
    found = compare(config, settled.snapshot, settled.state, previous, stages)
    today = today or datetime.now(UTC).date()
    kept, ignored, warnings = apply_rules(found, ignore, today)
    since = None
    if settled.last is not None:
        last = settled.last
        when = last.applied_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        since = Since(last.revision, when, last.actor)
    return Drift(tuple(kept), since, store, ignored, tuple(warnings))
