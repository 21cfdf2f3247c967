"""Finding the documents: ``*.yaml``/``*.yml`` under folders, recursively, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from opconf.errors import UsageError

SUFFIXES = (".yaml", ".yml")


def discover(paths: Sequence[Path]) -> list[Path]:
    """Every YAML file under ``paths`` (files given explicitly are taken as they are).

    Hidden folders (``.git``, ``.opconf``) are skipped. A path that does not exist, or
    folders holding no YAML file at all, are usage errors.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_walk(path))
        else:
            raise UsageError(f"path {path} does not exist")
    if not found:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no *.yaml or *.yml files under {where}")
    if len(paths) > 1:
        # The same file reached through two paths (config and $PWD/config) is read once.
        found = list({os.path.realpath(p): p for p in reversed(found)}.values())
    return sorted(set(found), key=str)


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out.extend(Path(folder, f) for f in files if f.endswith(SUFFIXES))
    return out


def display_names(paths: Iterable[Path]) -> dict[Path, str]:
    """How each file is named in output: relative to the working directory when below it.

    Pure string work (no ``resolve()``): it runs once per file of a large configuration.
    """
    cwd = os.getcwd()
    names = {}
    for path in paths:
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, cwd)
        names[path] = absolute if relative.startswith("..") else relative
    return names
