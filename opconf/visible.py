"""Text from user data made safe to print: control characters shown, never obeyed.

A name holding ESC could recolour or rewrite the terminal, a CR hide what precedes it, a bidi
override reorder what a reviewer reads. Such characters are shown as escapes (``\\x1b``,
``\\u202e``); everything else (emoji, right-to-left letters, accents) is kept as it is.
"""

from __future__ import annotations

import re

# DEL and C1 controls; line and paragraph separators; bidi embeddings, overrides, isolates and
# marks. With the C0 controls, these are what a terminal could obey instead of showing.
_HIDDEN = "\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f{_HIDDEN}]")
# What JSON writers leave raw (they escape C0 themselves): escaped as \uXXXX, same value.
_JSON_RAW = re.compile(f"[{_HIDDEN}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character escaped, newlines included (one value)."""
    return _CONTROL.sub(_escape, text)


def json_visible(text: str) -> str:
    """JSON text with the controls a JSON writer leaves raw written as ``\\uXXXX`` escapes:
    the data it holds is unchanged, the terminal that shows it is safe."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
