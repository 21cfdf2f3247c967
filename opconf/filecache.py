"""The on-disk cache of per-file validation results: ``.opconf/cache/`` (safe to delete).

What one file's content alone decides (its reading, envelope and schema problems, the
findings of the rules that judge one document) is kept between runs of ``opconf validate``,
keyed by the file's name and the digest of its bytes; the rules across files always run again.
One file holds the entries of the last run: ``validate-<version>.pickle``, where the version is
a digest of opconf's version, its schemas and its validation code, so another opconf never
reads it. The file starts with a digest of its payload (a corrupted file is ignored whole);
unpickling admits only opconf's value classes (a foreign file cannot run code); an entry of
the wrong shape is ignored. It is written to a temporary file, then renamed over the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from opconf import __version__
from opconf.reference_data import References

FOLDER = Path(".opconf") / "cache"
_MAGIC = b"opconf-cache 1\n"
_ALLOWED = {
    ("decimal", "Decimal"),
    ("opconf.diagnostics", "Diagnostic"),
    ("opconf.load.yamlread", "Document"),
    ("opconf.load.yamlread", "FileResult"),
    ("opconf.validate.finding", "Finding"),
}
# The code whose changes change a file's results (besides the schemas).
_CODE = ("load", "validate", "validate/rules", "kinds.py", "keys.py", "canonical.py")


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cached value")
        return super().find_class(module, name)


@cache
def version() -> str:
    """A digest of what decides a file's results: opconf's version, schemas and code."""
    digest = hashlib.sha256(__version__.encode())
    schemas = resources.files("opconf.schema").joinpath("files")
    for item in sorted(schemas.iterdir(), key=lambda i: i.name):
        digest.update(item.name.encode() + b"\0" + item.read_bytes())
    package = Path(__file__).parent
    for part in _CODE:
        for path in sorted((package / part).glob("*.py")) if "." not in part else [package / part]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def refs_key(refs: References | None) -> str:
    """A digest of the reference data the per-document rules were judged against."""
    if refs is None:
        return ""
    text = repr(
        (sorted(refs.users.items()), sorted(refs.roles.items()), sorted(refs.product_types))
    )
    return hashlib.sha256(text.encode()).hexdigest()


class FileCache:
    """The entries of the cache folder ``folder``: read at the first question, written by
    :meth:`save` when this run's entries differ from those read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / f"validate-{version()}.pickle"
        self._read: dict[str, tuple[Any, ...]] | None = None
        self._used: dict[str, tuple[Any, ...]] = {}

    def get(self, name: str, sha256: str) -> tuple[Any, ...] | None:
        """The entry of the file ``name`` with these bytes, if one was kept."""
        if self._read is None:
            self._read = self._load()
        entry = self._read.get(_key(name, sha256))
        if entry is not None:
            self._used[_key(name, sha256)] = entry
        return entry

    def put(self, name: str, sha256: str, entry: tuple[Any, ...]) -> None:
        self._used[_key(name, sha256)] = entry

    def save(self) -> None:
        """Keep this run's entries (only them: a file gone or changed drops its old entry).
        A folder that cannot be written is no error: the cache only saves time."""
        if self._used.keys() == (self._read or {}).keys():
            return
        with contextlib.suppress(OSError, pickle.PicklingError):
            payload = pickle.dumps(self._used, protocol=5)
            self.folder.mkdir(parents=True, exist_ok=True)
            header = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n"
            handle, temporary = tempfile.mkstemp(prefix=".validate-", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(header + payload)
                os.replace(temporary, self.file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
            for old in self.folder.glob("validate-*.pickle"):  # another version's
                if old != self.file:
                    old.unlink(missing_ok=True)

    def _load(self) -> dict[str, tuple[Any, ...]]:
        try:
            raw = self.file.read_bytes()
        except OSError:
            return {}
        header_end = len(_MAGIC) + 65
        digest, payload = raw[len(_MAGIC) : header_end - 1], raw[header_end:]
        if not raw.startswith(_MAGIC) or hashlib.sha256(payload).hexdigest().encode() != digest:
            return {}
        try:
            entries = _Unpickler(io.BytesIO(payload)).load()
        except Exception:
            return {}
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, tuple)}


def _key(name: str, sha256: str) -> str:
    return f"{sha256}:{name}"
