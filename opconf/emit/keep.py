"""Lines an edit did not change keep their bytes, even where ``fmt`` would write them otherwise.

An edited document is dumped in the house layout (:func:`opconf.emit.rewrite.rewrite`), which
may re-wrap a long line, change an escape or reorder keys that nothing edited. Given the
original lines, the same document dumped without the edit (``formatted``) and dumped with it
(``changed``), every stretch of ``formatted`` that ``changed`` holds unchanged is written as
the original lines it came from. Two line alignments (original ↔ formatted, formatted ↔
changed), no YAML knowledge; a stretch the edit touched is ``changed``'s, as ``fmt`` writes
it. Core only.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def keep_lines(original: list[str], formatted: list[str], changed: list[str]) -> list[str]:
    """``changed`` with the lines it shares with ``formatted`` as ``original`` has them."""
    source = _sources(original, formatted)  # formatted line → its stretch of the original
    same = _unchanged(formatted, changed)  # changed line → the formatted line it is
    out: list[str] = []
    k = 0
    while k < len(changed):
        j = same.get(k, -1)
        stretch = source.get(j)
        if stretch is None or not _whole(stretch, k, j, same):
            out.append(changed[k])
            k += 1
            continue
        (i1, i2), (j1, j2) = stretch
        out += original[i1:i2]
        k += j2 - j1
    return out


Stretch = tuple[tuple[int, int], tuple[int, int]]  # original [i1, i2) ↔ formatted [j1, j2)


def _sources(original: list[str], formatted: list[str]) -> dict[int, Stretch]:
    """For the first line of each stretch of ``formatted``: the original lines it was."""
    out: dict[int, Stretch] = {}
    matcher = SequenceMatcher(None, original, formatted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out |= {j1 + n: ((i1 + n, i1 + n + 1), (j1 + n, j1 + n + 1)) for n in range(j2 - j1)}
        elif tag == "replace":
            out[j1] = ((i1, i2), (j1, j2))  # re-wrapped, re-escaped: fmt's own changes
    return out


def _unchanged(formatted: list[str], changed: list[str]) -> dict[int, int]:
    out: dict[int, int] = {}
    matcher = SequenceMatcher(None, formatted, changed, autojunk=False)
    for block in matcher.get_matching_blocks():
        out |= {block.b + n: block.a + n for n in range(block.size)}
    return out


def _whole(stretch: Stretch, k: int, j: int, same: dict[int, int]) -> bool:
    """The whole formatted stretch is in ``changed`` unchanged, from line ``k`` on."""
    (_, _), (j1, j2) = stretch
    return j == j1 and all(same.get(k + n) == j1 + n for n in range(j2 - j1))
