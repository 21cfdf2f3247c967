"""User text made safe inside GitHub-flavoured Markdown: shown as written, never obeyed.

Names, keys and messages come from the configuration and from the CRM's own rows. In a PR
comment a ``|`` would split a table cell, backticks close a code span or fence, ``<`` open an
HTML tag (``<details>``, ``<img>``) and ``-->`` end a hidden marker. Every piece of user text
goes through one of these functions; control characters are escaped first
(:func:`opconf.visible.visible`), so text is always one line.
"""

from __future__ import annotations

import re

from opconf.visible import visible

# Characters with a meaning anywhere in Markdown text; a backslash makes each literal
# (CommonMark 2.4); ``[`` escaped, no ``(`` can start a link.
_SPECIAL = re.compile(r"([\\`*_\[\]|~!])")
# What starts a block at the beginning of a line: heading, quote, list, rule, setext line.
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_BACKTICKS = re.compile(r"`+")
# What GitHub turns into a notification or a link in text (never in code): @user, @org/team,
# #123 (and owner/repo#123), an e-mail address, https://…, www.…. A zero-width joiner after
# the @, the #, the scheme or the www breaks each, and the text still reads the same.
_MENTION = re.compile(r"([@#])(?=\w)")
_LINK = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])")
ZWJ = "\u200d"


def quiet(value: str) -> str:
    """``value`` with mentions, issue references and links neutralised: it pings nobody."""
    return _LINK.sub("\\1" + ZWJ, _MENTION.sub("\\1" + ZWJ, value))


def text(value: str) -> str:
    """``value`` as literal Markdown text: specials backslash-escaped, HTML as entities;
    mentions, issue references and links neutralised (:func:`quiet`): a PR comment pings
    nobody."""
    plain = quiet(visible(value)).replace("&", "&amp;").replace("<", "&lt;")
    escaped = _SPECIAL.sub(r"\\\1", plain)
    start = _BLOCK_START.match(escaped)
    if start is None:
        return escaped
    head, mark = start.groups()
    if mark[0].isdigit():  # "1." / "1)": escape the delimiter after the digits
        return f"{head}{mark}\\{escaped[start.end() :]}"
    return f"{head}\\{escaped[len(head) :]}"


def code(value: str, *, cell: bool = False) -> str:
    """``value`` as an inline code span that its own backticks cannot close (CommonMark 6.1:
    the delimiter is longer than any backtick run inside). In a table ``cell`` a ``|`` is
    escaped: GitHub splits cells on it even inside code."""
    shown = visible(value).replace("|", "\\|") if cell else visible(value)
    ticks = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(shown)), default=0))
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{ticks}{pad}{shown}{pad}{ticks}"


def fence(lines: list[str], info: str = "") -> list[str]:
    """A fenced code block of ``lines`` whose fence no line can close (CommonMark 4.5: a
    closing fence is at least as long as the opening one)."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{info}", *lines, ticks]


def link(label: str, url: str | None) -> str:
    """``label`` (already Markdown) linked to ``url`` when there is one."""
    if not url:
        return label
    return f"[{label}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


def comment_marker(name: str) -> str:
    """A hidden HTML comment naming this comment (e.g. the plan for one target), so a bot can
    find and update it. ``name`` cannot end the comment: only ``[A-Za-z0-9._/-]`` stays."""
    safe = re.sub(r"[^A-Za-z0-9._/-]", "_", visible(name)).replace("--", "-_")
    return f"<!-- opconf: {safe} -->"
