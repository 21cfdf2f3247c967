"""The catalogue in a real headless Chromium, opened from file:// as a person would.

Screenshots at 1280 and 800 px wide are written to tests/out/catalogue/ for a person to
look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from opconf.cli import main

from .pages import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

GOLDEN = ROOT / "tests" / "cases" / "catalogue"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue of the example config/, written by the real command."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(ROOT / "config", root / "config")
    for name in ("opconf.yaml", "opconf.refs.yaml"):
        shutil.copy(ROOT / name, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        assert main(["catalogue", "--out", "site"]) == 0
    return root / "site" / "index.html"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any script error or any request off file://."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on(
        "request",
        lambda r: None if r.url.startswith(("file://", "data:")) else problems.append(r.url),
    )
    yield tab
    context.close()
    assert problems == []


def url(path: Path, anchor: str = "") -> str:
    return path.as_uri() + (f"#{anchor}" if anchor else "")


def visible_names(page: Page, tab: str) -> list[str]:
    return page.locator(f"#list-{tab} li:not([hidden]) .name").all_text_contents()


def config(kind_dir: str, key: str) -> Any:
    return yaml.safe_load((ROOT / "config" / kind_dir / f"{key}.yaml").read_text("utf-8"))


def test_clicking_a_template_shows_its_pipeline_in_order(page: Page, example: Path) -> None:
    page.goto(url(example))
    page.locator("#list-template a.item", has_text="Mortgage Origination").click()
    assert page.evaluate("location.hash") == "#template/mortgage_origination"
    doc = config("templates", "mortgage_origination")
    assert page.locator("#details h2").inner_text().startswith("Mortgage Origination")
    stages = page.locator(".pipeline > .stage")
    assert stages.locator(".stage-name").all_inner_texts() == [s["name"] for s in doc["stages"]]
    for i, stage in enumerate(doc["stages"]):
        steps = stages.nth(i).locator(".step .step-name").all_inner_texts()
        assert steps == [s["name"] for s in stage.get("steps", ())]
        shown = stages.nth(i).locator(".pct").inner_text()
        assert shown == f"{stage['probability']}%"
    won = stages.nth(len(doc["stages"]) - 2)
    assert "outcome-won" in (won.get_attribute("class") or "")
    first_step = stages.nth(2).locator(".step").first
    assert first_step.locator(".type").inner_text().lower() == "task"
    assert first_step.locator(".who").inner_text() == "role: Credit Analyst"


def test_the_search_box_filters_the_lists(page: Page, example: Path) -> None:
    page.goto(url(example))
    page.fill("#search", "mortgage")
    assert visible_names(page, "template") == ["Mortgage Origination"]
    page.click("#tab-product")
    assert visible_names(page, "product") == ["15-Year Fixed Mortgage", "30-Year Fixed Mortgage"]
    page.fill("#search", "no such thing")
    assert visible_names(page, "product") == []
    assert page.locator("#list-product .empty").inner_text() == "No match."
    page.press("#search", "Escape")
    assert len(visible_names(page, "product")) == 14


@pytest.mark.parametrize(
    ("anchor", "tab", "title"),
    [
        ("group/wealth_east", "group", "Wealth Management East"),
        ("product/heloc", "product", "Home Equity Line of Credit"),
        ("template/trust_services", "template", "Trust & Estate Services"),
    ],
)
def test_a_deep_link_opens_its_object(
    page: Page, example: Path, anchor: str, tab: str, title: str
) -> None:
    page.goto(url(example, anchor))
    assert page.locator(f"#tab-{tab}").get_attribute("aria-selected") == "true"
    assert page.locator("#details h2").inner_text() == title
    assert page.locator("a.item[aria-current]").get_attribute("href") == f"#{anchor}"


def test_people_and_roles_are_shown_by_name_from_the_reference_snapshot(
    page: Page, example: Path
) -> None:
    page.goto(url(example, "group/wealth_east"))
    first = page.locator("table.members tbody tr").first
    assert first.locator("td").all_inner_texts() == [
        "Alice Jones ajones",
        "Lead Advisor lead_advisor",
    ]
    page.goto(url(example, "template/new_account"))
    step = page.locator('.stage[data-key="paperwork"] .step').nth(1)
    assert step.locator(".who").inner_text() == "role: Compliance Reviewer"


def test_a_deep_link_to_nothing_says_so(page: Page, example: Path) -> None:
    page.goto(url(example, "product/nope"))
    assert page.locator("#details").inner_text() == (
        "No product with key “nope” in this catalogue."
    )
    page.goto(url(example, "group/%E0%A4%A"))  # a malformed escape is no script error
    assert page.locator("#details").inner_text() == (
        "No coverage group with key “%E0%A4%A” in this catalogue."
    )


def test_links_between_objects_and_the_keyboard(page: Page, example: Path) -> None:
    page.goto(url(example, "template/new_account"))
    page.locator("#details a", has_text="Wealth Management East").click()
    assert page.locator("#details h2").inner_text() == "Wealth Management East"
    assert page.locator("#details").get_by_text("New Account").count() == 1
    page.locator("a.item[aria-current]").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("#details h2").inner_text() == "Wealth Management West"
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#group/wealth_west"
    page.keyboard.press("Home")
    assert page.evaluate("location.hash") == "#group/commercial_banking"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.focus("#tab-group")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-product").get_attribute("aria-selected") == "true"
    assert page.locator("#list-template").is_hidden() and page.locator("#list-product").is_visible()


def test_a_plan_marks_added_moved_and_removed_stages(page: Page) -> None:
    page.goto(url(GOLDEN / "plan" / "expected.html", "template/account_opening"))
    stages = page.locator(".pipeline > .stage")
    keys = [stages.nth(i).get_attribute("data-key") for i in range(stages.count())]
    assert keys == ["qualify", "review", "funding", "paperwork", "signed", "won", "lost"]
    signed, funding, review = (
        page.locator(f'.stage[data-key="{k}"]') for k in ("signed", "funding", "review")
    )
    assert "added" in (signed.get_attribute("class") or "")
    assert signed.locator(".badge").inner_text() == "added"
    assert funding.locator(".badge").inner_text() == "moved 4 → 2"
    assert funding.locator(".pct").inner_text() == "80% → 40%"
    assert "removed" in (review.get_attribute("class") or "")
    assert review.locator(".pos").inner_text() == "×"
    assert page.locator(".plan-summary").inner_text() == (
        "Plan: 1 to create, 3 to update, 1 to rename, 1 to delete."
    )
    page.goto(url(GOLDEN / "plan" / "expected.html", "template/loan"))
    # The old key leads to the renamed template, which says what it was.
    assert page.evaluate("location.hash") == "#template/loan"
    assert page.locator("#details .sub code").inner_text() == "business_loan"
    heading = page.locator("#details h2")
    assert heading.locator(".changed").inner_text() == "Loan → Business Loan"
    assert heading.locator(".badge").all_inner_texts() == ["renamed from loan"]


def test_with_a_plan_the_page_opens_on_a_change_and_can_show_only_changes(page: Page) -> None:
    page.goto(url(GOLDEN / "plan" / "expected.html"))
    # "Accident Claim" comes first but is unchanged: the page opens on the first change.
    assert visible_names(page, "template")[0] == "Accident Claim"
    assert page.locator("#details h2").inner_text().startswith("Account Opening")
    assert page.locator("#tab-product .pending").inner_text() == "3 pending"
    page.click("#tab-product")
    assert len(visible_names(page, "product")) == 4
    page.check("#only-pending")
    assert visible_names(page, "product") == ["Everyday Checking", "Old Savings", "Premium Savings"]
    page.click("#tab-template")
    assert visible_names(page, "template") == ["Account Opening", "Business Loan"]
    page.uncheck("#only-pending")
    assert len(visible_names(page, "template")) == 3


def test_a_name_with_script_is_text_and_runs_nothing(page: Page) -> None:
    page.goto(url(GOLDEN / "small" / "expected.html", "template/account_opening"))
    name = "Account opening </script><script>alert(1)</script>"
    assert page.locator("#details h2").inner_text() == name
    assert page.locator("#list-template .name").first.inner_text() == name
    page.goto(url(GOLDEN / "small" / "expected.html", "product/legacy_bond"))
    assert page.locator("#details h2").inner_text().startswith("Legacy <b>bond</b> & co")
    assert page.locator("#details b, #details script").count() == 0
    # The page fixture fails the test on any dialog (alert) or script error.


@pytest.mark.parametrize("width", [1280, 800])
def test_screenshots_at_both_widths_fit_the_window(
    browser: Browser, example: Path, shots: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for name, where in [
            ("example", url(example, "template/new_account")),
            ("group", url(example, "group/wealth_east")),
            ("plan", url(GOLDEN / "plan" / "expected.html", "template/account_opening")),
        ]:
            page.goto(where)
            page.locator("#details h2").wait_for()
            # Nothing wider than the window: only the pipeline scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot = shots / f"{name}-{width}.png"
            page.screenshot(path=shot)
            assert shot.stat().st_size > 10_000
    finally:
        context.close()
