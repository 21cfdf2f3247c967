"""The catalogue in a real headless Chromium, opened from file:// as a person would.

The page routes after its first paint and on ``hashchange``, both asynchronous, so every check
of what the page shows is one of Playwright's waiting assertions (``expect``), never a bare read.

Screenshots at 1280 and 800 px wide are written to tests/out/catalogue/ for a person to
look at.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from opconf.cli import main

from .pages import ROOT

# Without playwright the browser fixture skips these tests, or fails them in CI.
with contextlib.suppress(ImportError):
    from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

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


def shows(locator: Locator, text: str | re.Pattern[str] | list[str]) -> None:
    """Wait until the locator shows exactly this text (a list: one per element, in order)."""
    expect(locator).to_have_text(text, use_inner_text=True)


def starts(text: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(text))


def has_class(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){name}(\s|$)")


def names(page: Page, tab: str) -> Locator:
    return page.locator(f"#list-{tab} li:not([hidden]) .name")


def at(page: Page, path: Path, anchor: str) -> None:
    expect(page).to_have_url(url(path, anchor))


def config(kind_dir: str, key: str) -> Any:
    return yaml.safe_load((ROOT / "config" / kind_dir / f"{key}.yaml").read_text("utf-8"))


def test_clicking_a_template_shows_its_pipeline_in_order(page: Page, example: Path) -> None:
    page.goto(url(example))
    page.locator("#list-template a.item", has_text="Mortgage Origination").click()
    at(page, example, "template/mortgage_origination")
    doc = config("templates", "mortgage_origination")
    shows(page.locator("#details h2"), starts("Mortgage Origination"))
    stages = page.locator(".pipeline > .stage")
    shows(stages.locator(".stage-name"), [s["name"] for s in doc["stages"]])
    for i, stage in enumerate(doc["stages"]):
        steps = stages.nth(i).locator(".step .step-name")
        expected = [s["name"] for s in stage.get("steps", ())]
        if expected:
            shows(steps, expected)
        else:
            expect(steps).to_have_count(0)
        shows(stages.nth(i).locator(".pct"), f"{stage['probability']}%")
    expect(stages.nth(len(doc["stages"]) - 2)).to_have_class(has_class("outcome-won"))
    first_step = stages.nth(2).locator(".step").first
    shows(first_step.locator(".type"), re.compile("^task$", re.IGNORECASE))
    shows(first_step.locator(".who"), "role: Credit Analyst")


def test_the_search_box_filters_the_lists(page: Page, example: Path) -> None:
    page.goto(url(example))
    page.fill("#search", "mortgage")
    shows(names(page, "template"), ["Mortgage Origination"])
    page.click("#tab-product")
    shows(names(page, "product"), ["15-Year Fixed Mortgage", "30-Year Fixed Mortgage"])
    page.fill("#search", "no such thing")
    expect(names(page, "product")).to_have_count(0)
    shows(page.locator("#list-product .empty"), "No match.")
    page.press("#search", "Escape")
    expect(names(page, "product")).to_have_count(14)


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
    expect(page.locator(f"#tab-{tab}")).to_have_attribute("aria-selected", "true")
    shows(page.locator("#details h2"), title)
    expect(page.locator("a.item[aria-current]")).to_have_attribute("href", f"#{anchor}")


def test_people_and_roles_are_shown_by_name_from_the_reference_snapshot(
    page: Page, example: Path
) -> None:
    page.goto(url(example, "group/wealth_east"))
    first = page.locator("table.members tbody tr").first
    shows(first.locator("td"), ["Alice Jones ajones", "Lead Advisor lead_advisor"])
    page.goto(url(example, "template/new_account"))
    step = page.locator('.stage[data-key="paperwork"] .step').nth(1)
    shows(step.locator(".who"), "role: Compliance Reviewer")


def test_a_deep_link_to_nothing_says_so(page: Page, example: Path) -> None:
    page.goto(url(example, "product/nope"))
    shows(page.locator("#details"), "No product with key “nope” in this catalogue.")
    page.goto(url(example, "group/%E0%A4%A"))  # a malformed escape is no script error
    shows(page.locator("#details"), "No coverage group with key “%E0%A4%A” in this catalogue.")


def test_links_between_objects_and_the_keyboard(page: Page, example: Path) -> None:
    page.goto(url(example, "template/new_account"))
    page.locator("#details a", has_text="Wealth Management East").click()
    shows(page.locator("#details h2"), "Wealth Management East")
    expect(page.locator("#details").get_by_text("New Account")).to_have_count(1)
    page.locator("a.item[aria-current]").focus()
    page.keyboard.press("ArrowDown")
    shows(page.locator("#details h2"), "Wealth Management West")
    expect(page.locator('#list-group a.item[href="#group/wealth_west"]')).to_be_focused()
    page.keyboard.press("Home")
    at(page, example, "group/commercial_banking")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.focus("#tab-group")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-product")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#list-template")).to_be_hidden()
    expect(page.locator("#list-product")).to_be_visible()


def test_a_plan_marks_added_moved_and_removed_stages(page: Page) -> None:
    plan = GOLDEN / "plan" / "expected.html"
    page.goto(url(plan, "template/account_opening"))
    stages = page.locator(".pipeline > .stage")
    keys = ["qualify", "review", "funding", "paperwork", "signed", "won", "lost"]
    expect(stages).to_have_count(len(keys))
    assert [stages.nth(i).get_attribute("data-key") for i in range(len(keys))] == keys
    signed, funding, review = (
        page.locator(f'.stage[data-key="{k}"]') for k in ("signed", "funding", "review")
    )
    expect(signed).to_have_class(has_class("added"))
    shows(signed.locator(".badge"), "added")
    shows(funding.locator(".badge"), "moved 4 → 2")
    shows(funding.locator(".pct"), "80% → 40%")
    expect(review).to_have_class(has_class("removed"))
    shows(review.locator(".pos"), "×")
    shows(
        page.locator(".plan-summary"), "Plan: 1 to create, 3 to update, 1 to rename, 1 to delete."
    )
    page.goto(url(plan, "template/loan"))
    # The old key leads to the renamed template, which says what it was.
    at(page, plan, "template/loan")
    shows(page.locator("#details .sub code"), "business_loan")
    heading = page.locator("#details h2")
    shows(heading.locator(".changed"), "Loan → Business Loan")
    shows(heading.locator(".badge"), ["renamed from loan"])


def test_with_a_plan_the_page_opens_on_a_change_and_can_show_only_changes(page: Page) -> None:
    page.goto(url(GOLDEN / "plan" / "expected.html"))
    # "Accident Claim" comes first but is unchanged: the page opens on the first change.
    shows(names(page, "template").first, "Accident Claim")
    shows(page.locator("#details h2"), starts("Account Opening"))
    shows(page.locator("#tab-product .pending"), "3 pending")
    page.click("#tab-product")
    expect(names(page, "product")).to_have_count(4)
    page.check("#only-pending")
    shows(names(page, "product"), ["Everyday Checking", "Old Savings", "Premium Savings"])
    page.click("#tab-template")
    shows(names(page, "template"), ["Account Opening", "Business Loan"])
    page.uncheck("#only-pending")
    expect(names(page, "template")).to_have_count(3)


def test_a_name_with_script_is_text_and_runs_nothing(page: Page) -> None:
    small = GOLDEN / "small" / "expected.html"
    page.goto(url(small, "template/account_opening"))
    name = "Account opening </script><script>alert(1)</script>"
    shows(page.locator("#details h2"), name)
    shows(page.locator("#list-template .name").first, name)
    page.goto(url(small, "product/legacy_bond"))
    shows(page.locator("#details h2"), starts("Legacy <b>bond</b> & co"))
    expect(page.locator("#details b, #details script")).to_have_count(0)
    # The page fixture fails the test on any dialog (alert) or script error.


@pytest.mark.parametrize("width", [1280, 800])
def test_screenshots_at_both_widths_fit_the_window(
    browser: Browser, example: Path, shots: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for name, path, anchor in [
            ("example", example, "template/new_account"),
            ("group", example, "group/wealth_east"),
            ("plan", GOLDEN / "plan" / "expected.html", "template/account_opening"),
            ("waived", GOLDEN / "waived" / "expected.html", "template/Legacy-Card"),
        ]:
            page.goto(url(path, anchor))
            expect(page.locator(f'a.item[aria-current][href="#{anchor}"]')).to_have_count(1)
            expect(page.locator("#details h2")).to_be_visible()
            # Nothing wider than the window: only the pipeline scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot = shots / f"{name}-{width}.png"
            page.screenshot(path=shot)
            assert shot.stat().st_size > 10_000
    finally:
        context.close()


def test_waived_findings_are_marked_and_can_be_found(page: Page) -> None:
    waived = GOLDEN / "waived" / "expected.html"
    page.goto(url(waived, "template/Legacy-Card"))
    shows(page.locator("#tab-template .waived"), "2 waived")
    shows(page.locator("#details h2 .badge"), "waived")
    shows(
        page.locator("#details .waiver"),
        [
            "OPC223 template has no stage with outcome 'lost' (stages)"
            " — waived: legacy pipeline, review in Q1",
            "OPC226 a won stage has probability 100, not 90 (stages[1].probability)"
            " — waived: legacy pipeline, review in Q1",
        ],
    )
    # The search finds objects by the codes waived for them, or by the word itself.
    page.fill("#search", "opc226")
    shows(names(page, "template"), ["Legacy card"])
    page.fill("#search", "waived")
    shows(names(page, "template"), ["Card", "Legacy card"])
    page.press("#search", "Escape")
    page.click("#tab-product")
    page.check("#only-waived")
    shows(names(page, "product"), ["RETIRED"])
    page.uncheck("#only-waived")
    expect(names(page, "product")).to_have_count(2)
    page.goto(url(GOLDEN / "small" / "expected.html"))  # nothing waived: no bar, no marks
    expect(page.locator(".waiver-banner, .badge.waived")).to_have_count(0)
