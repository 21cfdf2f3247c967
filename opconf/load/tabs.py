"""Tabs that YAML 1.2 reads as white space but libyaml (and ruamel.yaml) refuse.

Both readers stop at a tab on a line that holds only white space (YAML: a blank line, or an
empty comment line) and at a tab after a block sequence's ``-`` (YAML: separation, as a
space). Editors leave both behind. When a reader stops at such a line, that line's tabs are
read as spaces — the same columns, nothing else of the file touched — and the file is read
again; a tab anywhere else stays the reader's error. A tab inside a scalar is never changed:
a reader that stops there did not read it as content.
"""

from __future__ import annotations

import re

_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_DASHES = re.compile(r" *-(?:[ \t]+-)*[ \t]+")  # block sequence indicators and their spacing


def as_spaces(text: str, line: int) -> str | None:
    """``text`` with the tabs of 0-based ``line`` read as spaces, when that line is blank or
    its tabs follow its ``-`` indicators; else None."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    row = text[start:end]
    if "\t" not in row:
        return None
    if not row.strip(" \t\r"):
        fixed = row.replace("\t", " ")
    else:
        lead = _DASHES.match(row)
        if lead is None or "\t" not in lead.group():
            return None
        fixed = lead.group().replace("\t", " ") + row[lead.end() :]
    return text[:start] + fixed + text[end:]


def read_again(text: str, exc: Exception) -> str | None:
    """The text to read again after a reader's error ``exc`` (libyaml's or ruamel.yaml's),
    or None. Never inside a block scalar: there a tab-only line ends the scalar's content in
    YAML too, so reading it as blank would change the value silently."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None or "block scalar" in str(getattr(exc, "context", None) or ""):
        return None
    if _OTHER_BREAKS.search(text):  # the readers count these as line breaks too: lines differ
        return None
    return as_spaces(text, mark.line)
