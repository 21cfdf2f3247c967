"""``drift --accept``: the store's values written into the configuration, for review in a PR.

A field changed in the CRM is written into its document in place, through the round trip of
``fmt`` (:func:`opconf.emit.rewrite.rewrite`: comments and untouched lines kept); the new
value is the one the export emitter would write (:func:`opconf.emit.documents.document`), so
quoting, decimals and defaults match ``export``. An object created in the CRM becomes a new
file, written as ``opconf export`` writes it. Pending changes of the configuration are kept:
only the accepted fields take the store's value. An object deleted in the CRM loses its
document (:func:`opconf.emit.rewrite.drop_documents`); a key changed there is written with
its references (:mod:`opconf.drift.keys`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from opconf.diagnostics import plural
from opconf.drift import keys
from opconf.drift.model import Difference, Drift
from opconf.emit.documents import document, document_text
from opconf.emit.export import path_of
from opconf.emit.rewrite import drop_documents, rewrite
from opconf.errors import UsageError, file_error
from opconf.fsio import read_bytes, write_text
from opconf.load.yamlread import MAX_FILE_BYTES
from opconf.plan.diff import Desired
from opconf.plan.model import Obj

_MOVE_AWAY = "move it away, then accept again"
_IDENTITY = {"stages": "key", "members": "user"}  # lists merged item by item
_LISTS = {"members": "members", "products": "products", "stages": "stages", "steps": "stages"}


@dataclass(frozen=True)
class Accepted:
    files: tuple[str, ...]  # written, relative to the working directory
    fields: int

    def report(self) -> str:
        if not self.fields:
            return "Nothing to accept: the configuration has the store's values.\n"
        lines = [f"  {f}" for f in self.files]
        head = (
            f"Accepted {plural(self.fields, 'difference')} into {plural(len(self.files), 'file')}:"
        )
        tail = "Review them (`git diff`), then commit: the next plan leaves the store as it is."
        return "\n".join([head, *lines, tail]) + "\n"


def accept(
    drift: Drift,
    desired: Iterable[Desired],
    live: Mapping[tuple[str, str], Obj],
    config: Path,
    only: Sequence[str],
) -> Accepted:
    """Write the out-of-band differences of ``drift`` (of the objects ``only`` names, or all)
    into the files under ``config``; ``live``: the store's objects by (kind, key)."""
    chosen = [d for d in drift.differences if d.out_of_band and _named(d, only)]
    desired = list(desired)
    sources = {(d.kind, d.key): d for d in desired}
    created = [d for d in chosen if d.category == "new" or _restored(d)]
    by_object: dict[tuple[str, str], list[Difference]] = {}
    for d in chosen:
        if d not in created:
            by_object.setdefault((d.kind, d.key), []).append(d)
    moved = keys.moved(chosen)
    renamed = keys.files_renamed(moved, desired)  # resolved paths: old file → new file
    targets = [config / path_of(d.kind, d.live["key"]) for d in created]
    for path in targets:
        if path.exists() and path.resolve() not in renamed:
            raise UsageError(f"{_shown(path)} exists already", hint=_MOVE_AWAY)
    files = []
    for (kind, key), diffs in by_object.items():
        source = sources[(kind, key)]
        if (new_key := moved.get((kind, key), key)) is None:
            files.append(_drop(source))
            continue
        taken = {k for (of, k) in live if of == kind}
        history = None if new_key == key else keys.history(kind, key, desired, taken)
        to = renamed.get(keys.source_path(source).resolve())
        files.append(_edit(source, live[(kind, new_key)], diffs, history, to))
    for path, change in keys.follow(moved, desired):
        path = renamed.get(path.resolve(), path)
        edit(path, change)
        files.append(_shown(path))
    files += [
        _new_file(d.kind, d.live, path, config) for d, path in zip(created, targets, strict=True)
    ]
    return Accepted(tuple(dict.fromkeys(files)), len(chosen))


def _restored(d: Difference) -> bool:
    """Removed from the configuration, changed in the CRM (a conflict): the store's stays."""
    return d.path == "" and d.op == "remove" and d.config is None and d.live is not None


def _named(d: Difference, only: Sequence[str]) -> bool:
    return not only or any(fnmatchcase(f"{d.kind}/{d.key}", pattern) for pattern in only)


def _new_file(kind: str, data: Obj, path: Path, config: Path) -> str:
    if path.exists():
        raise UsageError(f"{_shown(path)} exists already", hint=_MOVE_AWAY)
    schemas = Path(os.path.relpath(config.parent / "schemas", path.parent)).as_posix()
    _write(path, document_text(kind, data, schemas))
    return _shown(path)


def _drop(source: Desired) -> str:
    """Remove the document of ``source``: the whole file when it is the file's only one."""
    path = keys.source_path(source)
    text = read_bytes(path, MAX_FILE_BYTES).decode("utf-8")  # validated just now: UTF-8
    left = drop_documents(text, lambda doc: keys.names(doc, source.kind, source.key))
    if left is None:
        try:
            path.unlink()
        except OSError as exc:
            raise file_error(exc, path, "remove") from None
        return f"{_shown(path)} (removed)"
    _write(path, left)
    return _shown(path)


def _edit(
    source: Desired, live: Obj, diffs: list[Difference], history: str | None, to: Path | None
) -> str:
    """Write the accepted fields; ``to``: the file's new name (named after a changed key)."""
    path = keys.source_path(source)
    merged = _merged(source.data, live, diffs)
    rendered = document(source.kind, merged)
    paths = [_LISTS.get(_split(d.path)[0], d.path) if _whole(d.path) else d.path for d in diffs]

    def change(doc: Any) -> None:
        if keys.names(doc, source.kind, source.key):
            for p in dict.fromkeys(paths):
                _splice(doc, rendered, p, (source.data, merged))
            if history is not None:
                keys.remember(doc, history)

    edit(path, change)
    if to is None:
        return _shown(path)
    try:
        os.replace(path, to)
    except OSError as exc:
        raise file_error(exc, to, "write") from None
    return f"{_shown(to)} (was {path.name})"


def edit(path: Path, change: Callable[[Any], None]) -> None:
    """Rewrite the file at ``path``, ``change`` applied to each of its documents."""
    text = read_bytes(path, MAX_FILE_BYTES).decode("utf-8")  # validated just now: UTF-8
    _write(path, rewrite(text, change))


def _merged(config: Obj, live: Obj, diffs: list[Difference]) -> Obj:
    """The configuration's object with the accepted fields at the store's values."""
    out = copy.deepcopy(config)
    for d in diffs:
        head, _, field = d.path.partition(".")
        name, element = _split(head)
        if element is None:
            out[name] = copy.deepcopy(live[name])
        elif d.op == "set" and field:
            _item(out, name, element)[field] = copy.deepcopy(d.live)
        else:  # an element added, removed or moved: the store's whole list
            out[_LISTS[name]] = copy.deepcopy(live[_LISTS[name]])
    return out


def _split(head: str) -> tuple[str, str | None]:
    """``("stages", "qualify")`` of ``stages[qualify]``; ``("name", None)`` of ``name``."""
    if head.endswith("]"):
        name, _, element = head[:-1].partition("[")
        return name, element
    return head, None


def _item(obj: Obj, name: str, element: str) -> Obj:
    if name == "members":
        return next(m for m in obj["members"] if m["user"] == element)
    stages = obj["stages"]
    if name == "stages":
        return next(s for s in stages if s["key"] == element)
    return next(st for s in stages for st in s.get("steps") or () if st["key"] == element)


def _whole(path: str) -> bool:
    """``path`` is an element added, removed or moved: the store's whole list is taken."""
    head, _, field = path.partition(".")
    return _split(head)[1] is not None and not field


def _splice(doc: Any, rendered: Any, path: str, sides: tuple[Obj, Obj]) -> None:
    """Put the rendered value at ``path`` into the round-trip ``doc`` (absent: removed);
    ``sides``: the object in the configuration and with the accepted values (canonical)."""
    head, _, field = path.partition(".")
    name, element = _split(head)
    if name in _IDENTITY and element is None and name in doc and name in rendered:
        merge = (doc[name], rendered[name], sides[0][name], sides[1][name], _IDENTITY[name])
        _merge_list(*merge, name == "stages")
    elif element is None or not field:
        _put(doc, rendered, name)
    else:
        _put(_item(doc, name, element), _item(rendered, name, element), field)


def _merge_list(
    target: Any, rendered: Any, before: list[Obj], after: list[Obj], ident: str, stages: bool
) -> None:
    """Make ``target`` (the configuration's list) the store's: an item that did not change
    is kept as it was written (style, comments), one changed (renamed: same place, its key
    gone) is changed in place, field by field; a new one is written as export writes it.
    A stage's old key goes into its ``previousKeys`` (steps have none)."""
    at = {item[ident]: i for i, item in enumerate(before)}
    gone = at.keys() - {item[ident] for item in after}
    out = []
    for j, item in enumerate(after):
        i = at.get(item[ident], j if j < len(before) and before[j][ident] in gone else None)
        if i is None:
            out.append(rendered[j])
            continue
        _merge_item(target[i], rendered[j], before[i], item)
        if before[i][ident] != item[ident] and stages:
            claimed = {k for t in target for k in t.get("previousKeys") or ()}
            if before[i]["key"] not in claimed | {a["key"] for a in after}:
                keys.remember(target[i], before[i]["key"])  # as a key changed in the CRM
        out.append(target[i])
    target[:] = out


def _merge_item(target: Any, rendered: Any, before: Obj, after: Obj) -> None:
    for name in before.keys() | after.keys():
        if before.get(name) == after.get(name):
            continue
        if name == "steps" and target.get(name) and rendered.get(name):
            _merge_list(target[name], rendered[name], before[name], after[name], "key", False)
        else:
            _put(target, rendered, name)


def _put(target: Any, source: Any, name: str) -> None:
    if name in source:
        target[name] = source[name]
    else:
        target.pop(name, None)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except OSError as exc:
        raise file_error(exc, path, "write") from None


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
