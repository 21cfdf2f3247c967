"""The rules across files, kept up to date by the delta of each changed file.

Every document belongs to groups (:func:`opconf.validate.rules.groups.memberships`: its key,
its name, each key it refers to…); a group's findings depend on its members only, and an
unknown reference's "did you mean" on the keys of its kind. So when a file changes, its old
documents leave their groups, its new ones join theirs, and only those groups are judged again
— plus, when a key appeared or vanished, the references still unresolved to that kind (their
hint may change). The findings are those of judging every group afresh, as a full validation
does (``tests/test_incremental.py`` compares them after random edits).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence

from opconf.load.yamlread import Document
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.rules.groups import Group, judge, memberships

Documents = Sequence[tuple[str, Document]]  # (kind, document) of one file


class CrossFile:
    """The groups of a configuration whose files are, in order, ``names``, and the index of
    its documents (:meth:`index`)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._place = {name: i for i, name in enumerate(names)}
        self._index = Index()
        self._members: dict[Group, list[Document]] = {}
        self._found: dict[Group, list[Finding]] = {}  # only groups with findings
        self._keys: dict[str, dict[str, int]] = {}  # kind → key → documents defining it
        self._unresolved: dict[str, set[Group]] = {}  # kind → references to no document
        self._touched: set[Group] = set()
        self._findings: list[Finding] | None = []

    def replace(self, old: Documents, new: Documents) -> None:
        """One file's documents changed from ``old`` to ``new``."""
        for kind, doc in old:
            self._leave(kind, doc)
            docs = self._index.by_kind[kind]
            at = bisect.bisect_left(docs, self._order(doc), key=self._order)
            while docs[at] is not doc:
                at += 1
            del docs[at]
        for kind, doc in new:
            self._join(kind, doc)
            bisect.insort(self._index.by_kind[kind], doc, key=self._order)
        for kind, doc in [*old, *new]:
            key = doc.data.get("key")
            if key is not None:
                members = self._members.get(("unique-key", kind, key))
                if members:
                    self._index.by_key[kind][key] = min(members, key=self._order)
                else:
                    self._index.by_key[kind].pop(key, None)

    def index(self) -> Index:
        """The documents by kind, in the configuration's order, and by key (a copy: the
        caller may change it)."""
        by_kind = {kind: list(docs) for kind, docs in self._index.by_kind.items() if docs}
        by_key = {kind: dict(keys) for kind, keys in self._index.by_key.items() if keys}
        return Index(defaultdict(list, by_kind), defaultdict(dict, by_key))

    def place(self, name: str) -> int:
        """The place of the file ``name`` in the configuration."""
        return self._place[name]

    def _order(self, doc: Document) -> tuple[int, int]:
        return self._place[doc.file], doc.index

    def findings(self) -> list[Finding]:
        """Every group's findings, after judging again the groups changes touched."""
        for group in self._touched:
            self._judge(group)
        self._touched.clear()
        if self._findings is None:
            self._findings = [f for found in self._found.values() for f in found]
        return self._findings

    def _join(self, kind: str, doc: Document) -> None:
        for group in memberships(kind, doc):
            self._members.setdefault(group, []).append(doc)
            self._touched.add(group)
        self._count(kind, doc.data.get("key"), +1)

    def _leave(self, kind: str, doc: Document) -> None:
        for group in memberships(kind, doc):
            members = [d for d in self._members[group] if d is not doc]
            if members:
                self._members[group] = members
            else:
                del self._members[group]
            self._touched.add(group)
        self._count(kind, doc.data.get("key"), -1)

    def _count(self, kind: str, key: str | None, step: int) -> None:
        if key is None:
            return
        keys = self._keys.setdefault(kind, {})
        count = keys.get(key, 0) + step
        if count:
            keys[key] = count
        else:
            del keys[key]
        if count == 0 or (count == 1 and step > 0):  # the key appeared or vanished
            self._touched.update(self._unresolved.get(kind, ()))

    def _judge(self, group: Group) -> None:
        self._findings = None
        members = self._members.get(group)
        if members is None:
            found: list[Finding] = []
        else:
            members.sort(key=self._order)
            found = list(judge(group, members, self._keys_of))
        if found:
            self._found[group] = found
        else:
            self._found.pop(group, None)
        rule, kind, _ = group
        if rule == "ref":
            unresolved = self._unresolved.setdefault(kind, set())
            if any(f.code in ("OPC210", "OPC211") for f in found):
                unresolved.add(group)
            else:
                unresolved.discard(group)

    def _keys_of(self, kind: str) -> dict[str, int]:
        return self._keys.get(kind, {})
