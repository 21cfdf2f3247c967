"""The details of one object as the page draws them: plain JSON-able data, marks included.

Shapes (keys with nothing to say are left out, to keep a large catalogue small)::

    template: {key, name, description, source, category, entityType, active,
               group, products: [{key, mark}], stages: [stage]}
    stage:    {key, name, probability, outcome, guidance, steps: [step], mark, wasKey, moved,
               impact, was}
    step:     {key, name, type, required, dueDays, assignee, mark, moved, was}
    group:    {key, name, description, source, visibility, members: [{user, role, mark, was}],
               templates: [key]}
    product:  {key, name, description, source, type, active, listPrice, code, unitOfMeasure,
               templates: [key]}

With a plan: ``mark`` is ``added`` or ``removed`` (a removed element is drawn where it was, from
the store's side of the change), ``wasKey`` the key before a rename, ``moved`` ``[from, to]``
(positions, or stage keys for a step that changes stage), ``was`` the old value of each changed
field; the object itself carries ``plan``: ``{mark, oldKey, was, destructive, impact}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opconf.catalogue.overlay import Element, Overlay
from opconf.plan.model import Obj

Draw = Callable[[Obj], Obj]


def compact(data: Obj) -> Obj:
    """``data`` without the keys whose value is None or empty (false stays: it says no)."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def assignee(value: Any) -> str:
    """``owner``, ``role: CODE`` or ``user: LOGIN``."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _shown(name: str, value: Any) -> Any:
    return assignee(value) if name == "assignee" and value is not None else value


def _mark(out: Obj, element: Element | None) -> Obj:
    """``out`` with the plan's marks for its element."""
    if element is None:
        return out
    for d in element.ops:
        if d.op == "add":
            out["mark"] = "added"
        elif d.op == "move":
            out["moved"] = [d.old, d.new]
        elif d.op == "rename":
            out["wasKey"] = d.old
        if d.impact:
            out["impact"] = d.impact
    if element.was:
        out["was"] = {k: _shown(k, v) for k, v in element.was.items()}
    return out


def with_removed(shown: list[Obj], before: list[Obj], removed: set[str], draw: Draw) -> list[Obj]:
    """``shown`` with each removed element drawn where it was: after the element that
    preceded it in the old order (``draw`` also gives the key it has in ``shown``)."""
    out = list(shown)
    index = {item["key"]: i for i, item in enumerate(out)}
    at = 0
    for item in before:
        drawn = draw(item)
        if item["key"] in removed:
            out.insert(at, drawn | {"mark": "removed"})
            index = {o["key"]: i for i, o in enumerate(out)}
            at += 1
        elif drawn["key"] in index:
            at = index[drawn["key"]] + 1
    return out


def _header(obj: Obj, source: str) -> Obj:
    return {
        "key": obj["key"],
        "name": obj["name"],
        "description": obj.get("description"),
        "source": source or None,
    }


def plan_marks(ov: Overlay | None) -> Obj | None:
    if ov is None:
        return None
    change = ov.change
    return compact(
        {
            "mark": ov.mark,
            "oldKey": change.old_key,
            "was": ov.was,
            "destructive": change.destructive or None,
            "impact": change.impact or None,
        }
    )


def step(data: Obj, ov: Overlay | None = None) -> Obj:
    out = compact(
        {
            "key": data["key"],
            "name": data["name"],
            "type": data["type"],
            "required": data["required"] or None,
            "dueDays": data["dueDays"],
            "assignee": assignee(data["assignee"]),
        }
    )
    return _mark(out, ov.element("steps", data["key"]) if ov else None)


def stage(data: Obj, ov: Overlay | None = None, ghost: bool = False) -> Obj:
    """A stage with its steps; ``ghost``: a stage the plan removes (drawn from the store)."""
    steps = [step(s) if ghost else step(s, ov) for s in data["steps"]]
    out = compact(
        {
            "key": data["key"],
            "name": data["name"],
            "probability": data["probability"],
            "outcome": data["outcome"],
            "guidance": data["guidance"],
        }
    )
    out["steps"] = steps
    return out if ghost else _mark(out, ov.element("stages", data["key"]) if ov else None)


def template(obj: Obj, source: str, ov: Overlay | None) -> Obj:
    out = _header(obj, source) | {
        "category": obj["category"],
        "entityType": obj["entityType"],
        "active": obj["active"],
        "group": obj["defaultCoverageGroup"],
        "products": _products(obj["products"], ov),
        "stages": _stages(obj["stages"], ov),
        "plan": plan_marks(ov),
    }
    return compact(out)


def _products(keys: list[str], ov: Overlay | None) -> list[Obj]:
    shown = [_mark({"key": k}, ov.element("products", k) if ov else None) for k in keys]
    if ov is None or ov.change.before is None:
        return shown
    before = [{"key": k} for k in ov.change.before["products"]]
    return with_removed(shown, before, ov.removed("products"), dict)


def _stages(stages: list[Obj], ov: Overlay | None) -> list[Obj]:
    shown = [stage(s, ov) for s in stages]
    if ov is None or ov.change.before is None:
        return shown
    renames = ov.change.stage_renames
    before: list[Obj] = ov.change.before["stages"]
    live = {s["key"] for s in stages}
    removed_steps = ov.removed("steps")
    for old in before:
        new_key = renames.get(old["key"], old["key"])
        if new_key not in live:
            continue
        drawn = next(s for s in shown if s["key"] == new_key)
        drawn["steps"] = with_removed(drawn["steps"], old["steps"], removed_steps, step)
    later = {st["key"] for s in stages for st in s["steps"]}

    def ghost(old: Obj) -> Obj:
        kept = [st for st in old["steps"] if st["key"] not in later]
        return stage(old | {"steps": kept}, ghost=True) | {
            "key": renames.get(old["key"], old["key"])
        }

    out = with_removed(shown, before, ov.removed("stages"), ghost)
    for drawn in out:
        element = ov.element("stages", drawn["key"])
        if drawn.get("mark") == "removed" and element and element.ops[0].impact:
            drawn["impact"] = element.ops[0].impact  # open opportunities in the stage
    return [compact(s) | {"steps": s["steps"]} for s in out]


def group(obj: Obj, source: str, ov: Overlay | None, templates: list[str]) -> Obj:
    members = [
        _mark(dict(m), ov.element("members", m["user"]) if ov else None) for m in obj["members"]
    ]
    if ov is not None and ov.change.before is not None:
        removed = ov.removed("members")
        gone = [
            m | {"mark": "removed"} for m in ov.change.before["members"] if m["user"] in removed
        ]
        members = sorted(members + gone, key=lambda m: str(m["user"]))
    out = _header(obj, source) | {
        "visibility": obj["visibility"],
        "members": members,
        "templates": templates,
        "plan": plan_marks(ov),
    }
    return compact(out)


def product(obj: Obj, source: str, ov: Overlay | None, templates: list[str]) -> Obj:
    out = _header(obj, source) | {
        "type": obj["type"],
        "active": obj["active"],
        "listPrice": obj["listPrice"],
        "code": obj["code"],
        "unitOfMeasure": obj["unitOfMeasure"],
        "templates": templates,
        "plan": plan_marks(ov),
    }
    return compact(out)
