"""Finding the documents: ``*.yaml``/``*.yml`` under folders, recursively, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from opconf.errors import UsageError

SUFFIXES = (".yaml", ".yml")


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every YAML file under ``paths`` (files given explicitly are taken as they are).

    Hidden folders (``.git``, ``.opconf``) are skipped. A path that does not exist is a
    usage error.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_walk(path))
        else:
            raise UsageError(f"path {path} does not exist")
    return sorted(dict.fromkeys(found))


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out.extend(Path(folder, f) for f in files if f.endswith(SUFFIXES))
    return out


def display_path(path: Path) -> str:
    """The path as users see it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
