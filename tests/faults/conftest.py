"""Fixtures for the fault tests: stores that can be copied exactly (``copies``, one backend
per run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from faults.faultlib import Copies
except ImportError:  # tests/ is a package
    from tests.faults.faultlib import Copies  # type: ignore[no-redef]


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def copies(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Copies]:
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    stores = Copies(request.param, tmp_path, cluster)
    yield stores
    stores.close()
