"""A password SQLAlchemy accepts unencoded (``/``, ``#``, ``?``) never shows: not in the plan
(text, Markdown, the saved file), not in connection errors, on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opconf import exitcodes

try:
    from tests import pg
    from tests.plan import helpers as h
except ImportError:
    import pg  # type: ignore[no-redef]
    from plan import helpers as h  # type: ignore[no-redef]

HOSTILE = "s3cr/et#?:%zz"  # SQLAlchemy takes it whole, unencoded
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("store_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def hostile_password(pg_cluster: pg.Cluster, pg_url: str) -> Iterator[str]:
    """The password role's password is HOSTILE for the test."""
    with pg_cluster.admin() as conn:
        conn.execute(f"ALTER ROLE {pg.PASSWORD_ROLE} PASSWORD '{HOSTILE}'")
    try:
        yield HOSTILE
    finally:
        with pg_cluster.admin() as conn:
            conn.execute(f"ALTER ROLE {pg.PASSWORD_ROLE} PASSWORD '{pg.PASSWORD}'")


def _as_role(url: str, password: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{pg.PASSWORD_ROLE}:{password}@")


def _leaks(text: str) -> bool:
    return any(part in text for part in ("s3cr", "et#", "%zz", "zz"))


def test_plan_outputs_hide_an_unencoded_password(env: h.Env, hostile_password: str) -> None:
    url = _as_role(env.url, hostile_password)
    env.write(h.small_config())
    shown = h.redact(env.url).replace("postgres@", f"{pg.PASSWORD_ROLE}:***@")
    text = env.ok("plan", "--store", url, "--out", "plan.json")
    assert f"Store: {shown} (revision 0)" in text
    markdown = env.ok("plan", "--store", url, "--format", "markdown")
    assert f"Store `{shown}` at revision 0." in markdown
    saved = Path("plan.json").read_text(encoding="utf-8")
    assert f'"store": "{shown}"' in saved
    applied = env.ok("apply", "plan.json", "--store", url)
    assert not any(_leaks(out) for out in (text, markdown, saved, applied))


def test_wrong_unencoded_password(env: h.Env, hostile_password: str) -> None:
    url = _as_role(env.url, "wr0ng/s3cr#et?")
    result = env.run("history", "--store", url)
    shown = h.redact(env.url).replace("postgres@", f"{pg.PASSWORD_ROLE}:***@")
    assert result == h.Run(
        exitcodes.STORE,
        "",
        f"error: cannot connect to {shown}: password authentication failed for user"
        f' "{pg.PASSWORD_ROLE}"\nhint: check the user name and password of the store URL\n',
    )
