"""Packed snapshots (opconf/store/packing.py) and digests (opconf/jsontext.py): exactly the
JSON the history used to hold, and the digest of it."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from opconf.jsontext import digest, dumps
from opconf.store.packing import PREFIX, pack, unpack

scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
# Snapshot-like: text keys at the top; lists, text-keyed and int-keyed mappings below.
snapshots = st.dictionaries(
    st.text(),
    values | st.dictionaries(st.integers(), st.integers(), max_size=4),
    max_size=6,
)


@given(snapshots)
def test_packed_is_the_compressed_json_and_reads_back(snapshot: dict[str, Any]) -> None:
    packed = pack(snapshot)
    assert packed.startswith(PREFIX)
    data = zlib.decompress(base64.b64decode(packed.removeprefix(PREFIX)))
    assert data.decode("utf-8") == dumps(snapshot)
    assert unpack(packed, 1) == json.loads(dumps(snapshot))  # int keys come back as text


def test_a_snapshot_written_before_packing_reads_as_it_is() -> None:
    snapshot = {"Product": [{"key": "bonds", "name": "Bonds ✓"}], "moves": {"7": 9}}
    assert unpack(dumps(snapshot), 3) == snapshot


def test_a_large_snapshot_packs_small() -> None:
    products = [{"key": f"p{i}", "name": f"Product {i}", "listPrice": "10.5"} for i in range(2000)]
    snapshot = {"Product": products, "ids": {"Product": {f"p{i}": i for i in range(2000)}}}
    assert len(pack(snapshot)) < len(dumps(snapshot)) / 4


@given(snapshots)
def test_the_digest_is_over_the_whole_canonical_json(snapshot: dict[str, Any]) -> None:
    text = dumps(snapshot).encode("utf-8")
    assert digest(snapshot) == "sha256:" + hashlib.sha256(text).hexdigest()
