"""The store: the CRM database opconf reads and applies to (SPEC §4, docs/store.md).

``Store(url)`` is the one interface; SQLite and PostgreSQL share one code path.
"""

from __future__ import annotations

from opconf.store.model import (
    HistoryEntry,
    Holder,
    RefData,
    StoredObject,
    StoreState,
    Usage,
)
from opconf.store.store import Store
from opconf.store.tables import SCHEMA_VERSION
from opconf.store.url import redact
from opconf.store.write import Writer

__all__ = [
    "SCHEMA_VERSION",
    "HistoryEntry",
    "Holder",
    "RefData",
    "Store",
    "StoreState",
    "StoredObject",
    "Usage",
    "Writer",
    "redact",
]
