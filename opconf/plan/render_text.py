"""``plan --format text``: a Terraform-like plan a reviewer can read."""

from __future__ import annotations

from opconf.diagnostics import plural
from opconf.plan.details import ADOPTED, summarise
from opconf.plan.model import Change, Detail, Plan, PlanError
from opconf.visible import visible

SYMBOL = {"create": "+", "update": "~", "adopt": "~", "release": "~", "rename": "→", "delete": "-"}
_DETAIL_SYMBOL = {"set": "~", "add": "+", "remove": "-", "move": "→", "rename": "→"}


def headline(change: Change) -> str:
    head = f"{SYMBOL[change.action]} {change.kind} {change.key}"
    notes = []
    if change.action == "rename":
        notes.append(f"renamed from {change.old_key}")
        if any(d.path == ADOPTED for d in change.details):
            notes[-1] += " + adopt: becomes managed"
    if change.action == "adopt":
        notes.append("adopt: becomes managed")
    if change.action == "release":
        notes.append("release: no longer managed, back as it was")
    if change.action == "create" and change.after is not None:
        head += f"  {summarise(change.after['name'])}"
        notes.append(_contents(change.after))
    if change.impact:
        notes.append(plural(change.impact, "open opportunity", "open opportunities"))
    if change.destructive:
        notes.append("destructive")
    notes = [n for n in notes if n]
    return head + (f"  ({'; '.join(notes)})" if notes else "")


def _contents(obj: dict[str, object]) -> str:
    stages = obj.get("stages")
    if isinstance(stages, list):
        steps = sum(len(s["steps"]) for s in stages)
        return f"{plural(len(stages), 'stage')}, {plural(steps, 'step')}"
    members = obj.get("members")
    return plural(len(members), "member") if isinstance(members, list) else ""


_CREATE_FIELDS = {
    "Product": ("type", "listPrice", "code", "unitOfMeasure", "active"),
    "CoverageGroup": ("visibility",),
    "OpportunityTemplate": ("category", "entityType", "defaultCoverageGroup", "active"),
}


def created(change: Change) -> list[str]:
    """What a reviewer needs to see of a new object, in a few lines."""
    obj = change.after or {}
    fields = [
        f"{name}: {str(obj[name]).lower() if isinstance(obj[name], bool) else obj[name]}"
        for name in _CREATE_FIELDS[change.kind]
        if obj.get(name) is not None and not (name == "active" and obj[name] is True)
    ]
    lines = [", ".join(fields)] if fields else []
    if obj.get("members"):
        lines.append("members: " + ", ".join(f"{m['user']} ({m['role']})" for m in obj["members"]))
    if obj.get("products"):
        lines.append("products: " + ", ".join(obj["products"]))
    if obj.get("stages"):
        lines.append("stages: " + ", ".join(_stage(s) for s in obj["stages"]))
    return lines


def _stage(stage: dict[str, object]) -> str:
    outcome = "" if stage["outcome"] == "open" else f" {stage['outcome']}"
    return f"{stage['key']} {stage['probability']}%{outcome}"


def detail_line(d: Detail, fields: str = "", since: int | None = None) -> str:
    """One detail; ``fields``: what an added stage or step holds (see :func:`added_fields`);
    ``since``: the revision since which the CRM changed the field (the apply reverts it)."""
    symbol = _DETAIL_SYMBOL[d.op]
    if d.op == "set":
        text = f"{d.path}: {summarise(d.old, d.path)} → {summarise(d.new, d.path)}"
    elif d.op == "add":
        text = d.path + (f" ({_added(d)})" if d.new is not None else "")
        text += f" {{{fields}}}" if fields else ""
    elif d.op == "remove":
        text = d.path + (f" (was {d.old})" if d.old is not None else "")
    elif d.op == "rename":
        text = f"{d.path} renamed to {d.new}"
    else:
        where = "position" if isinstance(d.new, int) else "stage"
        text = f"{d.path} moved: {where} {d.old} → {d.new}"
    extra = []
    if d.impact:
        extra.append(f"{d.impact} open")
    if d.destructive:
        extra.append("destructive")
    if since is not None:
        extra.append(f"changed in the CRM since revision {since} — this apply reverts it")
    return f"{symbol} {text}" + (f"  [{', '.join(extra)}]" if extra else "")


def _added(d: Detail) -> str:
    if d.path.startswith("stages["):
        return f"at position {d.new}"
    if d.path.startswith("steps["):
        return f"in stage {d.new}"
    return f"as {d.new}"


_ADDED_FIELDS = {
    "stages": ("name", "probability", "outcome", "guidance"),
    "steps": ("name", "type", "assignee", "dueDays", "required"),
}


def added_fields(change: Change, d: Detail) -> str:
    """``name: "Review", probability: 40, …``: the fields of a stage or step ``d`` adds."""
    kind, _, rest = d.path.partition("[")
    if d.op != "add" or kind not in _ADDED_FIELDS or change.after is None:
        return ""
    stages = change.after.get("stages") or []
    elements = stages if kind == "stages" else [step for s in stages for step in s["steps"]]
    element = next((e for e in elements if e["key"] == rest[:-1]), None)
    if element is None:
        return ""
    return ", ".join(
        f"{name}: {summarise(element[name], name)}"
        for name in _ADDED_FIELDS[kind]
        if element.get(name) is not None
    )


def change_lines(change: Change) -> list[str]:
    lines = [headline(change)]
    if change.action == "create":
        lines += [f"    {line}" for line in created(change)]
    lines += [
        f"    {detail_line(d, added_fields(change, d), change.reverts.get(d.path))}"
        for d in change.details
    ]
    held = {d.path: d.impact for d in change.details if d.op == "remove"}
    lines += [
        f"    → {plural(n, 'open opportunity', 'open opportunities')} in stage {old} "
        f"{'moves' if n == 1 else 'move'} to {new}"
        for old, new in change.stage_moves.items()
        if (n := held.get(f"stages[{old}]", 0))
    ]
    lines += [
        f"    → {plural(len(ids), 'open opportunity', 'open opportunities')} in stage {source} "
        f"{'moves' if len(ids) == 1 else 'move'} back to {to}"
        for to, by_stage in change.stage_returns.items()
        for source, ids in by_stage.items()
    ]
    return [visible(line) for line in lines]


def summary_line(plan: Plan) -> str:
    if not plan.changes and plan.base.rollback is not None:
        return f"No changes. The store matches revision {plan.base.rollback} already."
    if not plan.changes and plan.base.select:
        return "No changes. The selected objects match the configuration."
    if not plan.changes:
        return "No changes. The store matches the configuration."
    s = plan.summary()
    text = (
        f"Plan: {s['create']} to create, {s['update']} to update, "
        f"{s['rename']} to rename, {s['delete']} to delete"
    )
    extra = [f"{s[a]} to {a}" for a in ("adopt", "release") if s[a]]
    return text + "".join(f", {e}" for e in extra) + "."


def render(plan: Plan, *, destructive_allowed: bool = False) -> str:
    """The whole plan: changes, unmanaged objects, warnings, errors, the summary line.

    ``destructive_allowed``: apply was given ``--allow-destructive`` (said instead of asking
    for it)."""
    changes: list[str] = []
    for change in plan.changes:
        changes += [f"  {line}" for line in change_lines(change)]
    if plan.unchanged and plan.changes:
        changes.append(f"  ({plural(plan.unchanged, 'unchanged object')} not shown)")
    head = [f"Store: {plan.base.store} (revision {plan.base.revision})", digest_line(plan)]
    if plan.base.select:
        head.append(partial_line(plan))
    sections = [head, changes]
    if plan.unmanaged:
        names = ", ".join(f"{k} {key}" for k, key in plan.unmanaged)
        sections.append([f"Unmanaged, left alone (--prune would delete them): {names}"])
    if plan.warnings:
        sections.append(["Warnings:"] + [f"  {problem(w)}" for w in plan.warnings])
    if plan.errors:
        sections.append(["Errors (nothing can be applied):"])
        sections[-1] += [f"  {problem(e)}" for e in plan.errors]
    if plan.destructive:
        n = plural(len(plan.destructive), "change is", "changes are")
        needs = "allowed by" if destructive_allowed else "apply needs"
        sections.append([f"{n} destructive: {needs} --allow-destructive."])
    sections.append([summary_line(plan)])
    return "\n\n".join("\n".join(visible(line) for line in s) for s in sections if s) + "\n"


PARTIAL = "objects outside the selection were not compared."


def partial_line(plan: Plan) -> str:
    """What a partial plan (``--select``) left out."""
    patterns = " ".join(f"--select {p}" for p in plan.base.select)
    return f"Partial plan ({patterns}): {PARTIAL}"


def digest_line(plan: Plan) -> str:
    return f"Plan digest: {plan.digest}"


def problem(e: PlanError) -> str:
    """``file:line:column: CODE message`` (the place only when there is one)."""
    where = f"{e.file}:{e.line}:{e.column}: " if e.file else ""
    return f"{where}{e.code} {e.message}"


def freeze_line(note: str) -> str:
    """After the plan: ``Note: apply blocked by freeze 'Q4 close' until …``."""
    return f"\nNote: {visible(note)}.\n"
