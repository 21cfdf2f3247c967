"""Reporters for validation results: one renderer per ``--format`` name."""

from __future__ import annotations

from collections.abc import Callable

from opconf.report import github, gitlab, markdown, sarif, text
from opconf.report import json as json_format
from opconf.validate import ValidationResult

Renderer = Callable[[ValidationResult, bool], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
    "markdown": markdown.render,
}
