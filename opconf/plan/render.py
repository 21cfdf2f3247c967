"""Rendering a plan by format name: ``text`` (the default), ``json``, ``markdown``."""

from __future__ import annotations

import json
from collections.abc import Callable

from opconf.plan import render_markdown, render_text
from opconf.plan.model import Plan
from opconf.visible import json_visible


def plan_json(plan: Plan) -> str:
    """The JSON form, as printed by ``--format json`` and saved by ``--out``."""
    return json_visible(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False)) + "\n"


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": render_text.render,
    "json": plan_json,
    "markdown": render_markdown.render,
}


def render(
    plan: Plan, fmt: str, freeze: str | None = None, *, destructive_allowed: bool = False
) -> str:
    """``plan`` in the format named ``fmt`` (a key of :data:`RENDERERS`).

    ``freeze``: a line saying a freeze window blocks the apply now (text and Markdown).
    ``destructive_allowed``: the apply about to run has ``--allow-destructive`` (text).
    """
    if fmt == "text":
        out = render_text.render(plan, destructive_allowed=destructive_allowed)
    else:
        out = RENDERERS[fmt](plan)
    if freeze and fmt == "text":
        out += render_text.freeze_line(freeze)
    if freeze and fmt == "markdown":
        out = render_markdown.with_freeze(out, freeze)
    return out
