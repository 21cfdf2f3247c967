"""A plan as a value: typed changes, plan errors and the base it was computed against.

Built by :func:`opconf.plan.diff.compute`, rendered by the renderers, serialised to and from
JSON (``schemas/plan.schema.json``), applied by :mod:`opconf.apply`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

from opconf.diagnostics import Diagnostic
from opconf.jsontext import digest
from opconf.store.ids import RowId

# release: a managed object goes back to being the CRM's own (a rollback past its adopt).
Action = Literal["create", "update", "rename", "delete", "adopt", "release"]
ACTIONS: tuple[Action, ...] = ("create", "update", "rename", "delete", "adopt", "release")
Op = Literal["set", "add", "remove", "move", "rename"]
FORMAT_VERSION = "1.1"  # 1.1: a change's ``reverts``; a rollback's ``base.rollback``
Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Detail:
    """One field-level difference inside a change.

    ``path`` names the element: ``name``, ``members[jdoe]``, ``products[heloc]``,
    ``stages[qualify]``, ``stages[qualify].probability``, ``steps[kyc].dueDays``.
    """

    op: Op
    path: str
    old: Any = None
    new: Any = None
    destructive: bool = False
    impact: int = 0  # open opportunities affected (stage changes)


@dataclass(frozen=True)
class Change:
    """One object to create, update, rename, adopt or delete."""

    action: Action
    kind: str
    key: str  # the key after the change (a delete: the key being deleted)
    before: Obj | None  # canonical store state (None for create)
    after: Obj | None  # canonical desired state (None for delete)
    old_key: str | None = None  # rename: the key in the store
    details: tuple[Detail, ...] = ()
    impact: int = 0  # open opportunities on this template / product
    stage_renames: dict[str, str] = field(default_factory=dict)  # old stage key → new
    stage_moves: dict[str, str] = field(default_factory=dict)  # removed stage → replacing
    # detail path → the revision since which the CRM changed that field: this apply reverts it
    reverts: dict[str, int] = field(default_factory=dict)
    # rollback: stage → {stage → the open opportunities that go from that one back to this one}
    stage_returns: dict[str, dict[str, list[RowId]]] = field(default_factory=dict)

    @property
    def store_key(self) -> str:
        """The key the object has in the store before the change."""
        return self.old_key or self.key

    @property
    def destructive(self) -> bool:
        return self.action == "delete" or any(d.destructive for d in self.details)


@dataclass(frozen=True, slots=True)
class PlanError:
    """A reason the plan cannot be applied (a safety rule or a live reference check)."""

    code: str
    message: str
    kind: str = ""
    key: str = ""
    file: str = ""
    line: int = 0
    column: int = 0

    @classmethod
    def of(cls, d: Diagnostic) -> PlanError:
        """A validation diagnostic carried into the plan (live reference checks, warnings)."""
        return cls(d.code, d.message, file=d.file, line=d.line, column=d.column)


@dataclass(frozen=True)
class Base:
    """What the plan was computed against; a saved plan is refused when the store moved."""

    revision: int
    store: str  # redacted URL
    rows: dict[str, str]  # "Kind/key" → digest of the store row (or "absent")
    config_digest: str
    tool_version: str
    created_at: str
    rollback: int | None = None  # the revision a rollback returns to (None: not a rollback)
    select: tuple[str, ...] = ()  # a partial plan: the --select patterns (empty: whole)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    base: Base
    errors: tuple[PlanError, ...] = ()
    warnings: tuple[PlanError, ...] = ()
    unmanaged: tuple[tuple[str, str], ...] = ()  # (kind, key) left alone
    prune: bool = False
    unchanged: int = 0  # desired objects that already match the store

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    @cached_property
    def digest(self) -> str:
        """The content digest: of everything the saved plan holds but the digest itself.

        Printed by every renderer and recorded in the history, so what was reviewed can be
        matched with what is applied; a saved plan whose content does not match is refused.
        """
        return digest(self.content())

    def to_dict(self) -> Obj:
        """The JSON form (``schemas/plan.schema.json``), digest included."""
        content = self.content()
        if "digest" not in self.__dict__:  # serialise once: fill the cached_property's slot
            self.__dict__["digest"] = digest(content)
        return {"format_version": FORMAT_VERSION, "digest": self.digest, **content}

    def content(self) -> Obj:
        """The JSON form without the digest: what the digest is computed over."""
        return {
            "format_version": FORMAT_VERSION,
            "summary": self.summary(),
            "changes": [_change_dict(c) for c in self.changes],
            "errors": [asdict(e) for e in self.errors],
            "warnings": [asdict(e) for e in self.warnings],
            "unmanaged": [{"kind": k, "key": key} for k, key in self.unmanaged],
            "prune": self.prune,
            "unchanged": self.unchanged,
            "base": _base_dict(self.base),
        }

    @classmethod
    def from_dict(cls, data: Obj) -> Plan:
        """The plan of a JSON form valid against ``schemas/plan.schema.json`` (every field is
        required there: ``saved.load`` checks it first)."""
        return cls(
            changes=tuple(_change_from(c) for c in data["changes"]),
            base=Base(**{**data["base"], "select": tuple(data["base"].get("select", ()))}),
            errors=tuple(PlanError(**e) for e in data["errors"]),
            warnings=tuple(PlanError(**e) for e in data["warnings"]),
            unmanaged=tuple((u["kind"], u["key"]) for u in data["unmanaged"]),
            prune=data["prune"],
            unchanged=data["unchanged"],
        )


def _base_dict(base: Base) -> Obj:
    """The base; ``rollback`` only in a rollback's plan, ``select`` only in a partial plan
    (others read as they always did)."""
    out = asdict(base)
    if base.rollback is None:
        del out["rollback"]
    if base.select:
        out["select"] = list(base.select)
    else:
        del out["select"]
    return out


def _change_dict(change: Change) -> Obj:
    return {
        "action": change.action,
        "kind": change.kind,
        "key": change.key,
        "old_key": change.old_key,
        "destructive": change.destructive,
        "impact": change.impact,
        "details": [asdict(d) for d in change.details],
        "stage_renames": change.stage_renames,
        "stage_moves": change.stage_moves,
        "reverts": change.reverts,
        # only a rollback's, and rarely: plans without it read and look as they always did
        **({"stage_returns": change.stage_returns} if change.stage_returns else {}),
        "before": change.before,
        "after": change.after,
    }


def _change_from(data: Obj) -> Change:
    return Change(
        action=data["action"],
        kind=data["kind"],
        key=data["key"],
        old_key=data["old_key"],
        before=data["before"],
        after=data["after"],
        details=tuple(Detail(**d) for d in data["details"]),
        impact=data["impact"],
        stage_renames=dict(data["stage_renames"]),
        stage_moves=dict(data["stage_moves"]),
        reverts=dict(data["reverts"]),
        stage_returns={k: dict(v) for k, v in data.get("stage_returns", {}).items()},
    )
