"""``export --waive`` edits opconf.yaml by ruamel.yaml's round trip: comments, quoting and the
order of sections survive; entries go at the end of ``waivers:``."""

from __future__ import annotations

import pytest

from opconf.emit.waivers import with_waivers
from opconf.errors import UsageError

ENTRY = {"match": "Product/Premium-Savings", "rules": ["OPC202"], "reason": "adopted as is"}
ADDED = """\
  - match: Product/Premium-Savings
    rules: [OPC202]
    reason: adopted as is
"""


def test_a_new_section_goes_at_the_end_and_comments_stay() -> None:
    text = '# project\nconfig: "config/"  # quoted\n\n# stores\ntargets: {}\n'
    assert with_waivers(text, [ENTRY]) == text + "waivers:\n" + ADDED


def test_entries_are_appended_to_the_section() -> None:
    text = (
        "waivers:\n"
        "  # the old pipeline\n"
        "  - {match: OpportunityTemplate/old, rules: [OPC226], reason: legacy}\n"
        "prune: false\n"
    )
    assert with_waivers(text, [ENTRY]) == (
        "waivers:\n"
        "  # the old pipeline\n"
        "  - {match: OpportunityTemplate/old, rules: [OPC226], reason: legacy}\n" + ADDED
        + "prune: false\n"
    )  # fmt: skip


def test_an_empty_file_gets_the_section() -> None:
    assert with_waivers("", [ENTRY]) == "waivers:\n" + ADDED


@pytest.mark.parametrize("text", ["- a\n", "waivers: 3\n"])
def test_a_file_of_another_shape_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        with_waivers(text, [ENTRY])
