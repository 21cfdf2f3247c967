"""Store URLs: which backend, the SQLAlchemy driver URL, and redaction of credentials.

A password never leaves this module unredacted: every message about a store names it by
:func:`redact`, and driver error texts are scrubbed with :func:`scrub` before they are shown.

Redaction rests on SQLAlchemy's own parse of the URL (the one the driver is given), so that
whatever it takes for the password — ``s3cr/et``, ``a#b?c`` unencoded — is what is hidden.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, quote_plus, unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from opconf.errors import UsageError

Backend = Literal["sqlite", "postgresql"]

_SCHEMES: dict[str, Backend] = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
}
_DRIVERS: dict[Backend, str] = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}
_SECRET_PARAMS = frozenset({"password", "sslpassword"})
# A query value that is itself a libpq connection string or URL with a password in it.
_EMBEDDED_SECRET = re.compile(r"password\s*=|://[^/?#]*:[^/?#]*@", re.IGNORECASE)
_SECRET_QUERY = re.compile(r"([?&](?:password|sslpassword)=)([^&#]*)", re.IGNORECASE)
# What a driver message may echo of a DSN: ``password=…`` (libpq's key=value form, the value
# possibly quoted) or a whole URL with its user information.
_ECHOED_PASSWORD = re.compile(r"((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'\"]+)", re.I)
_ECHOED_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
_URL_HINT = "use sqlite:///path/to/store.db or postgresql://user@host/database"
MASK = "***"


def parse(url: str) -> URL | None:
    """SQLAlchemy's reading of ``url``; None when it cannot read it."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return None


def redact(url: str) -> str:
    """``url`` with its password (and any password query parameter) replaced by ``***``."""
    parsed = parse(url)
    if parsed is None:
        return _redact_unparsed(url)
    if parsed.password is not None:
        parsed = _after_last_at(url, parsed)
    head = parsed.set(query={}).render_as_string(hide_password=True)
    query = "&".join(
        f"{quote_plus(key)}={MASK if _secret(key, value) else quote_plus(value)}"
        for key, value in _query(parsed)
    )
    return f"{head}?{query}" if query else head


def _after_last_at(url: str, parsed: URL) -> URL:
    """``parsed``, but with everything up to the URL's last ``@`` taken as the password.

    SQLAlchemy ends a password at its first ``@``; an unencoded ``@`` in the password
    (``app:a@b@db``) would otherwise show the rest of it as the host.
    """
    scheme, _, rest = url.partition("://")
    tail = rest[rest.rfind("@") + 1 :]
    user = quote(parsed.username or "", safe=" +")
    reparsed = parse(f"{scheme}://{user}:{MASK}@{tail}")
    return reparsed if reparsed is not None else parsed.set(host=None, port=None, database=None)


def _secret(key: str, value: str) -> bool:
    return key.lower() in _SECRET_PARAMS or bool(_EMBEDDED_SECRET.search(value))


def _redact_unparsed(url: str) -> str:
    """A URL SQLAlchemy cannot read: hide everything up to its last ``@``."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        url = f"{scheme}://{MASK}@{rest.rsplit('@', 1)[1]}"
    return _SECRET_QUERY.sub(rf"\g<1>{MASK}", url)


def secrets(url: str) -> list[str]:
    """Every secret of ``url`` as it may appear in a driver message, longest first."""
    found = {m.group(2) for m in _SECRET_QUERY.finditer(url)}
    parsed = parse(url)
    if parsed is not None:
        found.update(_query_secrets(parsed))
        if parsed.password is not None:
            found.add(str(parsed.password))
    rest = url.partition("://")[2]
    userinfo = rest[: rest.rfind("@")] if "@" in rest else ""
    if ":" in userinfo:  # the password as the user wrote it, up to the last '@'
        found.add(userinfo.split(":", 1)[1])
    forms = {form for secret in found for form in (secret, unquote(secret), quote(secret))}
    return sorted(filter(None, forms), key=len, reverse=True)


def _query_secrets(parsed: URL) -> list[str]:
    return [value for key, value in _query(parsed) if _secret(key, value)]


def _query(parsed: URL) -> list[tuple[str, str]]:
    """The query parameters in their order, one pair per value."""
    return [
        (key, value)
        for key, values in parsed.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]


def scrub(text: str, url: str) -> str:
    """``text`` with every secret of ``url`` (raw and percent-decoded) replaced by ``***``,
    and any connection string or URL the driver echoed (a DSN) redacted."""
    for secret in secrets(url):
        text = text.replace(secret, MASK)
    text = _ECHOED_URL.sub(lambda m: redact(m.group()), text)
    return _ECHOED_PASSWORD.sub(rf"\g<1>{MASK}", text)


def backend_of(url: str) -> Backend:
    """The backend a store URL names; a UsageError (exit 64) for anything else."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise UsageError(f"unsupported store URL {redact(url)}", hint=_URL_HINT)
    return _SCHEMES[scheme]


def driver_url(url: str) -> URL:
    """The SQLAlchemy URL for ``url``: ``postgresql://`` runs on psycopg 3."""
    backend = backend_of(url)
    parsed = parse(url)
    if parsed is None:
        raise UsageError(f"malformed store URL {redact(url)}", hint=_URL_HINT)
    if backend == "sqlite" and not parsed.database:
        raise UsageError(f"store URL {redact(url)} names no database file", hint=_URL_HINT)
    return parsed.set(drivername=_DRIVERS[backend])


def sqlite_path(url: URL) -> str | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return database
