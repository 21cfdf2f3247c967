"""The key grammar (SPEC §2): one definition for the schemas, validation, export and file names.

Keys as CRMs have them (``Premium-Savings``, ``card.v2``, ``2fa_token``): letters of either
case, digits, ``_``, ``-`` and ``.``, starting with a letter or a digit, never ending in ``.``
(so never ``.`` or ``..``), at most 128 characters. Kept free of pydantic so that ``validate``
does not import the models.
"""

from __future__ import annotations

import re

KEY_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9_-])?$"
KEY_MAX = 128
KEY_RULE = (
    "letters, digits, _, - and ., starting with a letter or digit, not ending in ., "
    "at most 128 characters"
)
_KEY = re.compile(KEY_PATTERN)


def is_key(text: str) -> bool:
    """Whether ``text`` matches the key grammar."""
    return _KEY.fullmatch(text) is not None  # match's $ would let a key end with a line break
