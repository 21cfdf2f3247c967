"""Store URLs: redaction and backend selection."""

from __future__ import annotations

import pytest

from opconf.errors import StoreError
from opconf.store import Store, redact
from opconf.store.url import driver_url, scrub


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
    with pytest.raises(StoreError) as caught:
        Store("mysql://app:hunter2@db/crm")
    assert caught.value.message == "unsupported store URL mysql://app:***@db/crm"
    assert caught.value.hint == "use sqlite:///path/to/store.db or postgresql://user@host/database"


def test_scrub_removes_secrets_from_driver_messages() -> None:
    url = "postgresql://app:p%40ss@db/crm?sslpassword=key"
    text = scrub('failed for "app" with p@ss and p%40ss and key', url)
    assert text == 'failed for "app" with *** and *** and ***'
