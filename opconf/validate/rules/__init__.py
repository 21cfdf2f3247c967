"""Layer 3: semantic rules across documents (catalogue: docs/rules.md).

Each module checks one concern and yields :class:`~opconf.validate.finding.Finding` values.
"""

from __future__ import annotations

from collections.abc import Iterator

from opconf.reference_data import References
from opconf.validate.finding import Finding
from opconf.validate.index import Index
from opconf.validate.rules import identity, members, refdata, references, stages


def check(index: Index, refs: References | None) -> Iterator[Finding]:
    yield from identity.check(index)
    yield from references.check(index)
    yield from stages.check(index)
    yield from members.check(index)
    if refs is not None:
        yield from refdata.check(index, refs)
