"""The projects the editor has files of, each a :class:`~opconf.authoring.session.Session`.

A document belongs to the project found upward from its folder (``opconf.yaml``, else the
folder holding its ``config/``), so one server serves every project of a workspace. Names in
messages are relative to the project's folder, as ``opconf validate`` run there shows them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from opconf.authoring.ranges import spans
from opconf.authoring.session import Session
from opconf.authoring.symbols import Span
from opconf.diagnostics import Diagnostic
from opconf.lsp.convert import name_folder
from opconf.project import find_project
from opconf.workspace import absolute

Published = dict[str, list[tuple[Diagnostic, Span]]]  # absolute path → its diagnostics, placed


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    """Work in ``root``, as the CLI run there (file names in messages are relative to it)."""
    before = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(before)


@dataclass
class _Shown:
    """What was published of a project: its files and their diagnostics."""

    files: dict[str, str] = field(default_factory=dict)  # display name → absolute path
    found: dict[str, list[Diagnostic]] = field(default_factory=dict)  # files with some


class Projects:
    def __init__(self) -> None:
        self.sessions: dict[Path, Session] = {}
        self._shown: dict[Path, _Shown] = {}

    def locate(self, path: str) -> tuple[Session, str]:
        """The session of the document the editor names ``path``, and the session's name for
        it: under the project's folder with links resolved, as os.getcwd() names it there
        (the editor's name of the folder is kept for the way back: ``uri_of``)."""
        found = find_project(Path(path).parent)[0]
        root = found.resolve()
        name_folder(str(root), os.path.abspath(found))
        if root not in self.sessions:
            self.sessions[root] = Session(root)
        return self.sessions[root], os.path.join(root, os.path.relpath(path, found))

    def diagnostics(self, session: Session, always: str | None = None) -> Published:
        """The diagnostics to publish: every file whose list changed since the last time (a
        file never published had none), and ``always``'s, last: once the editor has it, it
        has the others. Only the files with diagnostics, before or now, are compared: after an
        edit in a large project, they are few."""
        before = self._shown.get(session.root, _Shown())
        with inside(session.root):
            result = session.validate()
            files = _files(before.files, result.sources)
            found: dict[str, list[Diagnostic]] = {}
            for d in result.diagnostics:
                if d.file:
                    path = files.get(d.file) or os.path.abspath(d.file)
                    found.setdefault(path, []).append(d)
        self._shown[session.root] = _Shown(files, found)
        changed = [
            p for p in found.keys() | before.found.keys() if found.get(p) != before.found.get(p)
        ]
        order = sorted(set(changed) - {always}) + ([always] if always else [])
        return {
            path: list(zip(ds, spans(session.text(path), ds), strict=True))
            for path in order
            for ds in [found.get(path, [])]
        }


def _files(known: dict[str, str], sources: dict[str, Path]) -> dict[str, str]:
    """Display name → absolute path of ``sources`` (``known``: those of the last time)."""
    if known.keys() == sources.keys():
        return known
    return {name: known.get(name) or absolute(path) for name, path in sources.items()}
