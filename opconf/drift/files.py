"""The files ``drift --accept`` writes: every one computed in memory first, then all written
at once (:func:`opconf.fsio.write_files`: all or none), then the files left empty removed.

A document is edited in place (:func:`opconf.emit.rewrite.edit_documents`: the documents of
a file it does not change stay byte for byte); a deleted object's document is dropped (the
file with it when it was the only one); a file named after a key the CRM changed, holding
only that object, takes the new key's name — the renames of a run are one permutation, so
a chain or a swap of keys renames the files too. Core only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opconf.drift import keys
from opconf.drift.resolve import Resolution
from opconf.drift.splice import splice
from opconf.drift.stages import Stages
from opconf.emit.documents import Unwritable, document, document_text
from opconf.emit.export import path_of
from opconf.emit.order import field_order
from opconf.emit.rewrite import CannotFormat, drop_documents, edit_documents
from opconf.errors import UsageError
from opconf.fsio import read_bytes, write_files
from opconf.load.yamlread import MAX_FILE_BYTES
from opconf.models import MODELS
from opconf.plan.diff import Desired
from opconf.plan.model import Obj

Change = Callable[[Any], bool]
Edit = tuple[str, str, Callable[[Any], None]]  # the object (kind, key) and its change
_MOVE_AWAY = "move it away, then accept again"


class Files:
    """The edits of one accept, by file; :meth:`write` computes and writes them."""

    def __init__(self, config: Path, desired: list[Desired], res: Resolution) -> None:
        self.config, self.desired, self.res = config, desired, res
        self.changes: dict[Path, list[Edit]] = {}
        counts: dict[Path, int] = {}
        for d in desired:
            counts[_src(d)] = counts.get(_src(d), 0) + 1
        self.alone = {p for p, n in counts.items() if n == 1}

    def edit(self, d: Desired, merged: Obj, stages: Stages | None) -> None:
        """Write ``merged`` (and the key accepted for it) into the document of ``d``."""
        new_key = self.res.accepted.get((d.kind, d.key), d.key)
        if merged == d.data and new_key == d.key:
            return
        try:
            rendered = document(d.kind, merged)
        except Unwritable as exc:
            raise UsageError(
                f"cannot write {d.kind} {d.key}: {exc}; nothing was written",
                hint="correct the text in the CRM, or leave it out: --exclude",
            ) from None
        history = None if new_key == d.key else self._history(d)

        def change(doc: Any) -> None:
            splice(doc, d.data, merged, rendered, stages)
            if new_key is not None and new_key != d.key:
                doc["key"] = new_key
                if history is not None:
                    keys.remember(doc, history, field_order(MODELS[d.kind], True))

        self.changes.setdefault(_src(d), []).append((d.kind, d.key, change))

    def _history(self, d: Desired) -> str | None:
        final = [(k, self.res.accepted.get((k, key), key)) for k, key in self._keys()]
        final += [(p.kind, p.live.key) for p in self.res.created if p.live]
        taken = {key for kind, key in final if kind == d.kind and key is not None}
        return keys.history(d.kind, d.key, self.desired, taken)

    def _keys(self) -> list[tuple[str, str]]:
        return [(d.kind, d.key) for d in self.desired]

    def write(self) -> tuple[str, ...]:
        """Compute every file, then write them all; the files written, as shown."""
        texts, shown = self._edited()
        renamed = self._renamed(texts)
        for old, new in renamed.items():
            shown[old] = f"{_shown(new)} (was {old.name})"
        listed = list(shown.values())
        final: dict[Path, str] = {}
        for path, text in texts.items():
            if text is not None:
                final[renamed.get(path, path)] = text
        for p in self.res.created:
            assert p.live is not None
            path = (self.config / path_of(p.kind, p.live.key)).resolve()
            if path in final or (path.exists() and path not in texts):
                raise UsageError(f"{_shown(path)} exists already", hint=_MOVE_AWAY)
            schemas = Path(os.path.relpath(self.config.parent / "schemas", path.parent))
            final[path] = document_text(p.kind, p.live.data, schemas.as_posix())
            listed.append(_shown(path))
        write_files({Path(_shown(p)): text for p, text in final.items()})  # as messages show
        for path in texts:
            if path not in final:
                _remove(Path(_shown(path)))
        return tuple(listed)

    def _edited(self) -> tuple[dict[Path, str | None], dict[Path, str]]:
        dropped = {k for k, new in self.res.accepted.items() if new is None}
        paths = dict.fromkeys(
            [_src(d) for d in self.desired if (d.kind, d.key) in dropped] + list(self.changes)
        )
        texts: dict[Path, str | None] = {}
        shown: dict[Path, str] = {}
        for path in paths:
            text = _read(path)
            changes = self.changes.get(path, [])
            left = drop_documents(text, lambda doc: _names_any(doc, dropped))
            if left is not None and changes:
                left = _edit(path, left, _all(changes))
            if left is not None and text.startswith("\ufeff"):
                left = "\ufeff" + left.removeprefix("\ufeff")
            if left != text:
                texts[path] = left
                shown[path] = _shown(path) + (" (removed)" if left is None else "")
        return texts, shown

    def _renamed(self, texts: dict[Path, str | None]) -> dict[Path, Path]:
        """Files named after a changed key holding only that object: their new names."""
        out: dict[Path, Path] = {}
        for d in self.desired:
            path, new = _src(d), self.res.accepted.get((d.kind, d.key))
            if new and path in self.alone and path.stem == d.key and path in texts:
                out[path] = path.with_name(new + path.suffix)
        vacated = set(out) | {p for p, t in texts.items() if t is None}
        return {
            old: new
            for old, new in out.items()
            if (new in vacated or not new.exists()) and list(out.values()).count(new) == 1
        }


def _all(edits: list[Edit]) -> Change:
    """One change for a file's documents: each document found by its key before any edit."""

    def change(doc: Any) -> bool:
        mine = [fn for kind, key, fn in edits if keys.names(doc, kind, key)]
        for fn in mine:
            fn(doc)
        return bool(mine)

    return change


def _names_any(doc: Any, objects: set[tuple[str, str]]) -> bool:
    return isinstance(doc, dict) and (doc.get("kind"), doc.get("key")) in objects


def _read(path: Path) -> str:
    return read_bytes(path, MAX_FILE_BYTES).decode("utf-8")  # validated just now: UTF-8


def _edit(path: Path, text: str, change: Change) -> str:
    try:
        return edit_documents(text, change)
    except CannotFormat as exc:  # validated just now: not expected
        raise UsageError(f"{_shown(path)}:{exc}", hint="run opconf fmt on it first") from None


def _remove(path: Path) -> None:
    from opconf.errors import file_error

    try:
        path.unlink()
    except OSError as exc:
        raise file_error(exc, path, "remove") from None


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _src(d: Desired) -> Path:
    return keys.source_path(d).resolve()
