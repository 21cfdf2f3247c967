"""The catalogue page in headless Chromium: its size, first paint, and time to usable.

    .venv/bin/python bench/catalogue_paint.py bench/out/scratch-10000/catalogue/index.html

Opens the page from file:// in Debian's /usr/bin/chromium (driven by playwright; nothing is
downloaded) at 1280 × 800, --repeat times, each in a fresh browser context, and prints the
medians: first paint and first contentful paint (the Paint Timing API), DOMContentLoaded, and
the time until the first template's details are drawn (the page is usable), and one search
in the longest list (the page's own filter, with the layout it causes). Exits 1 when first
contentful paint is over --budget seconds (default 2).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMINGS = """() => {
  const paint = Object.fromEntries(
    performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
  const nav = performance.getEntriesByType("navigation")[0];
  return {fp: paint["first-paint"], fcp: paint["first-contentful-paint"],
          dcl: nav.domContentLoadedEventEnd, usable: window.__usable};
}"""
# Set when the details pane first has a heading: the page is drawn and usable.
USABLE = """() => new Promise((done) => {
  const seen = () => document.querySelector("#details h2");
  if (seen()) { window.__usable = performance.now(); return done(); }
  new MutationObserver((_, obs) => {
    if (seen()) { window.__usable = performance.now(); obs.disconnect(); done(); }
  }).observe(document.getElementById("details"), {childList: true, subtree: true});
})"""

# Type a letter then a rarer string into the search box of the longest list; the slower, in s.
SEARCH = """() => {
  const lists = Array.from(document.querySelectorAll(".list"));
  const longest = lists.reduce((a, b) => b.querySelectorAll("li").length >
    a.querySelectorAll("li").length ? b : a);
  document.getElementById("tab-" + longest.id.slice(5)).click();
  const box = document.getElementById("search");
  let worst = 0;
  for (const query of ["a", "a_00", ""]) {
    const t0 = performance.now();
    box.value = query;
    box.dispatchEvent(new Event("input"));
    document.body.offsetHeight;  // the layout the filter causes
    worst = Math.max(worst, performance.now() - t0);
  }
  return worst / 1000;
}"""


def measure(page_file: Path, repeat: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {"fp": [], "fcp": [], "dcl": [], "usable": [], "search": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(repeat):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            page.evaluate(USABLE)
            for name, value in page.evaluate(TIMINGS).items():
                samples[name].append(value / 1000)
            samples["search"].append(page.evaluate(SEARCH))
            context.close()
        browser.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("page", type=Path, help="the catalogue's index.html")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=2.0, help="first contentful paint, s")
    args = parser.parse_args()
    if not args.page.is_file():
        print(f"error: {args.page} does not exist", file=sys.stderr)
        return 2
    size = args.page.stat().st_size
    m = measure(args.page, args.repeat)
    print(f"page:                   {args.page} ({size / 1e6:.1f} MB)")
    print(f"first paint:            {m['fp']:.2f} s")
    print(f"first contentful paint: {m['fcp']:.2f} s  (budget ≤ {args.budget} s)")
    print(f"DOMContentLoaded:       {m['dcl']:.2f} s")
    print(f"details drawn (usable): {m['usable']:.2f} s")
    print(f"search, longest list:   {m['search']:.2f} s")
    return 0 if m["fcp"] <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
