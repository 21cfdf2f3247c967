"""Store URLs: which backend, the SQLAlchemy driver URL, and redaction of credentials.

A password never leaves this module unredacted: every message about a store names it by
:func:`redact`, and driver error texts are scrubbed with :func:`scrub` before they are shown.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from opconf.errors import StoreError

Backend = Literal["sqlite", "postgresql"]

_SCHEMES: dict[str, Backend] = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
}
_DRIVERS: dict[Backend, str] = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}
_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)")
_SECRET_QUERY = re.compile(r"([?&](?:password|sslpassword)=)([^&#]*)", re.IGNORECASE)
_URL_HINT = "use sqlite:///path/to/store.db or postgresql://user@host/database"


def redact(url: str) -> str:
    """``url`` with its password (and any password query parameter) replaced by ``***``."""
    head, password, tail = _split_password(url)
    shown = url if password is None else f"{head}***{tail}"
    return _SECRET_QUERY.sub(r"\1***", shown)


def scrub(text: str, url: str) -> str:
    """``text`` with every secret of ``url`` (raw and percent-decoded) replaced by ``***``."""
    secrets = [m.group(2) for m in _SECRET_QUERY.finditer(url)]
    secrets.append(_split_password(url)[1] or "")
    for secret in filter(None, secrets):
        for form in sorted({secret, unquote(secret)}, key=len, reverse=True):
            text = text.replace(form, "***")
    return text


def _split_password(url: str) -> tuple[str, str | None, str]:
    """(everything before the password, the password or None, everything after it)."""
    match = _AUTHORITY.match(url)
    if not match:
        return url, None, ""
    userinfo, at, _ = match.group(2).rpartition("@")
    if not at or ":" not in userinfo:
        return url, None, ""
    user, password = userinfo.split(":", 1)
    start = match.start(2) + len(user) + 1
    return url[:start], password, url[start + len(password) :]


def backend_of(url: str) -> Backend:
    """The backend a store URL names; a StoreError for anything else."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise StoreError(f"unsupported store URL {redact(url)}", hint=_URL_HINT)
    return _SCHEMES[scheme]


def driver_url(url: str) -> URL:
    """The SQLAlchemy URL for ``url``: ``postgresql://`` runs on psycopg 3."""
    backend = backend_of(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"malformed store URL {redact(url)}", hint=_URL_HINT) from None
    if backend == "sqlite" and not parsed.database:
        raise StoreError(f"store URL {redact(url)} names no database file", hint=_URL_HINT)
    return parsed.set(drivername=_DRIVERS[backend])


def sqlite_path(url: URL) -> str | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return database
