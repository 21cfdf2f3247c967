"""Files at the operating system's edge: every read bounded and of a regular file only, every
write atomic, every failure a one-line :class:`~opconf.errors.FileError`.

opconf reads files it does not trust (a pull request's YAML, a saved plan): a symlink to
``/dev/zero`` or a FIFO named ``x.yaml`` must fail at once, not read forever or hang. So the
file is opened without blocking, refused unless it is a regular file, and read up to the cap
plus one byte — the cap holds on the bytes read, whatever ``stat`` claimed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

from opconf import exitcodes
from opconf.errors import FileError, file_error

MIB = 1024 * 1024
_CHUNK = MIB


class ReadError(FileError):
    """A file that cannot be read; ``reason`` is the message without the path."""

    def __init__(self, path: Path, reason: str, hint: str, exit_code: int) -> None:
        super().__init__(f"cannot read {path}: {reason}", hint, exit_code)
        self.reason = reason


class TooLarge(ReadError):
    """A file over its size cap; ``size`` is at least the bytes read (cap + 1)."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        self.size = size
        reason = f"file is {size / MIB:.1f} MiB, over the {limit // MIB} MiB cap"
        super().__init__(path, reason, "check that this is the right file", exitcodes.USAGE)


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a named pipe",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a regular file")


def _require_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        reason = f"not a regular file ({_kind(mode)})"
        raise ReadError(path, reason, "opconf reads only regular files", exitcodes.IOERR)


def _as_read_error(path: Path, exc: OSError) -> ReadError:
    error = file_error(exc, path, "read")
    return ReadError(path, exc.strerror or str(exc), error.hint or "", error.exit_code)


def exists(path: Path, action: str = "read") -> bool:
    """Whether anything (a file, a link, a pipe) is at ``path``; unlike ``os.path.lexists``, a
    path the system refuses (a name too long, a file used as a folder) is a FileError saying
    what could not be done there (``action``: read, write, create)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise file_error(exc, path, action) from None
    return True


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises :class:`ReadError` (missing, unreadable, not a regular file) or :class:`TooLarge`.
    """
    try:
        _require_regular(path, os.stat(path).st_mode)  # before open: never open a device
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _as_read_error(path, exc) from None
    except ValueError:  # an embedded NUL byte
        raise ReadError(path, "invalid path", "check the path", exitcodes.USAGE) from None
    try:
        info = os.fstat(fd)
        _require_regular(path, info.st_mode)  # it may have been swapped since the stat
        chunks, remaining = [], limit + 1
        # Ask for the size the file says it has (and one byte more, to see it end): a read of
        # _CHUNK would allocate a MiB for every small document.
        size = min(info.st_size + 1, _CHUNK)
        while remaining > 0 and (chunk := os.read(fd, min(remaining, size))):
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _as_read_error(path, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(path, max(info.st_size, len(data)), limit)
    return data


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file beside it, then a rename,
    so readers see the old file or the new one, never half of it.

    A path that exists and is not a regular file (``/dev/stdout``, a pipe) is written to
    directly: renaming over it would replace the device, not write to it.
    """
    data = text.encode("utf-8")
    try:
        if path.exists() and not path.is_file():
            with open(path, "wb") as out:
                out.write(data)
            return
        _replace(path, data)
    except OSError as exc:
        raise file_error(exc, path, "write") from None


def write_file(path: Path, text: str) -> None:
    """:func:`write_text`, making ``path``'s folders first when they are missing."""
    write_folder(path.parent)
    write_text(path, text)


def write_files(files: Mapping[Path, str]) -> None:
    """:func:`write_file` for many files at once, all or none: every file is first written
    beside its target, then one ``sync`` makes them durable (instead of one ``fsync`` each,
    which costs seconds for thousands of files), then each is renamed over its target. When
    a file cannot be written, no target is touched and the temporary files are removed."""
    staged: list[tuple[Path, Path]] = []
    made: set[Path] = set()
    try:
        for path, text in files.items():
            if path.parent not in made:
                write_folder(path.parent)
                made.add(path.parent)
            try:
                staged.append((_temp_file(path, text.encode("utf-8"), sync=False), path))
            except OSError as exc:
                raise file_error(exc, path, "write") from None
        os.sync()
        while staged:
            temp, path = staged[-1]
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise file_error(exc, path, "write") from None
            staged.pop()
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def write_tree(folder: Path, files: Mapping[str, str]) -> None:
    """Create ``folder``, which does not exist, holding ``files`` (paths relative to it), all
    or none: they are written into a new folder beside it, synced, and that folder is renamed
    into place: one directory entry a file, instead of a temporary file and a rename each."""
    write_folder(folder.parent)
    temp = folder.with_name(f".{folder.name[:200]}.{secrets.token_hex(4)}.tmp")
    made: set[Path] = set()
    target = folder
    try:
        os.mkdir(temp)
        for rel, text in files.items():
            target, path = folder / rel, temp / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "xb") as out:
                out.write(text.encode("utf-8"))
        target = folder
        os.sync()
        os.rename(temp, folder)  # refused if something made a non-empty ``folder`` meanwhile
    except OSError as exc:
        raise file_error(exc, target, "write") from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)  # gone already when the rename succeeded


def write_folder(path: Path) -> None:
    """Make the folder ``path`` and its parents when missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(exc, path, "create") from None


def _temp_file(path: Path, data: bytes, sync: bool) -> Path:
    """A new file beside ``path`` holding ``data``, with ``path``'s permissions."""
    # Short enough for the file system's name limit whatever the target's name.
    temp = path.with_name(f".{path.name[:200]}.{secrets.token_hex(4)}.tmp")
    mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o666
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _replace(path: Path, data: bytes) -> None:
    temp = _temp_file(path, data, sync=True)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
