"""``export``'s core: the store's objects as documents, ``{relative path: text}`` (SPEC §7).

A pure function of the store state and the request; writing the files is
:mod:`opconf.emit.files`. One file per object, under ``products/``, ``coverage-groups/`` and
``templates/``, named by the object's key (:mod:`opconf.emit.filenames`). An object whose key
cannot be held (not a valid key, or equal ignoring case to another) is skipped and named in
:attr:`Export.skipped`; the rest is exported. Core only: never prints, never exits.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from opconf import exitcodes
from opconf.canonical import KIND_ORDER
from opconf.emit.documents import Unwritable, document_text
from opconf.emit.engine import make_yaml
from opconf.emit.filenames import Unheld, file_stem, unheld
from opconf.errors import OpconfError
from opconf.keys import KEY_RULE, is_key
from opconf.selection import EVERYTHING, Selection
from opconf.store.model import ObjectId, StoredObject, StoreState

FOLDERS = {
    "Product": "products",
    "CoverageGroup": "coverage-groups",
    "OpportunityTemplate": "templates",
}
NOUNS = {"Product": "product", "CoverageGroup": "coverage group", "OpportunityTemplate": "template"}
_LEAVE_OUT = "leave the object out with --exclude GLOB"
Progress = Callable[[int, int], None]


class ExportError(OpconfError):
    """The store holds something export cannot write as valid documents."""

    exit_code = exitcodes.PROBLEMS


@dataclass(frozen=True)
class Request:
    """What to export. ``schemas`` is the schema folder relative to the output folder."""

    kinds: frozenset[str] = frozenset(KIND_ORDER)
    select: Selection = EVERYTHING  # --select: Kind/key-glob or key-glob patterns
    exclude: tuple[str, ...] = ()  # globs on keys or on Kind/key
    only_unmanaged: bool = False
    with_dependencies: bool = False
    schemas: str = "../schemas"


@dataclass(frozen=True)
class Export:
    """The files to write (``{relative path: text}``, POSIX paths) and objects per kind."""

    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: tuple[Unheld, ...] = ()  # objects whose key cannot be held, left out
    objects: dict[str, StoredObject] = field(default_factory=dict)  # by relative path


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
    objects = sorted(chosen.values(), key=_order)
    skipped = unheld([(o.kind, o.key) for o in objects], known or ())
    left_out = {(u.kind, u.key) for u in skipped}
    kept = [o for o in objects if (o.kind, o.key) not in left_out]
    return replace(_render(kept, request.schemas, progress), skipped=tuple(skipped))


def path_of(kind: str, key: str) -> str:
    """``products/checking.yaml``, ``products/_con.yaml``: only ever from a valid key."""
    if not is_key(key):
        raise ExportError(
            f"cannot write {kind} {key!r}: its key is not a valid opconf key ({KEY_RULE})",
            hint="change the key in the CRM (export skips such an object with a warning)",
        )
    return f"{FOLDERS[kind]}/{file_stem(key)}.yaml"


def _wanted(obj: StoredObject, request: Request, known: frozenset[ObjectId] | None) -> bool:
    if obj.kind not in request.kinds:
        return False
    if not request.select.matches(obj.kind, obj.key):
        return False
    if any(_excluded(obj, glob) for glob in request.exclude):
        return False
    return known is None or not (obj.managed or (obj.kind, obj.key) in known)


def _excluded(obj: StoredObject, glob: str) -> bool:
    """``--exclude``: a glob on the key, or on ``Kind/key`` when it holds a ``/``."""
    name = f"{obj.kind}/{obj.key}" if "/" in glob else obj.key
    return fnmatch.fnmatchcase(name, glob)


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
    written: dict[str, StoredObject] = {}
    counts = dict.fromkeys(KIND_ORDER, 0)
    yaml = make_yaml()
    for done, obj in enumerate(objects, 1):
        path = path_of(obj.kind, obj.key)
        try:
            files[path] = document_text(obj.kind, obj.data, f"../{schemas}", yaml)
            written[path] = obj
        except Unwritable as exc:
            raise ExportError(
                f"cannot export {obj.kind} {obj.key}: {exc}",
                hint=f"correct the text in the CRM, or {_LEAVE_OUT}",
            ) from None
        counts[obj.kind] += 1
        if progress:
            progress(done, len(objects))
    return Export(files, counts, objects=written)


def configured_keys(config: Path) -> frozenset[ObjectId]:
    """``(kind, key)`` of every document under ``config`` (none when it does not exist or
    holds no document yet: the first adoption starts from nothing)."""
    from opconf.errors import UsageError
    from opconf.load.discover import discover, display_names
    from opconf.load.yamlread import read_file

    if not config.is_dir():
        return frozenset()
    try:
        paths = discover([config])
    except UsageError:  # an existing folder without documents (read errors are FileErrors)
        return frozenset()
    found = set()
    for path, name in display_names(paths).items():
        for doc in read_file(path, name).documents:
            kind, key = doc.data.get("kind"), doc.data.get("key")
            if isinstance(kind, str) and isinstance(key, str):
                found.add((kind, key))
    return frozenset(found)
