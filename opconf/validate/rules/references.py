"""Templates point at products and coverage groups that exist (and are active)."""

from __future__ import annotations

from collections.abc import Iterator

from opconf.diagnostics import did_you_mean
from opconf.validate.finding import Finding
from opconf.validate.index import Index


def check(index: Index) -> Iterator[Finding]:
    products = index.keys("Product")
    groups = index.keys("CoverageGroup")
    for doc in index.docs("OpportunityTemplate"):
        data = doc.data
        active = data.get("active", True)
        group = data.get("defaultCoverageGroup")
        if group is not None and group not in groups:
            message = f"unknown coverage group '{group}'{did_you_mean(group, groups)}"
            yield Finding("OPC211", message, doc, ("defaultCoverageGroup",))
        seen: set[str] = set()
        for i, key in enumerate(data.get("products") or ()):
            path = ("products", i)
            if key is None:
                continue
            if key in seen:
                yield Finding("OPC213", f"product '{key}' is listed twice", doc, path)
            seen.add(key)
            product = products.get(key)
            if product is None:
                message = f"unknown product '{key}'{did_you_mean(key, products)}"
                yield Finding("OPC210", message, doc, path)
            elif active and product.data.get("active", True) is False:
                message = f"active template sells inactive product '{key}'"
                yield Finding("OPC212", message, doc, path, severity="warning")
