"""``opconf catalogue --plan``: a plan saved against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

try:  # tests/ may or may not be a package
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]

from .pages import data


def reordered(tag: str = "") -> list[h.Obj]:
    """small_config with its template's stages reordered and one added."""
    docs = h.small_config()
    docs[2] = h.template(
        "account_opening",
        stages=("paperwork", "review", "qualify"),
        name="Opening" + tag,
        products=["checking"],
        defaultCoverageGroup="branch_team",
    )
    docs.append(h.product("savings"))
    return docs


def test_the_page_marks_a_saved_plans_changes(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write(reordered())
    env.ok("plan", "--out", "plan.json")
    out = env.ok("catalogue", "--plan", "plan.json", "--out", "site")
    assert out == (
        "Wrote site/index.html: 1 template, 1 coverage group, 2 products; "
        "2 pending changes marked.\n"
    )
    page = data(env.root / "site/index.html")["details"]
    stages = page["template"]["account_opening"]["stages"]
    assert [(s["key"], s.get("mark"), s.get("moved")) for s in stages] == [
        ("paperwork", None, [2, 1]),  # qualify and paperwork changed places: both moved
        ("review", "added", None),
        ("qualify", None, [1, 3]),
        ("won", None, None),
        ("lost", None, None),
    ]
    assert page["template"]["account_opening"]["plan"] == {"mark": "changed"}
    assert page["product"]["savings"]["plan"] == {"mark": "new"}
    assert "plan" not in page["product"]["checking"]


def test_a_plan_of_another_configuration_is_refused_unless_forced(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.write(reordered())
    env.ok("plan", "--out", "plan.json")
    env.write(reordered(tag=" (edited)"))
    result = env.run("catalogue", "--plan", "plan.json", "--out", "site")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: plan.json was planned from another configuration than {env.root / 'config'}\n"
        "hint: plan again (`opconf plan --out plan.json`), or pass --force to draw its marks"
        " anyway\n"
    )
    assert not (env.root / "site").exists()
    result = env.run("catalogue", "--plan", "plan.json", "--out", "site", "--force")
    assert result.code == 0
    assert result.err == (
        "warning: plan.json was planned from another configuration; "
        "its marks may not match what is shown\n"
    )
    assert Path(env.root / "site/index.html").is_file()


def test_a_plan_without_changes_says_so_and_offers_no_filter(env: h.Env) -> None:
    env.write(h.small_config())
    env.ok("apply", "--auto-approve")
    env.ok("plan", "--out", "plan.json")
    out = env.ok("catalogue", "--plan", "plan.json", "--out", "site")
    assert out.endswith("; 0 pending changes marked.\n")
    html = (env.root / "site/index.html").read_text("utf-8")
    assert (
        '<span class="plan-summary">No changes. The store matches the configuration.</span>' in html
    )
    assert 'id="only-pending"' not in html and "pending</span>" not in html
