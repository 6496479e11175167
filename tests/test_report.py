"""The executive report: self-contained, escaped, and rendered by a real browser."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import HOSTILE, run_small_comparison

from simulation import compare, load_scenario, plots
from simulation.report.html import build_report, write_report

FIGURES = 9  # forest, time series, distributions, 2 organizations, attribution, waiting causes,
# heatmap, Sankey


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A comparison whose second scenario is named ``<script>alert(1)</script>``."""
    folder = tmp_path_factory.mktemp("hostile")
    run_small_comparison(folder, hostile=True)
    return folder


def test_the_report_is_one_self_contained_file(hostile) -> None:
    html = build_report(hostile)
    assert html.count("plotly.js v") == 1  # the library embedded once
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html)  # nothing fetched
    assert html.count('class="figure"') == FIGURES
    assert "seed</td><td>2026" in html and "replications</td><td>3" in html


def test_user_text_is_escaped_everywhere(hostile) -> None:
    html = build_report(hostile)
    assert HOSTILE not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; co" in html


def test_too_few_runs_give_no_verdict_on_the_first_screen(small_comparison) -> None:
    html = build_report(small_comparison.folder)
    answer = re.search(r'<div class="answer (\w+)"><p class="verdict">(.*?)</p>', html)
    assert answer.group(1) == "mixed"
    assert answer.group(2) == ("No verdict yet on Inverted pyramid against Pyramid: 3 runs "
                               "each, fewer than 5.")
    assert "p-value" not in html.split('<h2>')[0] and "p = " not in html.split('<h2>')[0]
    assert "<td>no verdict: 3 runs, fewer than 5</td>" in html  # the details keep the tests


def test_write_report_defaults_to_the_folder_and_replaces_atomically(small_comparison) -> None:
    path = write_report(small_comparison.folder)
    assert path == small_comparison.folder / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(small_comparison.folder.glob(".report.html.*"))


def test_cli_report_and_compare_report(small_comparison, tmp_path, capsys) -> None:
    from simulation.cli.commands import main

    target = tmp_path / "r.html"
    assert main(["report", str(small_comparison.folder), "-o", str(target)]) == 0
    assert target.exists() and "self-contained" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "not a results folder" in capsys.readouterr().err
    out = tmp_path / "cmp"
    assert main(["compare", "pyramid", "flat_team", "--runs", "2", "--days", "4", "-w", "1",
                 "--quiet", "--out", str(out), "--report"]) == 0
    assert (out / "report.html").exists()


def test_a_sweep_report_has_responses_and_indices(tmp_path) -> None:
    from simulation import load_scenario, sweep

    sweep(load_scenario("pyramid"), ["organization.reporting_rate=0:2", "work.communication=0:1"],
          design="sobol", points=2, runs=1, days=4, out=tmp_path, workers=1, source="pyramid")
    html = build_report(tmp_path)
    assert html.count('class="figure"') == 8  # ranking, responses, two at once, Sobol' x 3, ...
    assert "sobol design: 8 points" in html
    assert "scenario pyramid</td><td><code>pyramid</code>" in html


# Per figure: pairs of title, button row, legend and subplot titles whose boxes intersect.
OVERLAPS = """
(() => {
  const out = [];
  for (const fig of document.querySelectorAll('.figure')) {
    const parts = [['title', fig.querySelector('.gtitle')],
                   ['buttons', fig.querySelector('.updatemenu-container')],
                   ['legend', fig.querySelector('.legend')]];
    fig.querySelectorAll('.annotation-text').forEach((a, i) => parts.push(['subtitle' + i, a]));
    const boxes = parts.filter(([, el]) => el).map(([n, el]) => [n, el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i], [b, q] = boxes[j];
      if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom)
        out.push(fig.id + ': ' + a + ' / ' + b);
    }
  }
  return out;
})()
"""


def test_the_report_renders_in_a_real_browser(hostile, chromium, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    path = write_report(hostile, tmp_path / "report.html")
    errors: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.resolve().as_uri())
        page.wait_for_function(f"window.figuresRendered === {FIGURES}", timeout=60_000)
        assert page.locator(".figure.js-plotly-plot").count() == FIGURES
        assert page.locator(".figure[data-rendered='1'] .main-svg").count() >= FIGURES
        assert page.locator("h1").inner_text() == f"Service chain: {HOSTILE} against Pyramid"
        assert HOSTILE in page.locator(".card h3").all_inner_texts()
        legend = page.evaluate(
            "Array.from(document.querySelectorAll('.legendtext')).map(e => e.textContent)")
        assert HOSTILE in legend  # plotly shows it as text too
        overlaps = page.evaluate(OVERLAPS)
        assert overlaps == [], overlaps
        page.locator("#figure-4 .updatemenu-button").nth(1).click()  # colour by utilisation
        title = page.locator("#figure-4 .colorbar .cbtitle").text_content()
        assert title == "utilisation (%)"
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == [] and dialogs == []
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:4] == b"\x89PNG"
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:  # CI keeps the picture
        shutil.copy(shot, keep)


def test_the_forest_shows_each_change_once() -> None:
    """A run's quits and its quit rate per month moved by the same relative amount and were two
    rows of the forest (and two tests in its family); the rate alone is shown now."""
    from simulation.report.html import forest_kpis

    result = compare([load_scenario("pyramid"), load_scenario("inverted_pyramid")], runs=5,
                     days=30, seed=2, workers=1)
    keys = forest_kpis(result.runs)
    assert "turnover_per_month" in keys and "quits" not in keys
    both = result.relative(["quits", "turnover_per_month"]).set_index("kpi").relative
    assert both["quits"] == pytest.approx(both["turnover_per_month"])  # why one is enough
    figure = plots.forest(result.relative(keys), None, "pyramid")
    labels = [a.text for a in figure.layout.annotations]
    assert len(labels) == len(set(labels)) == len(keys)


def test_one_run_count_in_the_subtitle_headline_and_provenance(small_comparison) -> None:
    """The subtitle said "40 seeded runs", the headline "20 paired runs" and the provenance
    "replications 20": the subtitle now counts per design, as the other two do."""
    html = build_report(small_comparison.folder)
    per = int(small_comparison.manifest["replications"])
    assert f"{per} seeded runs of each design ({2 * per} in all)" in html
    assert f"{per} runs each" in html  # the first screen: too few for a verdict
