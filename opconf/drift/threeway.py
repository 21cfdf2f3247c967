"""One object merged three ways (:mod:`opconf.drift.merge`, :mod:`opconf.drift.stages`).

References to other objects (a template's ``products`` and ``defaultCoverageGroup``) are
compared after the keys changed in the CRM are applied once: to the last apply's side by row
(the store's renames), to the configuration's side as far as they are accepted. So a chain
of renames (beta → gamma, alpha → beta) maps each reference exactly once, and a reference
to a deleted object goes with it without counting as a change of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opconf.drift.merge import Conflict, Merger, merge_fields, merge_keys, merge_members
from opconf.drift.stages import Stages, merge_stages
from opconf.plan.model import Obj

Renames = Mapping[tuple[str, str], str | None]  # (kind, key) → key after (None: deleted)


@dataclass(frozen=True)
class Merged:
    obj: Obj  # the configuration's object with the CRM's changes (its key unchanged)
    stages: Stages | None  # templates: where each merged stage comes from
    accepted: tuple[str, ...]  # the paths taken from the CRM
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class StageIds:
    """A template's stage rows: ``to_live`` by row, ``to_then`` from ``previousKeys``."""

    to_live: Mapping[str, str | None]
    to_then: Mapping[str, str]


def merge_object(
    m: Merger,
    sides: tuple[Obj, Obj, Obj],
    store: Renames,
    accepted: Renames,
    stage_ids: StageIds | None = None,
) -> Merged:
    """``sides``: the last apply's, the configuration's and the live object; ``store``:
    every key the CRM changed, ``accepted``: those the configuration takes."""
    then, config, live = follow(sides[0], store), follow(sides[1], accepted), sides[2]
    out = merge_fields(m, then, config, live)
    out["key"] = sides[1]["key"]
    stages = None
    if "members" in out:
        out["members"] = merge_members(m, then["members"], config["members"], live["members"])
    if "products" in out:
        out["products"] = merge_keys(
            m, "products", then["products"], config["products"], live["products"]
        )
        ids = stage_ids or StageIds({}, {})
        trio = (then["stages"], config["stages"], live["stages"])
        stages = merge_stages(m, trio, ids.to_live, ids.to_then)
        out["stages"] = [s for _, s in stages.stages]
    return Merged(out, stages, tuple(m.accepted), tuple(m.conflicts))


def follow(obj: Obj, renames: Renames) -> Obj:
    """A template with its references renamed (or removed) as ``renames`` says; another
    object as it is."""
    if "products" not in obj:
        return obj
    out = dict(obj)
    group = obj.get("defaultCoverageGroup")
    if group is not None:
        out["defaultCoverageGroup"] = renames.get(("CoverageGroup", group), group)
    products = [renames.get(("Product", k), k) for k in obj["products"]]
    out["products"] = [k for k in products if k is not None]
    return out
