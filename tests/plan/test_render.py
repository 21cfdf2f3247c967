"""What the renderers show of user data (opconf/plan/render*.py): control characters escaped,
never sent to the terminal; warnings and errors with their file:line:column."""

from __future__ import annotations

import json
import re

import pytest

from opconf.visible import json_visible, visible

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

# ESC (a screen clear), BEL, CR, a C1 control (NEL), a right-to-left override, an isolate.
HOSTILE = "Evil\x1b[2J\x07\r\x85\u202eeman\u2066x"
SHOWN = "Evil\\x1b[2J\\x07\\x0d\\x85\\u202eeman\\u2066x"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _hostile_store(env: h.Env) -> None:
    """Rows made in the CRM's UI: one the configuration adopts, one it leaves alone."""
    for key in ("checking", "ui_made"):
        h.sql(
            env.url,
            "INSERT INTO product (key, name, type, active) VALUES (:key, :name, 'deposit', true)",
            key=key,
            name=HOSTILE + key,
        )
    h.sql(env.url, "UPDATE product SET key = :key WHERE key = 'ui_made'", key="ui\x1bmade")
    env.write([h.product("checking", name="Checking")])


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_characters_are_shown_escaped(env: h.Env, fmt: str) -> None:
    _hostile_store(env)
    out = env.ok("plan", "--format", fmt)
    assert not RAW.search(out)
    assert f'name: "{SHOWN}checking" → "Checking"' in out
    if fmt == "text":
        assert "(--prune would delete them): Product ui\\x1bmade\n" in out


def test_json_keeps_the_data_but_escapes_what_a_terminal_would_obey(env: h.Env) -> None:
    _hostile_store(env)
    out = env.ok("plan", "--format", "json", "--out", "plan.json")
    assert not RAW.search(out)
    plan = json.loads(out)
    [change] = plan["changes"]
    assert change["before"]["name"] == HOSTILE + "checking"  # the value itself is exact
    assert plan["unmanaged"] == [{"kind": "Product", "key": "ui\x1bmade"}]
    assert env.ok("show", "plan.json", "--format", "json") == out


def test_visible_escapes_only_controls() -> None:
    assert visible(HOSTILE) == SHOWN
    assert visible("Zürich 東京 🎉 שלום\t") == "Zürich 東京 🎉 שלום\\x09"
    assert json_visible('"\u202e\x85"') == '"\\u202e\\u0085"'


def test_markdown_shows_warnings_with_their_place(env: h.Env) -> None:
    env.write([h.product("retired", active=False), h.template("seller", products=["retired"])])
    markdown = env.ok("plan", "--format", "markdown")
    assert (
        "**Warnings:**\n- `config/templates/seller.yaml:20:3` `OPC212` active template sells "
        "inactive product 'retired'\n"
    ) in markdown
