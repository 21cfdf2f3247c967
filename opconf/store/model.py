"""The values the store hands out: state for plan, reference data, history, lock holders."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Obj = dict[str, Any]
ObjectId = tuple[str, str]  # (kind, key)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One configuration object as the store holds it; ``data`` is its canonical form."""

    kind: str
    key: str
    id: int
    managed: bool
    data: Obj
    stage_ids: dict[str, int] = field(default_factory=dict)  # templates: stage key → row id


@dataclass(frozen=True, slots=True)
class Usage:
    """How many opportunities use what: the plan's impact figures.

    Keys absent from a mapping have no opportunities; ``stage_open`` is keyed by
    ``(template key, stage key)``.
    """

    template_open: dict[str, int] = field(default_factory=dict)
    template_total: dict[str, int] = field(default_factory=dict)
    stage_open: dict[tuple[str, str], int] = field(default_factory=dict)
    product_open: dict[str, int] = field(default_factory=dict)
    product_total: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoreState:
    """Everything plan needs from the store, read in one query per table."""

    revision: int
    objects: dict[ObjectId, StoredObject]
    users: dict[str, bool]  # login → active
    roles: dict[str, bool]  # coverage role code → is_unique
    product_types: frozenset[str]
    usage: Usage


@dataclass(frozen=True, slots=True)
class RefData:
    """CRM reference data for ``opconf refs pull``, sorted by login / code."""

    users: list[Obj]
    coverageRoles: list[Obj]  # named as in opconf.refs.yaml
    productTypes: list[Obj]

    def as_dict(self) -> Obj:
        return {
            "users": self.users,
            "coverageRoles": self.coverageRoles,
            "productTypes": self.productTypes,
        }


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or wants) the store's write lock."""

    actor: str
    host: str
    pid: int
    since: datetime | None = None
    action: str = "apply"

    @classmethod
    def local(cls, actor: str | None = None, action: str = "apply") -> Holder:
        """This process: ``actor`` (default ``OPCONF_ACTOR``, else the OS user), host, pid."""
        who = actor or os.environ.get("OPCONF_ACTOR") or _os_user()
        return cls(actor=who, host=socket.gethostname(), pid=os.getpid(), action=action)

    def describe(self) -> str:
        """``an apply: actor alice, host h, pid 123, since 2026-05-20T10:15:02Z``."""
        since = self.since.strftime("%Y-%m-%dT%H:%M:%SZ") if self.since else "unknown"
        if self.action == "other":  # a program that is not opconf holds the lock key
            return f"another program: PostgreSQL backend pid {self.pid}, since {since}"
        article = "an" if self.action[:1] in "aeiou" else "a"
        return (
            f"{article} {self.action}: actor {self.actor}, host {self.host}, "
            f"pid {self.pid}, since {since}"
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One applied revision (without its snapshot: see ``Store.snapshot``)."""

    revision: int
    applied_at: datetime
    actor: str
    host: str
    git_commit: str | None
    plan_digest: str
    summary: Obj
    override_windows: str | None = None  # freeze windows gone through with --override-freeze
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """The store read in one transaction while no apply held the lock (``opconf drift``)."""

    state: StoreState
    last: HistoryEntry | None  # the last applied revision (None: never applied)
    snapshot: dict[str, Any] | None  # what that revision recorded


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
