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

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any

from opconf.diagnostics import plural
from opconf.drift import keys
from opconf.drift.model import Difference, Drift
from opconf.drift.splice import list_of, merged_object, splice
from opconf.emit.documents import document, document_text
from opconf.emit.export import path_of
from opconf.emit.rewrite import drop_documents, rewrite
from opconf.errors import UsageError, file_error
from opconf.fsio import read_bytes, write_text
from opconf.load.yamlread import MAX_FILE_BYTES
from opconf.plan.diff import Desired
from opconf.plan.model import Obj

_MOVE_AWAY = "move it away, then accept again"


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
    created = [d for d in chosen if d.category == "new" or _restored(d)]
    moved = keys.moved(chosen)
    run = _Run(list(desired), live, moved, keys.files_renamed(moved, list(desired)))
    targets = [config / path_of(d.kind, d.live["key"]) for d in created]
    for path in targets:  # checked before anything is written
        if path.exists() and path.resolve() not in run.renamed:
            raise UsageError(f"{_shown(path)} exists already", hint=_MOVE_AWAY)
    by_object: dict[tuple[str, str], list[Difference]] = {}
    for d in chosen:
        if d not in created:
            by_object.setdefault((d.kind, d.key), []).append(d)
    files = [run.object(kind, key, diffs) for (kind, key), diffs in by_object.items()]
    files += run.references()
    for d, path in zip(created, targets, strict=True):
        files.append(_new_file(d.kind, d.live, path, config))
    return Accepted(tuple(dict.fromkeys(files)), len(chosen))


@dataclass(frozen=True)
class _Run:
    desired: list[Desired]
    live: Mapping[tuple[str, str], Obj]
    moved: keys.Moved
    renamed: Mapping[Path, Path]  # resolved paths: old file → new file

    @cached_property
    def sources(self) -> dict[tuple[str, str], Desired]:
        """By key, and by previous key (a key accepted from the CRM, not applied since)."""
        out = {(d.kind, old): d for d in self.desired for old in d.previous_keys}
        return out | {(d.kind, d.key): d for d in self.desired}

    def object(self, kind: str, key: str, diffs: list[Difference]) -> str:
        """Accept the differences of one object the configuration has."""
        source = self.sources[(kind, key)]
        new_key = self.moved.get((kind, key), key)
        if new_key is None:
            return _drop(source)
        taken = {k for (of, k) in self.live if of == kind}
        history = None if new_key == key else keys.history(kind, key, self.desired, taken)
        to = self.renamed.get(keys.source_path(source).resolve())
        return _edit(source, self.live[(kind, new_key)], diffs, history, to)

    def references(self) -> list[str]:
        """Templates follow the keys changed (or objects deleted) in the CRM."""
        here = {  # by the keys the configuration uses now
            (kind, self.sources[(kind, k)].key if (kind, k) in self.sources else k): new
            for (kind, k), new in self.moved.items()
        }
        files = []
        for path, change in keys.follow(here, self.desired):
            path = self.renamed.get(path.resolve(), path)
            edit(path, change)
            files.append(_shown(path))
        return files


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
    merged = merged_object(source.data, live, diffs)
    rendered = document(source.kind, merged)
    paths = [list_of(d.path) or d.path for d in diffs]

    def change(doc: Any) -> None:
        if keys.names(doc, source.kind, source.key):
            for p in dict.fromkeys(paths):
                splice(doc, rendered, p, (source.data, merged))
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
