"""The catalogue (SPEC §10): one self-contained HTML page showing the configuration the way
the CRM's admin screens do, with a saved plan's pending changes marked.

Data first, rendering last: :func:`build` makes the view model from the canonical objects (and
the plan), :func:`render` turns it into HTML with Jinja2, :func:`write` saves ``index.html``.
"""

from __future__ import annotations

from opconf.catalogue.model import Catalogue, build
from opconf.catalogue.render import render, write

__all__ = ["Catalogue", "build", "render", "write"]
