"""The catalogue as one self-contained HTML page, rendered with Jinja2 (autoescaped).

The page inlines its stylesheet and script (package data under ``static/``) and the view
model's details as JSON, so it needs no network and opens from ``file://``. Jinja2 draws the
shell and the lists up front; the script draws the selected object's details from the JSON on
demand, which keeps a 10,000-object page small and its first paint fast. The output depends
on nothing but its inputs (no timestamps): it can be committed and diffed.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from opconf import exitcodes
from opconf.catalogue.model import Catalogue
from opconf.errors import FileError
from opconf.fsio import write_file

PAGE = "index.html"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("opconf.catalogue", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # tojson escapes <, >, & and ' (safe inside <script>); compact and sorted: small, stable.
    env.policies["json.dumps_kwargs"] = {
        "sort_keys": True,
        "separators": (",", ":"),
        "ensure_ascii": False,
    }
    return env


@cache
def _asset(name: str) -> Markup:
    """A static file to inline verbatim (never escaped: it is ours, not the user's)."""
    text = (files("opconf.catalogue") / "static" / name).read_text("utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    assert closing not in text.lower(), f"{name} would end its own element"
    return Markup(text)


def render(catalogue: Catalogue, title: str = "Opportunity configuration") -> str:
    """The whole page."""
    template = _environment().get_template("index.html.j2")
    return template.render(
        catalogue=catalogue,
        title=title,
        css=_asset("catalogue.css"),
        script=_asset("catalogue.js"),
    )


def write(html: str, out: Path) -> Path:
    """Write ``out/index.html`` atomically (a temp file renamed over it); return its path."""
    target = out / PAGE
    if out.exists() and not out.is_dir():
        raise FileError(
            f"cannot create the folder {out}: a file is in the way",
            hint="--out names the folder for index.html",
            exit_code=exitcodes.CANTCREAT,
        )
    write_file(target, html)
    return target
