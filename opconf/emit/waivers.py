"""``export --waive``: waivers appended to opconf.yaml, comments and layout kept.

The project file is edited with ruamel.yaml's round trip (the house emitter,
:func:`opconf.emit.engine.make_yaml`), so its comments, quoting and the order of its sections
survive; a missing file is created holding only the waivers. Core only: never prints, never
exits.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from opconf.emit.engine import dump, make_yaml
from opconf.errors import UsageError


def with_waivers(text: str, entries: Iterable[Mapping[str, Any]]) -> str:
    """``text`` (opconf.yaml, or empty) with ``entries`` added at the end of ``waivers:``."""
    yaml = make_yaml()
    data = yaml.load(io.StringIO(text)) if text.strip() else None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise UsageError("opconf.yaml is not a mapping", hint="correct it, then export again")
    section = data.get("waivers")
    if section is None:
        section = data["waivers"] = CommentedSeq()
    if not isinstance(section, CommentedSeq):
        raise UsageError("waivers in opconf.yaml is not a list", hint="correct it first")
    for entry in entries:
        section.append(_entry(entry))
    return dump(data, yaml)


def _entry(entry: Mapping[str, Any]) -> CommentedMap:
    """``{match, rules: [..] (on one line), reason}``."""
    out = CommentedMap()
    for name, value in entry.items():
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        out[name] = value
    return out
