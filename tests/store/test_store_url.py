"""Store URLs: redaction and backend selection."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from opconf.errors import UsageError
from opconf.store import Store, redact
from opconf.store.url import driver_url, parse, scrub


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:secret@db/crm", "postgresql://app:***@db/crm"),
        ("postgresql://app:p%40ss:w@db:5432/crm", "postgresql://app:***@db:5432/crm"),
        ("postgresql://app@db/crm", "postgresql://app@db/crm"),
        (
            "postgresql://db/crm?user=app&password=pw&x=1",
            "postgresql://db/crm?user=app&password=***&x=1",
        ),
        ("postgresql://app:a@b@db/crm", "postgresql://app:***@db/crm"),
        ("sqlite:///.opconf/store.db", "sqlite:///.opconf/store.db"),
    ],
)
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_postgresql_runs_on_psycopg() -> None:
    assert driver_url("postgresql://app:pw@db/crm").drivername == "postgresql+psycopg"
    assert driver_url("postgres://app@db/crm").drivername == "postgresql+psycopg"
    assert driver_url("sqlite:///x.db").drivername == "sqlite+pysqlite"


def test_display_url_hides_the_password() -> None:
    assert Store("postgresql://app:hunter2@db/crm").display_url == "postgresql://app:***@db/crm"


def test_unsupported_url() -> None:
    """A usage error (exit 64): the URL is wrong, not the store."""
    with pytest.raises(UsageError) as caught:
        Store("mysql://app:hunter2@db/crm")
    assert caught.value.message == "unsupported store URL mysql://app:***@db/crm"
    assert caught.value.hint == "use sqlite:///path/to/store.db or postgresql://user@host/database"


def test_scrub_removes_secrets_from_driver_messages() -> None:
    url = "postgresql://app:p%40ss@db/crm?sslpassword=key"
    text = scrub('failed for "app" with p@ss and p%40ss and key', url)
    assert text == 'failed for "app" with *** and *** and ***'


# --- passwords SQLAlchemy accepts unencoded -------------------------------------------------

SHOWN = "postgresql://app:***@db.example:5432/crm"
PASSWORDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=24
)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s3cr/et@db.example:5432/crm",
        "postgresql://app:s3cr#et@db.example:5432/crm",
        "postgresql://app:s3cr?et@db.example:5432/crm",
        "postgresql://app:a/b#c?d:e@db.example:5432/crm",
        "postgresql://app:a@/b@db.example:5432/crm",  # an unencoded '@' too
        "postgresql://app:a@b?c@db.example:5432/crm",
    ],
)
def test_redact_unencoded_passwords(url: str) -> None:
    assert redact(url) == SHOWN


@given(password=PASSWORDS)
@settings(max_examples=300, deadline=None)
def test_redaction_holds_for_any_password(password: str) -> None:
    """Written raw or percent-encoded: the password the driver would use is never shown."""
    for written in (password, quote(password, safe="")):
        url = f"postgresql://app:{written}@db.example:5432/crm"
        parsed = parse(url)
        if parsed is not None and parsed.host == "db.example":  # what the driver would use
            assert redact(url) == SHOWN
        else:  # not a URL the driver takes as meant: shown with all of the userinfo hidden
            assert redact(url) in (SHOWN, "postgresql://***@db.example:5432/crm")


@given(password=PASSWORDS)
@settings(max_examples=300, deadline=None)
def test_driver_messages_never_echo_the_password(password: str) -> None:
    assume("*" not in password and password not in 'FATAL: password "***" for ***')
    url = f"postgresql://app:{password}@db.example:5432/crm"
    for form in {password, quote(password, safe="")}:
        message = f'FATAL: password "{form}" for {url}'
        assert password not in scrub(message, url)


def test_malformed_url_is_refused_without_its_password() -> None:
    with pytest.raises(UsageError) as caught:
        driver_url("postgresql://app:hunter2@db:port/crm")
    assert caught.value.message == "malformed store URL postgresql://***@db:port/crm"


def test_secret_query_values_are_hidden() -> None:
    url = "postgresql://db/crm?dbname=host%3Dh+password%3Dhunter2&sslpassword=k3y"
    assert redact(url) == "postgresql://db/crm?dbname=***&sslpassword=***"


def test_scrub_redacts_an_echoed_dsn() -> None:
    """A driver may echo the connection string it was given: its password never shows."""
    url = "postgresql://app:other@db/crm"
    echoed = (
        "invalid connection string host=db password=s3cr/et user=app;"
        " password='a b' then postgresql://app:hunter2@db/crm?sslpassword=k3y"
    )
    assert scrub(echoed, url) == (
        "invalid connection string host=db password=*** user=app;"
        " password=*** then postgresql://app:***@db/crm?sslpassword=***"
    )
