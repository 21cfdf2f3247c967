"""The pull-request comment (``plan --format markdown``) and the machine output of a plan that
could not be made (SPEC §9): a hidden marker per target, user text that cannot break the
Markdown or inject HTML, and the validation problems — linked to their lines in GitHub
Actions — when the configuration is invalid."""

from __future__ import annotations

import json
import re

import pytest

from opconf import exitcodes
from opconf import markdown as md

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

# A name that tries every way out: a table cell, a code span, a fence, HTML, a comment's end.
HOSTILE = "Pipe | tick ` fence ``` <img src=x onerror=alert(1)> --> <details> *bold* [a](b)"
GITHUB = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/crm-config",
    "GITHUB_SHA": "0123abc",
    "GITHUB_RUN_ID": "42",
}


def _outside_code(markdown: str) -> str:
    """The Markdown with fenced blocks and code spans (where nothing is interpreted) removed."""
    lines, fence = [], ""
    for line in markdown.splitlines():
        opening = re.match(r"^(`{3,})", line)
        if fence:
            fence = "" if line == fence else fence
        elif opening:
            fence = opening.group(1)
        else:
            lines.append(line)
    text = "\n".join(lines)
    while match := re.search(r"(`+)(.+?)\1", text):
        text = text[: match.start()] + text[match.end() :]
    return text


def test_hostile_names_cannot_break_the_comment(
    env: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in GITHUB:
        monkeypatch.delenv(name, raising=False)
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES (:key, :name, 'deposit', true)",
        key="ui`|<b>``` -->",
        name=HOSTILE,
    )
    env.write([h.product("checking", name=HOSTILE)])
    out = env.ok("plan", "--format", "markdown", "--prune", "--target", "prod", project=None)
    # The name is inside a fence longer than its own backticks, and HTML-escaped in <summary>.
    assert "\n````diff\n+ Product checking  " in out
    assert f"<summary><code>+ Product checking  &quot;{HOSTILE.replace('&', '&amp;')}" not in out
    assert "<summary><code>+ Product checking  &quot;Pipe | tick ` fence ``` &lt;img" in out
    # The pruned CRM row's key, in the destructive banner: a code span its backticks cannot end.
    assert "> **Destructive:** ````Product ui`|<b>``` -->````. Applying" in out
    outside = _outside_code(out)
    assert "<img" not in outside and "<b>" not in outside
    assert outside.count("<details>") == outside.count("</details>") == 2
    assert outside.count("-->") == 1  # the marker's own end: no name ends it early
    assert out.startswith("<!-- opconf: plan/prod -->\n### opconf plan — Plan: 1 to create")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("a | b", "a \\| b"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("<details> & -->", "&lt;details> &amp; -->"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("new\nline", "new\\\\x0aline"),  # renders as new\\x0aline
    ],
)
def test_markdown_text_is_literal(value: str, shown: str) -> None:
    assert md.text(value) == shown


def test_markdown_code_spans_and_fences_outlast_their_content() -> None:
    assert md.code("a ``b`` c") == "```a ``b`` c```"
    assert md.code("`edge`") == "`` `edge` ``"
    assert md.code("a|b", cell=True) == "`a\\|b`"
    assert md.fence(["x ````` y"], "diff") == ["``````diff", "x ````` y", "``````"]
    assert md.comment_marker("prod --> <b>") == "<!-- opconf: prod_-____b_ -->"


INVALID = (
    "apiVersion: opconf/v1\nkind: Product\nkey: bad\nname: 'Bad | <b>'\n"
    "type: deposit\nlistPrice: -1\n"
)


def test_invalid_configuration_in_the_comment(env: h.Env, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(env.root))
    (env.root / "config").mkdir()
    (env.root / "config" / "bad.yaml").write_text(INVALID, encoding="utf-8")
    result = env.run("plan", "--format", "markdown", "--out", "plan.json")
    assert result.code == exitcodes.PROBLEMS
    assert result.err == "error: the configuration is invalid; nothing was planned\n"
    assert result.out == (
        "### opconf plan — the configuration is invalid: 1 error, 0 warnings in 1 file "
        "(1 object checked)\n\n"
        "| Place | Severity | Code | Message |\n|---|---|---|---|\n"
        "| [`config/bad.yaml:6:12`](https://github.com/acme/crm-config/blob/0123abc/"
        "config/bad.yaml#L6) | error | `OPC106` | listPrice must be ≥ 0 (got -1) (listPrice) |\n"
    )
    assert not (env.root / "plan.json").exists()
    as_json = env.run("plan", "--format", "json")
    assert as_json.code == exitcodes.PROBLEMS
    [diagnostic] = json.loads(as_json.out)["diagnostics"]
    assert diagnostic == {
        "file": "config/bad.yaml",
        "line": 6,
        "column": 12,
        "severity": "error",
        "code": "OPC106",
        "message": "listPrice must be ≥ 0 (got -1)",
        "path": "/listPrice",
        "url": "https://github.com/acme/crm-config/blob/0123abc/config/bad.yaml#L6",
    }


def test_invalid_project_file_in_the_comment(env: h.Env, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GITHUB:
        monkeypatch.delenv(name, raising=False)
    env.write(h.small_config())
    (env.root / "opconf.yaml").write_text("prune: no\n", encoding="utf-8")
    result = env.run("plan", "--format", "markdown", "--target", "prod")
    assert result.code == exitcodes.USAGE  # as for every command: opconf.yaml is unusable
    assert result.out == (
        "<!-- opconf: plan/prod -->\n"
        "### opconf plan — the configuration is invalid: 1 error, 0 warnings in 1 file "
        "(0 objects checked)\n\n"
        "| Place | Severity | Code | Message |\n|---|---|---|---|\n"
        '| `opconf.yaml:1:8` | error | `OPC103` | prune must be true or false, not a string "no" '
        "(did you mean false?) (prune) |\n"
    )
    assert result.err.endswith(
        "error: opconf.yaml is invalid (1 error); nothing was done\n"
        "hint: fix the lines above (`opconf validate` reports them too)\n"
    )
    assert json.loads(env.run("plan", "--format", "json").out)["valid"] is False


def test_overflow_points_to_the_job_summary(env: h.Env, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    docs = [h.product(f"p_{i:04d}", name=f"Product {i}", description="x" * 60) for i in range(1500)]
    h.write_bundle(env.root / "config" / "all.yaml", docs)
    out = env.ok("plan", "--format", "markdown")
    assert len(out) <= 65_536
    assert re.search(
        r"\n[\d,]+ more changes not shown \(comment size limit\): \[the job summary\]"
        r"\(https://github.com/acme/crm-config/actions/runs/42\) has the whole plan; ",
        out,
    )
