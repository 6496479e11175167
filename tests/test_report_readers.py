"""The report for its readers: an answer on the first screen, on a phone, on paper, without
JavaScript, light, and honest about what it was made from (issue 21).

The browser tests drive Debian's Chromium through Playwright (the ``chromium`` fixture).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import HOSTILE

from simulation.cli.commands import main
from simulation.core.kpis import kpi
from simulation.experiments.stats import verdicts
from simulation.report.html import TILE_KPIS, forest_kpis, out_of_date, write_report
from simulation.report.page import pct

RUNS = 8
#: Printable height of an A4 page at 12 mm margins, in CSS pixels (96 per inch).
A4_HEIGHT = (297 - 24) / 25.4 * 96


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> Path:
    """The pyramid against the inverted pyramid, 8 paired runs of 40 days, from the command."""
    out = tmp_path_factory.mktemp("judged")
    assert main(["compare", "pyramid", "inverted_pyramid", "--runs", str(RUNS), "--days", "40",
                 "-w", "2", "--quiet", "--out", str(out), "--report"]) == 0
    return out


def _first_screen(html: str) -> str:
    return html.split("<h2>", 1)[0]


def test_the_verdict_and_tiles_agree_with_differences_csv(judged) -> None:
    html = (judged / "report.html").read_text(encoding="utf-8")
    table = pd.read_csv(judged / "differences.csv")
    table = table[table.kpi.isin(forest_kpis(pd.DataFrame(columns=list(table.kpi))))]
    rows = verdicts(table, {k: kpi(k).higher_is_better for k in table.kpi}).set_index("kpi")
    first = _first_screen(html)
    sentence = re.search(r'<p class="verdict">(.*?)</p>', first).group(1)
    better, worse = int((rows.verdict == "better").sum()), int((rows.verdict == "worse").sum())
    assert len(rows) == 9  # quits left out: it repeats the quit rate
    named = {w: ", ".join(kpi(k).label for k in rows.index[rows.verdict == w])
             for w in ("better", "worse")}
    if better and not worse:
        assert f"is better on {better} of 9 measures" in sentence
        assert "and worse on none" in sentence and (better == 9 or named["better"] in sentence)
    elif worse and not better:
        assert f"is worse on {worse} of 9 measures" in sentence
        assert "and better on none" in sentence and (worse == 9 or named["worse"] in sentence)
    else:
        assert f"better on {better} ({named['better']}) and worse on {worse}" in sentence
    assert sentence.startswith("Inverted pyramid is") and "against Pyramid" in sentence
    assert "revenue" in sentence and "inverted_pyramid" not in first
    tiles = re.findall(r'<div class="tile (\w+)" data-kpi="(\w+)"[^>]*>.*?<p class="big">'
                       r'(.*?)</p><p class="word">(.*?)</p>', first)
    assert [t[1] for t in tiles] == list(TILE_KPIS)  # revenue first
    for tone, key, big, word in tiles:
        r = rows.loc[key]
        assert big.endswith(pct(abs(r.relative)).lstrip("+"))
        assert big.startswith("▲" if r.relative > 0 else "▼")
        assert tone == {"better": "better", "worse": "worse"}.get(r.verdict, "none")
        assert word.startswith(r.verdict)  # the word as well as the colour
    # one run count everywhere, and no p-value on the first screen
    assert f"{RUNS} seeded runs of each design ({2 * RUNS} in all)" in first
    assert f"from {RUNS} paired runs" in first
    assert f"replications</td><td>{RUNS}</td>" in html
    assert "p = " not in first and "p-value" not in first and "CI" not in first


def test_the_provenance_names_the_model_version_and_the_inputs_checksums(judged) -> None:
    import json

    from simulation import __version__

    html = (judged / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((judged / "manifest.json").read_text())
    assert manifest["code"]["version"] == __version__  # the source's number, not stale metadata
    assert f"model version</td><td>{__version__}" in html
    for info in manifest["scenarios"].values():
        assert info["identity"]["settings"][:16] in html


def test_a_report_of_a_changed_folder_is_called_out_of_date(judged, tmp_path, capsys) -> None:
    folder = tmp_path / "grown"
    shutil.copytree(judged, folder)
    assert out_of_date(folder, folder / "report.html") is None
    assert main(["compare", "pyramid", "inverted_pyramid", "--runs", str(RUNS + 2), "--days",
                 "40", "-w", "2", "--quiet", "--out", str(folder)]) == 0
    err = capsys.readouterr().err
    assert (f"report.html describes {2 * RUNS} finished runs and the folder has changed since "
            f"it was written (it holds {2 * RUNS + 4} now)") in err
    assert f"`service-chain report {folder}` writes it anew" in err
    assert main(["report", str(folder)]) == 0
    assert "it replaces one that was out of date" in capsys.readouterr().out
    assert out_of_date(folder, folder / "report.html") is None
    # a report of another experiment at that path (a compare without --out writes a fresh
    # folder each time) is replaced, not called out of date
    import json

    other = tmp_path / "other"
    shutil.copytree(judged, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["created"] = "2026-01-01T00:00:00+0000"
    (other / "manifest.json").write_text(json.dumps(manifest))
    assert out_of_date(other, folder / "report.html") is None
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert f"{RUNS + 2} seeded runs of each design" in html


def test_an_incomplete_experiment_says_so_in_its_headline(judged, tmp_path) -> None:
    import json

    folder = tmp_path / "short"
    shutil.copytree(judged, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["replications"] = RUNS + 4  # asked for more than it holds
    (folder / "manifest.json").write_text(json.dumps(manifest))
    first = _first_screen(write_report(folder).read_text(encoding="utf-8"))
    assert f"Incomplete: {2 * RUNS} of {2 * RUNS + 8} runs are finished" in first


def _open(browser, path: Path, width: int, height: int, **options):
    page = (browser.new_page(viewport={"width": width, "height": height}, **options)
            if hasattr(browser, "contexts") else browser.new_page())
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    return page, errors, requests


#: Per figure, pairs of title, buttons, legend and subplot titles whose boxes intersect.
OVERLAPS = re.search(r'OVERLAPS = """(.*?)"""',
                     (Path(__file__).parent / "test_report.py").read_text(), re.S).group(1)


def _keep(shot: Path, suffix: str) -> None:
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:  # CI keeps the pictures beside the wide one
        shutil.copy(shot, Path(keep).with_name(Path(keep).stem + suffix + ".png"))


@pytest.mark.slow  # a browser at two widths, or printing: CI runs it
def test_on_a_phone_nothing_scrolls_sideways_or_overlaps(judged, chromium, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    path = judged / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page, errors, _ = _open(browser, path, 390, 844, device_scale_factor=1)
        page.wait_for_function("window.paperReady === true", timeout=90_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate(OVERLAPS) == []
        assert page.evaluate(
            "Array.from(document.querySelectorAll('.modebar-container, .modebar'))"
            ".filter(e => e.getBoundingClientRect().width > 0).length") == 0
        forms = page.evaluate("FIGURES.map(f => f.form)")
        assert set(forms) == {"narrow"}
        shot = tmp_path / "phone.png"
        page.screenshot(path=str(shot), full_page=True)
        # the same page on a laptop: the wide forms, the modebar on hover
        page.set_viewport_size({"width": 1440, "height": 900})
        page.wait_for_function("FIGURES.every(f => f.form === 'wide')", timeout=30_000)
        assert page.evaluate(OVERLAPS) == []
        wide = tmp_path / "laptop.png"
        page.screenshot(path=str(wide))
        browser.close()
    assert errors == []
    _keep(shot, "-390")
    _keep(wide, "-1440")


@pytest.mark.slow  # a browser at two widths, or printing: CI runs it
def test_on_paper_each_figure_stays_on_one_page_and_no_button_prints(judged, chromium,
                                                                      tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    path = judged / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page, errors, _ = _open(browser, path, 794, 1123)  # A4 at 96 dpi
        page.wait_for_function("window.paperReady === true", timeout=90_000)
        page.emulate_media(media="print")
        figures = page.evaluate("""Array.from(document.querySelectorAll('.figure')).map(f => {
            const img = f.querySelector('img.paper');
            return {h: f.getBoundingClientRect().height, w: f.getBoundingClientRect().width,
                    avoid: getComputedStyle(f).breakInside,
                    img: img ? img.getBoundingClientRect().height : 0,
                    live: f.querySelector('.plot-container') ?
                      f.querySelector('.plot-container').getBoundingClientRect().height : 0};
        })""")
        assert figures and all(f["img"] > 50 and f["live"] == 0 for f in figures), figures
        assert all(f["h"] <= A4_HEIGHT and f["avoid"] == "avoid" for f in figures), figures
        assert all(f["w"] <= 794 for f in figures)
        assert page.evaluate(  # the closed tables print too
            "Array.from(document.querySelectorAll('details')).every(d => d.open)")
        printed = page.evaluate(
            "Array.from(document.querySelectorAll('button, summary, .updatemenu-container, "
            ".modebar-container')).filter(e => e.getBoundingClientRect().height > 0).length")
        assert printed == 0
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4")
        letter = page.pdf(format="Letter")
        browser.close()
    assert errors == []
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert len(figures) <= pages <= 3 * len(figures)
    assert letter[:4] == b"%PDF"
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:
        shutil.copy(pdf, Path(keep).with_name("report-a4.pdf"))


def test_without_javascript_the_words_and_a_note_per_figure_remain(judged, chromium) -> None:
    from playwright.sync_api import sync_playwright

    path = judged / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page, _, requests = _open(browser, path, 1280, 800, java_script_enabled=False)
        assert page.locator(".answer .verdict").is_visible()
        assert page.locator(".tile").count() == len(TILE_KPIS)
        notes = page.locator(".figure .nojs")
        assert notes.count() == page.locator(".figure").count() > 0
        assert all("needs JavaScript" in t for t in notes.all_inner_texts())
        browser.close()
    assert [u for u in requests if not u.startswith("file:")] == []


#: Notes when plotly.js has been read: the moment its global is assigned.
WHEN_PLOTLY = """
Object.defineProperty(window, 'Plotly', {configurable: true,
  set(v) { if (window.plotlyAt === undefined) window.plotlyAt = performance.now();
           window.__plotly = v; },
  get() { return window.__plotly; }});
"""


@pytest.mark.slow  # a browser at two widths, or printing: CI runs it
def test_the_words_paint_before_plotly_and_nothing_leaves_the_machine(judged,
                                                                      chromium) -> None:
    from playwright.sync_api import sync_playwright

    path = judged / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(WHEN_PLOTLY)
        page, errors, requests = _open(context, path, 1280, 800)
        page.wait_for_function("window.figuresRendered === FIGURES.length", timeout=90_000)
        painted = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0].startTime")
        ready = page.evaluate("window.plotlyAt")
        browser.close()
    assert painted < ready  # the headline did not wait for plotly.js to be read
    assert errors == [] and [u for u in requests if not u.startswith("file:")] == []


def test_the_report_is_light(judged) -> None:
    """5.0 MB before (4.8 MB of it plotly.js): now plotly.js with the report's traces only, and
    each figure's data once (its phone form is a layout)."""
    html = (judged / "report.html").read_text(encoding="utf-8")
    assert (judged / "report.html").stat().st_size < 2_000_000
    assert html.count("plotly.js v") == 1


def test_hostile_names_stay_inert_in_the_figures_script(tmp_path) -> None:
    from conftest import run_small_comparison

    from simulation.report.html import build_report

    run_small_comparison(tmp_path, hostile=True)
    html = build_report(tmp_path)
    script = html.rsplit("<script>", 1)[1]
    assert "</script" not in script.rsplit("</script>", 1)[0]
    assert HOSTILE not in html


@pytest.mark.parametrize("failed", ["all of the baseline", "all of the other", "one of each"])
def test_failed_runs_leave_an_honest_report(judged, failed) -> None:
    """A folder whose baseline runs all failed raised KeyError; one failed run, a shape error."""
    import dataclasses

    from simulation.experiments.results import ExperimentResult
    from simulation.report.html import comparison_report

    result = ExperimentResult.open(judged)
    runs = result.runs.copy()
    which = {"all of the baseline": runs.scenario == "pyramid",
             "all of the other": runs.scenario == "inverted_pyramid",
             "one of each": ((runs.scenario == "pyramid") & (runs.replication == 1))
             | ((runs.scenario == "inverted_pyramid") & (runs.replication == 3))}[failed]
    runs.loc[which, "status"] = "failed"
    first = _first_screen(comparison_report(dataclasses.replace(result, runs=runs)))
    if failed == "one of each":
        assert f"from {RUNS - 2} paired runs" in first  # the pairs that finished in both
        assert first.count('class="tile ') == len(TILE_KPIS)
    else:
        assert "one of them has no finished runs" in first
        assert 'class="tile ' not in first
