"""Store objects as new documents, in the house layout that ``fmt`` keeps unchanged.

An object's canonical form (:mod:`opconf.canonical`, what the store holds) becomes a
round-trip mapping in canonical key order with the fields equal to their defaults left out,
then the one emitter (:mod:`opconf.emit.engine`) writes it. Strings keep their exact value:
plain where opconf's reader reads them back unchanged, quoted otherwise, multi-line text as a
literal block when that holds it exactly; decimals are written as their exact text.
A character YAML cannot hold at all is refused (:class:`Unwritable`). Core only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from opconf.emit.direct import FlowMap, FlowSeq, Tree, commented, dump_direct
from opconf.emit.engine import FLOAT_TAG, INT, WIDTH, Verbatim, make_yaml, trimmed
from opconf.emit.order import field_order
from opconf.kinds import API_VERSION, SCHEMA_NAMES
from opconf.models import MODELS, Stage, Step

Obj = dict[str, Any]

# Defaults (SPEC §2): a field holding one of these is left out of the document.
DEFAULTS: dict[str, Obj] = {
    "document": {"description": None, "previousKeys": None},
    "Product": {"active": True, "listPrice": None, "code": None, "unitOfMeasure": None},
    "CoverageGroup": {"visibility": "public", "members": []},
    "OpportunityTemplate": {"active": True, "defaultCoverageGroup": None, "products": []},
    "Stage": {"outcome": "open", "guidance": None, "steps": []},
    "Step": {"required": False, "dueDays": None, "assignee": "owner"},
}
# What the YAML spec lets a stream hold (c-printable); anything else cannot be written.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JSON_CONTROL = re.compile(r"\\[bfu]")  # how json.dumps writes control characters
# Characters a plain or single-quoted scalar would not keep exactly: double quotes escape them.
_ESCAPE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


class Unwritable(Exception):
    """A string holds a character YAML cannot hold; ``path`` names the field."""

    def __init__(self, path: str, char: str) -> None:
        super().__init__(f"{path} holds U+{ord(char):04X}, a character YAML cannot hold")
        self.path, self.char = path, char


def modeline(kind: str, schemas: str) -> str:
    """``# yaml-language-server: $schema=../../schemas/product.schema.json`` for ``kind``."""
    return f"# yaml-language-server: $schema={schemas}/{SCHEMA_NAMES[kind]}.schema.json\n"


def document_text(kind: str, data: Obj, schemas: str, yaml: YAML | None = None) -> str:
    """The document for one object in canonical form, with its schema modeline."""
    return modeline(kind, schemas) + trimmed(dump_direct(tree(kind, data), yaml or make_yaml()))


def document(kind: str, data: Obj) -> CommentedMap:
    """The round-trip mapping for one object in canonical form; raises :class:`Unwritable`."""
    out: CommentedMap = commented(tree(kind, data))
    return out


def tree(kind: str, data: Obj) -> Tree:
    """:func:`document` as plain dicts and lists (:mod:`opconf.emit.direct`'s input): cheaper
    to build than ruamel's round-trip types; raises :class:`Unwritable`."""
    check_text(data)
    fields = {"apiVersion": API_VERSION, "kind": kind, **data}
    out = _mapping(fields, field_order(MODELS[kind], True), DEFAULTS["document"] | DEFAULTS[kind])
    if kind == "CoverageGroup" and "members" in out:
        out["members"] = [_flow(m) for m in data["members"]]
    if kind == "OpportunityTemplate":
        if "products" in out:
            out["products"] = _products(data["products"])
        out["stages"] = [_stage(s) for s in data["stages"]]
    return out


def check_text(data: Any, path: str = "") -> None:
    """Raise :class:`Unwritable` for the first string holding a character YAML forbids."""
    if _clean(data):
        return
    for where, text in _strings(data, path):
        bad = _NOT_PRINTABLE.search(text)
        if bad:
            raise Unwritable(where, bad.group())


def _clean(data: Any) -> bool:
    """True when no text in ``data`` holds a forbidden character: one search over its JSON
    text instead of one per string. JSON escapes control characters (``\\b``, ``\\u0007``),
    so those escapes count as suspect too; a suspect (or an escaped backslash before ``b``,
    ``f``, ``u``) is False, and :func:`check_text` then looks string by string."""
    try:
        encoded = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        return False
    return _NOT_PRINTABLE.search(encoded) is None and _JSON_CONTROL.search(encoded) is None


def _strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, f"{path}[{index}]")


def _mapping(data: Obj, order: tuple[str, ...], defaults: Obj) -> Tree:
    out: Tree = {}
    for name in order:
        if name not in data:
            continue
        value = data[name]
        if name in defaults:
            default = defaults[name]
            if value == default or (value == "" and default is None):
                continue  # "": an empty optional text (a CRM's UI saves it); documents hold none
        out[name] = _scalar(name, value)
    return out


def _scalar(name: str, value: Any) -> Any:
    if name == "listPrice":  # exact decimal text, written as the number it is
        return Verbatim(value, INT if value.lstrip("-").isdigit() else FLOAT_TAG)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):  # an assignee: {role: CODE} or {user: LOGIN}
        return _flow(value)
    return value


def text(value: str) -> str:
    """A string in the style that keeps it exact: plain/quoted (the emitter decides, with
    opconf's resolver), a literal block for clean multi-line text, double quotes (escapes)
    for anything else."""
    if _ESCAPE.search(value) is None:
        if "\n" not in value:
            return value
        if _literal_ok(value):
            literal: str = LiteralScalarString(value)
            return literal
    quoted: str = DoubleQuotedScalarString(value)
    return quoted


def _text(value: str) -> str:
    """:func:`text`, sooner for printable ASCII (no escape, no line break: itself)."""
    return value if value.isascii() and value.isprintable() else text(value)


def _literal_ok(value: str) -> bool:
    """A literal block holds the text exactly: no edge whitespace, one final newline at most."""
    lines = value.removesuffix("\n").split("\n")
    return (
        value[:1] not in (" ", "\n")
        and not value.endswith("\n\n")
        and all(line == line.rstrip(" ") for line in lines)
    )


def flow(data: Obj) -> CommentedMap:
    """A flow mapping (``{user: ajones, role: advisor}``) of scalars."""
    out: CommentedMap = commented(_flow(data))
    return out


def _flow(data: Obj) -> FlowMap:
    return FlowMap({k: _text(v) if isinstance(v, str) else v for k, v in data.items()})


def _products(keys: list[str]) -> list[str]:
    if len("products: []") + sum(len(k) + 2 for k in keys) <= WIDTH:  # keys are never quoted
        return FlowSeq(keys)
    return list(keys)


def _stage(data: Obj) -> Tree:
    out = _mapping(data, field_order(Stage, False), DEFAULTS["Stage"])
    if "steps" in out:
        out["steps"] = [
            _mapping(s, field_order(Step, False), DEFAULTS["Step"]) for s in data["steps"]
        ]
    return out
