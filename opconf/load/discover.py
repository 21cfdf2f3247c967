"""Finding the documents: ``*.yaml``/``*.yml`` under folders, recursively, in a stable order."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from opconf.errors import UsageError, file_error

SUFFIXES = (".yaml", ".yml")
# opconf's own files are never documents, even when ``config: .`` puts them in the folder.
RESERVED = frozenset({"opconf.yaml", "opconf.refs.yaml"})


def is_document_name(name: str) -> bool:
    """``*.yaml``/``*.yml`` in any letter case, not hidden, not one of opconf's own files."""
    lower = name.lower()
    return lower.endswith(SUFFIXES) and not name.startswith(".") and lower not in RESERVED


def discover(paths: Sequence[Path], allow_empty: bool = False) -> list[Path]:
    """Every document file under ``paths`` (files given explicitly are taken as they are).

    The rule (README, "Where documents are found"): under a folder, recursively, every file
    whose name ends in ``.yaml`` or ``.yml`` (any case); names starting with ``.`` (files and
    folders: ``.git``, an editor's ``.#x.yaml``) are skipped, and so are ``opconf.yaml`` and
    ``opconf.refs.yaml``; symbolic links are followed, to files and folders alike, each folder
    searched once. A path that does not exist is a usage error, and so are folders holding no
    such file unless ``allow_empty`` (the project's own ``config/`` before its first document).
    """
    found: list[Path] = []
    for path in paths:
        if _is_folder(path):
            found.extend(_walk(path))
        else:
            found.append(path)
    if not found and not allow_empty:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no *.yaml or *.yml files under {where}")
    if len(paths) > 1:
        # The same file reached through two paths (config and $PWD/config) is read once.
        found = list({os.path.realpath(p): p for p in reversed(found)}.values())
    return sorted(set(found), key=str)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"path {path} does not exist") from None
    except OSError as exc:
        raise file_error(exc, path, "read") from None


def _raise(exc: OSError) -> None:
    raise file_error(exc, None, "read")


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, onerror=_raise, followlinks=True):
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in seen:  # a link loop, or a folder linked twice
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out.extend(Path(folder, f) for f in files if is_document_name(f))
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
