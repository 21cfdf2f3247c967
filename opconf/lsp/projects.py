"""The projects the editor has files of, each a :class:`~opconf.authoring.session.Session`.

A document belongs to the project found upward from its folder (``opconf.yaml``, else the
folder holding its ``config/``), so one server serves every project of a workspace. Names in
messages are relative to the project's folder, as ``opconf validate`` run there shows them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from opconf.authoring.ranges import spans
from opconf.authoring.session import Session
from opconf.authoring.symbols import Span
from opconf.diagnostics import Diagnostic
from opconf.project import find_project

Published = dict[str, list[tuple[Diagnostic, Span]]]  # absolute path → its diagnostics


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    """Work in ``root``, as the CLI run there (file names in messages are relative to it)."""
    before = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(before)


class Projects:
    def __init__(self) -> None:
        self.sessions: dict[Path, Session] = {}
        self._published: dict[Path, Published] = {}

    def session(self, path: str) -> Session:
        root = find_project(Path(path).parent)[0].resolve()
        if root not in self.sessions:
            self.sessions[root] = Session(root)
        return self.sessions[root]

    def diagnostics(self, session: Session, always: str | None = None) -> Published:
        """The diagnostics to publish: every file whose list changed since the last time (each
        file the first time), and ``always``'s."""
        with inside(session.root):
            result = session.validate()
            grouped: dict[str, list[Diagnostic]] = {}
            for d in result.diagnostics:
                if d.file:
                    grouped.setdefault(os.path.abspath(d.file), []).append(d)
            files = [str(p) for p in session.documents()]
        current: Published = {
            path: list(zip(found, spans(session.text(path), found), strict=True))
            for path, found in grouped.items()
        }
        for path in map(os.path.abspath, files):
            current.setdefault(path, [])
        before = self._published.get(session.root, {})
        for path in before:
            current.setdefault(path, [])
        self._published[session.root] = current
        return {p: v for p, v in current.items() if p == always or before.get(p) != v}
