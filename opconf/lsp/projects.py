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


class Projects:
    def __init__(self) -> None:
        self.sessions: dict[Path, Session] = {}
        self._published: dict[Path, dict[str, list[Diagnostic]]] = {}

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
            current: dict[str, list[Diagnostic]] = {
                absolute(p): [] for p in result.sources.values()
            }
            for d in result.diagnostics:
                if d.file:
                    current.setdefault(os.path.abspath(d.file), []).append(d)
        before = self._published.get(session.root, {})
        for path in before:
            current.setdefault(path, [])
        self._published[session.root] = current
        return {
            path: list(zip(found, spans(session.text(path), found), strict=True))
            for path, found in current.items()
            if path == always or before.get(path) != found
        }
