"""How fast a large report opens: a 200-run comparison of a 200-employee organization.

    python benchmarks/bench_report.py [--runs 100] [--days 100] [--out results/bench-report]

Runs (or resumes) the comparison of a 211-employee pyramid (3 levels, span 14) and its inverted
pyramid, writes the report, then opens it 5 times in headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright) and prints the median time from navigation to the
first words painted and to every figure rendered, the file size and the time to build the
report. ``--against OLD.html`` opens another report (an older version's) in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from simulation import InvertedPyramid, Pyramid, Scenario, compare
from simulation.report.html import write_report

CHROMIUM = "/usr/bin/chromium"


#: The first contentful paint, once the browser has one.
FIRST_PAINT = """new Promise(r => new PerformanceObserver(l => { for (const e of l.getEntries())
  if (e.name === 'first-contentful-paint') r(e.startTime); }).observe({type: 'paint',
  buffered: true}))"""


def open_times(path: Path, repeats: int = 5) -> tuple[list[float], list[float]]:
    """Seconds to the first words painted and to every figure rendered, per fresh page."""
    from playwright.sync_api import sync_playwright

    painted, rendered = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(repeats):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            start = time.perf_counter()
            page.goto(path.resolve().as_uri())
            n = page.evaluate("document.querySelectorAll('.figure').length")
            page.wait_for_function(f"window.figuresRendered === {n}", timeout=120_000)
            rendered.append(time.perf_counter() - start)
            painted.append(page.evaluate(FIRST_PAINT) / 1000)
            page.close()
        browser.close()
    return painted, rendered


def _line(name: str, path: Path) -> tuple[float, float]:
    painted, rendered = open_times(path)
    first, full = statistics.median(painted), statistics.median(rendered)
    print(f"{name}: {path.stat().st_size / 1e6:.2f} MB; words painted after median "
          f"{first:.2f} s, every figure rendered after median {full:.2f} s (5 loads)")
    return first, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="runs per scenario (100 x 2)")
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--out", default="results/bench-report")
    parser.add_argument("--against", help="another report to open in the same run")
    args = parser.parse_args()
    shape = {"levels": 3, "span": 14}
    scenarios = [Scenario(name="pyramid", design=Pyramid(**shape)),
                 Scenario(name="inverted_pyramid", design=InvertedPyramid(**shape))]
    start = time.perf_counter()
    result = compare(scenarios, args.runs, days=args.days, out=args.out, progress=True)
    print(f"{len(result.runs)} runs of {len(result.structure['pyramid']['nodes'])} employees "
          f"x {args.days} days: {time.perf_counter() - start:.0f} s (0 if resumed)")
    start = time.perf_counter()
    path = write_report(args.out)
    print(f"report built in {time.perf_counter() - start:.2f} s, "
          f"{path.stat().st_size / 1e6:.1f} MB")
    first, full = _line("this report", path)
    if args.against:
        old_first, old_full = _line("against", Path(args.against))
        print(f"ratios (against / this): words {old_first / first:.1f}x, figures "
              f"{old_full / full:.1f}x")


if __name__ == "__main__":
    main()
