"""References into CRM data: users exist and are active, roles and product types exist.

Run against the ``opconf.refs.yaml`` snapshot by ``validate`` and against the live store by
``plan``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opconf.diagnostics import did_you_mean
from opconf.kinds import KINDS
from opconf.load.yamlread import Document
from opconf.reference_data import References
from opconf.validate.finding import Finding
from opconf.validate.index import Index, enumerate_items, steps


def check(index: Index, refs: References) -> Iterator[Finding]:
    for kind in KINDS:  # products, groups, templates: the order plan reports them in
        for doc in index.docs(kind):
            yield from check_document(kind, doc, refs)


def check_document(kind: str, doc: Document, refs: References) -> Iterator[Finding]:
    """The findings of one document (of ``kind``) against the reference data."""
    if kind == "Product":
        product_type = doc.data.get("type")
        if product_type is not None and product_type not in refs.product_types:
            hint = did_you_mean(product_type, refs.product_types)
            message = f"unknown product type '{product_type}'{hint}"
            yield Finding("OPC253", message, doc, ("type",))
    elif kind == "CoverageGroup":
        yield from _members(doc, refs)
    elif kind == "OpportunityTemplate":
        for path, step in steps(doc):
            assignee = step.get("assignee")
            if isinstance(assignee, dict):
                yield from _assignee(doc, (*path, "assignee"), assignee, refs)


def _members(doc: Document, refs: References) -> Iterator[Finding]:
    holders: dict[str, str] = {}
    for i, member in enumerate_items(doc, "members"):
        user, role = member.get("user"), member.get("role")
        yield from _user(doc, ("members", i, "user"), user, refs)
        yield from _role(doc, ("members", i, "role"), role, refs)
        if user is not None and role is not None and refs.roles.get(role):
            if role in holders and holders[role] != user:
                message = f"role '{role}' is unique and already held by '{holders[role]}'"
                yield Finding("OPC241", message, doc, ("members", i, "role"))
            holders.setdefault(role, user)


def _assignee(
    doc: Document, path: tuple[Any, ...], assignee: dict[str, str], refs: References
) -> Iterator[Finding]:
    if "user" in assignee:
        yield from _user(doc, (*path, "user"), assignee["user"], refs)
    if "role" in assignee:
        yield from _role(doc, (*path, "role"), assignee["role"], refs)


def _user(
    doc: Document, path: tuple[Any, ...], login: str | None, refs: References
) -> Iterator[Finding]:
    if login is None:
        return
    active = refs.users.get(login)
    if active is None:
        message = f"unknown user '{login}'{did_you_mean(login, refs.users)}"
        yield Finding("OPC250", message, doc, path)
    elif not active:
        yield Finding("OPC251", f"user '{login}' is inactive in the CRM", doc, path)


def _role(
    doc: Document, path: tuple[Any, ...], role: str | None, refs: References
) -> Iterator[Finding]:
    if role is not None and role not in refs.roles:
        message = f"unknown coverage role '{role}'{did_you_mean(role, refs.roles)}"
        yield Finding("OPC252", message, doc, path)
