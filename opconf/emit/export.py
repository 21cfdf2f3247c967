"""``export``'s core: the store's objects as documents, ``{relative path: text}`` (SPEC §7).

A pure function of the store state and the request; writing the files is
:mod:`opconf.emit.files`. One file per object, under ``products/``, ``coverage-groups/`` and
``templates/``, named by the object's key — a key that is not a valid opconf key (and so could
name a path outside the folder) is refused. Core only: never prints, never exits.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from opconf import exitcodes
from opconf.canonical import KIND_ORDER
from opconf.emit.documents import Unwritable, document_text
from opconf.emit.engine import make_yaml
from opconf.errors import OpconfError
from opconf.models import KEY_PATTERN
from opconf.store.model import ObjectId, StoredObject, StoreState

FOLDERS = {
    "Product": "products",
    "CoverageGroup": "coverage-groups",
    "OpportunityTemplate": "templates",
}
NOUNS = {"Product": "product", "CoverageGroup": "coverage group", "OpportunityTemplate": "template"}
_KEY = re.compile(KEY_PATTERN)
_LEAVE_OUT = "leave the object out with --kind/--select"
Progress = Callable[[int, int], None]


class ExportError(OpconfError):
    """The store holds something export cannot write as valid documents."""

    exit_code = exitcodes.PROBLEMS


@dataclass(frozen=True)
class Request:
    """What to export. ``schemas`` is the schema folder relative to the output folder."""

    kinds: frozenset[str] = frozenset(KIND_ORDER)
    select: str | None = None  # a glob on keys
    only_unmanaged: bool = False
    with_dependencies: bool = False
    schemas: str = "../schemas"


@dataclass(frozen=True)
class Export:
    """The files to write (``{relative path: text}``, POSIX paths) and objects per kind."""

    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def export(
    state: StoreState,
    request: Request,
    configured: Callable[[], frozenset[ObjectId]],
    progress: Progress | None = None,
) -> Export:
    """The documents for the store's objects that ``request`` selects.

    ``configured`` gives the objects the configuration names: read only when needed (for
    ``only_unmanaged``, or to find out whether a missing dependency is configured).
    """
    known = configured() if request.only_unmanaged else None
    chosen = {oid: obj for oid, obj in state.objects.items() if _wanted(obj, request, known)}
    missing = _missing(chosen, state)
    if missing:
        known = configured() if known is None else known
        missing = {oid: by for oid, by in missing.items() if oid not in known}
    if missing and request.with_dependencies:
        chosen.update((oid, state.objects[oid]) for oid in missing)
    elif missing:
        raise _missing_error(missing)
    return _render(sorted(chosen.values(), key=_order), request.schemas, progress)


def path_of(kind: str, key: str) -> str:
    """``products/checking.yaml``: only ever from a valid key."""
    if not _KEY.match(key):
        raise ExportError(
            f"cannot export {kind} {key!r}: its key is not a valid opconf key ({KEY_PATTERN})",
            hint=f"change the key in the CRM, or {_LEAVE_OUT}",
        )
    return f"{FOLDERS[kind]}/{key}.yaml"


def _wanted(obj: StoredObject, request: Request, known: frozenset[ObjectId] | None) -> bool:
    if obj.kind not in request.kinds:
        return False
    if request.select is not None and not fnmatch.fnmatchcase(obj.key, request.select):
        return False
    return known is None or not (obj.managed or (obj.kind, obj.key) in known)


def _missing(chosen: dict[ObjectId, StoredObject], state: StoreState) -> dict[ObjectId, str]:
    """Objects the chosen templates refer to but that are not chosen: ``{id: a referrer}``."""
    missing: dict[ObjectId, str] = {}
    for (kind, key), obj in sorted(chosen.items()):
        if kind != "OpportunityTemplate":
            continue
        group = obj.data["defaultCoverageGroup"]
        refs = [("Product", p) for p in obj.data["products"]]
        refs += [("CoverageGroup", group)] if group else []
        for ref in refs:
            if ref not in chosen and ref in state.objects:
                missing.setdefault(ref, key)
    return missing


def _missing_error(missing: dict[ObjectId, str]) -> ExportError:
    items = sorted(missing.items(), key=lambda item: (_order_of(item[0]), item[0][1]))
    named = [f"{NOUNS[kind]} {key} (used by template {by})" for (kind, key), by in items[:5]]
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    return ExportError(
        "templates refer to objects neither configured nor exported: " + ", ".join(named) + more,
        hint="export them too with --with-dependencies, or widen --kind/--select",
    )


def _order_of(oid: ObjectId) -> int:
    return KIND_ORDER.index(oid[0])


def _order(obj: StoredObject) -> tuple[int, str]:
    return _order_of((obj.kind, obj.key)), obj.key


def _render(objects: Iterable[StoredObject], schemas: str, progress: Progress | None) -> Export:
    objects = list(objects)
    files: dict[str, str] = {}
    counts = dict.fromkeys(KIND_ORDER, 0)
    yaml = make_yaml()
    for done, obj in enumerate(objects, 1):
        path = path_of(obj.kind, obj.key)
        try:
            files[path] = document_text(obj.kind, obj.data, f"../{schemas}", yaml)
        except Unwritable as exc:
            raise ExportError(
                f"cannot export {obj.kind} {obj.key}: {exc}",
                hint=f"correct the text in the CRM, or {_LEAVE_OUT}",
            ) from None
        counts[obj.kind] += 1
        if progress:
            progress(done, len(objects))
    return Export(files, counts)


def configured_keys(config: Path) -> frozenset[ObjectId]:
    """``(kind, key)`` of every document under ``config`` (none when it does not exist)."""
    from opconf.load.discover import discover, display_names
    from opconf.load.yamlread import read_file

    if not config.is_dir():
        return frozenset()
    found = set()
    for path, name in display_names(discover([config])).items():
        for doc in read_file(path, name).documents:
            kind, key = doc.data.get("kind"), doc.data.get("key")
            if isinstance(kind, str) and isinstance(key, str):
                found.add((kind, key))
    return frozenset(found)
