"""The executive report: one self-contained HTML file from an experiment or sweep folder.

Its first screen answers: which design, how much better, on what, how sure, and when the
answer would flip. plotly.js (only the trace types used) is embedded once; the file needs no
server and no internet and opens from an e-mail attachment, on a phone and on paper. Every
figure comes from :mod:`simulation.report.plots`; every piece of text from a user's file is
escaped. ``build_report`` returns the HTML, ``write_report`` writes it atomically.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.core.kpis import kpi
from simulation.experiments.design_map import MapResult, lever_title, lever_words
from simulation.experiments.experiment import KPIS as RUN_KPIS
from simulation.experiments.experiment import ExperimentResult
from simulation.experiments.stats import (
    MIN_RUNS,
    differences,
    relative_differences,
    verdicts,
)
from simulation.experiments.store import ResultStore
from simulation.experiments.sweep import SweepResult
from simulation.report import plots
from simulation.report.page import (
    Page,
    compact,
    esc,
    experiment_of,
    fingerprint,
    fmt,
    incomplete,
    made_from,
    pct,
    provenance,
    recorded,
    run_count,
)
from simulation.report.sweep_page import sweep_report

#: KPIs on the cards, in order.
CARD_KPIS = ("retention", "revenue", "mean_delay", "mean_quality", "customer_satisfaction",
             "mean_morale", "turnover_per_month")
#: KPIs of the headline sentence, in order.
HEADLINE_KPIS = ("retention", "mean_delay", "customer_satisfaction", "mean_morale",
                 "turnover_per_month")
#: Daily series with confidence bands.
SERIES = ("active_customers", "mean_delay", "customer_satisfaction", "mean_morale")
#: KPIs whose run distributions are shown.
SPREAD_KPIS = ("retention", "mean_delay", "customer_satisfaction", "mean_morale",
               "turnover_per_month", "revenue", "internal_service", "mean_quality")

HOW_TO_READ = """
<ul>
<li><b>Every number is a mean over seeded runs</b>, with its 95% confidence interval in
brackets: the range that would contain the true long-run mean in 95 of 100 such experiments.
One run proves nothing; the interval says how much the runs agree.</li>
<li><b>Scenarios are compared run by run.</b> Run <i>r</i> of every scenario sees the same
customers and the same random events (common random numbers), so a difference is the
organization's doing, not luck. The relative differences and their intervals are paired
bootstrap intervals of the ratio of means. In "What changes", each measure has its own scale;
blue means better, vermillion worse (the words beside each marker say so too), hollow grey no
clear difference.</li>
<li><b>How sure</b>: a difference is <i>clear</i> when its p-value, adjusted (Holm) for testing
every measure and design at once, is below 0.01, and <i>likely</i> when it is below 0.05;
otherwise there is no clear difference. The tests (paired t, or Wilcoxon's signed-rank test
where runs are skewed or bimodal) and every p-value are under "Every difference, with its
test". Fewer than 5 runs per design give no verdict.</li>
<li><b>Bands over time</b> are 95% confidence intervals of the daily mean across runs.</li>
<li><b>The organization</b> is drawn as designed: a pyramid point up with customers at its
base, an inverted pyramid point down with customers on top. Colour shows morale, load or the
delay attributed to each person (switch with the buttons); lines are who serves whom inside.
Hover over a person for their role, load and internal customers.</li>
<li><b>Where the chain breaks</b>: each external request's delay is blamed along its critical
path (waiting, work, handoffs) on the people it waited for; quality lost is blamed on the
inputs that lowered it.</li>
<li><b>Why customers wait</b>: the same critical paths, each moment named by what it was
(work, queueing behind earlier work, queueing while later work went first, a post vacant or its
holder gone, waiting on others outside, a hand-off) and by the step it was in (the customer's
own service, inputs, reviews, rework, approvals); a request still open at the end counts at its
age. The bars of a design add up to its mean delay.</li>
<li><b>Internal service</b>: how internal customers rated their providers (0 = very poor,
1 = excellent), like an internal customer questionnaire.</li>
</ul>
"""

CAUSES_NOTE = ("<p class=\"note\">Days per customer request, from each request's critical "
               "path, a request still open at the end at its age: they add up to the mean "
               "delay. "
               "\"Later work went first\" is the queue discipline at work (rank first puts "
               "managers' work ahead of customers'); \"post vacant or its holder gone\" is "
               "turnover.</p>")


#: KPIs whose relative change repeats another's: the quits of a run and its quit rate per month
#: (the same people over the same months), shown once, as the rate.
REPEATS = {"quits": "turnover_per_month"}


def forest_kpis(runs: pd.DataFrame) -> list[str]:
    """The KPIs of the forest plot and its family of tests: each change shown once."""
    return [k for k in RUN_KPIS if k in runs and not (k in REPEATS and REPEATS[k] in runs)]


#: The measures on the first screen's tiles, in order: the executive's number first.
TILE_KPIS = ("revenue", "retention", "mean_delay", "customer_satisfaction", "mean_morale",
             "turnover_per_month")
#: Adjusted p-value below which a verdict is called "clear" rather than "likely".
CLEAR = 0.01


def display_names(names: Sequence[str]) -> dict[str, str]:
    """Names for readers: ``inverted_pyramid`` as "Inverted pyramid"; others kept as written.

    A name that is not a lower-case identifier is the user's own wording and stays; so does
    every name when two would read the same.
    """
    out = {n: (n.replace("_", " ").strip().capitalize()
               if re.fullmatch(r"[a-z][a-z0-9_]*", n) else n) for n in names}
    return out if len(set(out.values())) == len(out) else {n: n for n in names}


def judge(relative: pd.DataFrame) -> pd.DataFrame:
    """The report's one verdict table: every design and measure, Holm across all of them.

    ``verdict`` as :func:`~simulation.experiments.stats.verdicts` gives it, and ``sure`` in
    words: "clear" (adjusted p below :data:`CLEAR`), "likely" (below 0.05), or the verdict.
    """
    if relative.empty:
        return relative.assign(verdict=[], sure=[], p_family=[])
    out = verdicts(relative, {k: kpi(k).higher_is_better for k in dict.fromkeys(relative.kpi)})
    clear = out.verdict.isin(("better", "worse", "differs"))
    out["sure"] = np.where(clear, np.where(out.p_family < CLEAR, "clear", "likely"),
                           out.verdict)
    out["verdict_words"] = [plots.verdict_in_words(r) for r in out.itertuples()]
    return out


def _change(key: str, rel: float) -> str:
    """A relative change in words: "customers wait 57% less", "revenue 9.7% higher"."""
    size = f"{abs(rel) * 100:.0f}%" if abs(rel) >= 0.1 else f"{abs(rel) * 100:.1f}%"
    if key == "mean_delay":
        return f"customers wait {size} {'longer' if rel > 0 else 'less'}"
    return f"{kpi(key).label} {size} {'higher' if rel > 0 else 'lower'}"


def _amount(value: float, key: str, days: object) -> str:
    """A mean for a tile, compact, with its unit and time base."""
    meta = kpi(key)
    v = value * meta.scale
    if meta.unit == "%":
        return f"{v:.3g}%"
    if key == "revenue":
        return f"{compact(v)} over {days} days"
    if meta.unit == "0-1":
        return f"{v:.2f} of 1"
    return f"{compact(v)} {meta.unit}"


def _from_to(means: pd.DataFrame, base: str, name: str, key: str, days: object) -> str:
    """The two means of a tile, and the change in points where the measure is a percentage."""
    a, b = float(means.loc[(base, key), "mean"]), float(means.loc[(name, key), "mean"])
    if math.isnan(a) or math.isnan(b):
        return "not measured in these runs"
    out = f"{_amount(a, key, days)} → {_amount(b, key, days)}"
    if kpi(key).unit == "%":  # the big number is relative: say the points too
        out += f" ({(b - a) * kpi(key).scale:+.1f} points)"
    return out


def verdict_words(design: str, base: str, rows: pd.DataFrame,
                  family: int | None = None) -> tuple[str, str, str]:
    """The answer for one design: its verdict sentence, how sure, and the page's tone.

    Args:
        design: The design's name for readers.
        base: The baseline's name for readers.
        rows: That design's rows of :func:`judge`.
        family: The tests adjusted together (every design's measures; ``len(rows)`` if None).
    """
    total = len(rows)
    if not total:
        return (f"No comparison of {esc(design)} with {esc(base)}: one of them has no finished "
                "runs.", "Their errors are in the runs table.", "mixed")
    counted = rows[~rows.verdict.astype(str).str.startswith("no verdict")]
    if counted.empty:
        n = int(rows.n.min()) if total else 0
        return (f"No verdict yet on {esc(design)} against {esc(base)}: {n} runs each, fewer "
                f"than {MIN_RUNS}.", "Run more replications (the same command with more "
                "runs resumes and adds them).", "mixed")
    better = int((counted.verdict == "better").sum())
    worse = int((counted.verdict == "worse").sum())
    named = {}
    for word, count in (("better", better), ("worse", worse)):
        named[word] = ""
        if 0 < count < total and count <= 5:  # name them: not every one has a tile
            named[word] = " (" + ", ".join(
                kpi(k).label for k in counted.kpi[counted.verdict == word]) + ")"
    if better and not worse:
        lead = f"better on {better} of {total} measures{named['better']} and worse on none"
        tone = "better"
    elif worse and not better:
        lead = f"worse on {worse} of {total} measures{named['worse']} and better on none"
        tone = "worse"
    elif better or worse:
        lead = (f"better on {better}{named['better']} and worse on {worse}{named['worse']} of "
                f"{total} measures")
        tone = "mixed"
    else:
        lead, tone = f"not clearly different on any of {total} measures", "mixed"
    bits = []
    for key in ("mean_delay", "revenue"):
        if key not in set(rows.kpi):
            continue
        r = rows.set_index("kpi").loc[key]
        if r.verdict in ("better", "worse"):
            bits.append(f"{_change(key, r.relative)} ({r.verdict_words}, {r.sure})")
        else:
            bits.append(f"{kpi(key).label}: {r.verdict} ({pct(r.relative)})")
    sentence = (f"{esc(design)} is {lead} against {esc(base)}"
                + (": " + "; ".join(esc(b) for b in bits) if bits else "") + ".")
    clear = int((counted.sure == "clear").sum())
    likely = int((counted.sure == "likely").sum())
    unclear = counted[counted.verdict == "no clear difference"]
    n = int(counted.n.min())
    paired = "paired runs on the same random numbers" if bool(counted.paired.all()) \
        else "runs each (not paired)"
    sure = [f"clear on {clear}" if clear else "", f"likely on {likely}" if likely else ""]
    said = " and ".join(x for x in sure if x)
    how = (f"How sure: {said} measure{'s' if clear + likely != 1 else ''}"
           if said else "How sure: no measure differs clearly")
    family = family or len(rows)
    how += (f", from {n} {paired}, allowing for testing {len(rows)} measures at once"
            if family == len(rows) else f", from {n} {paired}, allowing for {family} tests at "
            f"once ({len(rows)} measures of each of {family // len(rows)} designs)")
    if len(unclear):
        how += ("; no clear difference on " + ", ".join(kpi(k).label for k in unclear.kpi))
    return sentence, esc(how) + ".", tone


def first_screen(result: ExperimentResult, judged: pd.DataFrame, shown: dict[str, str],
                 flip: dict[str, str]) -> str:
    """The answer: a verdict per design, how sure, when it would flip, and the tiles (HTML)."""
    names = result.scenarios
    base = names[0]
    ok = result.runs[result.runs.status == "ok"]
    means = result.summary([k for k in TILE_KPIS if k in ok]).set_index(["scenario", "kpi"])
    days = result.manifest.get("days")
    out = []
    for name in names[1:]:
        rows = judged[judged.scenario == name]
        sentence, how, tone = verdict_words(shown[name], shown[base], rows, len(judged))
        out.append(f"<div class=\"answer {tone}\"><p class=\"verdict\">{sentence}</p>"
                   f"<p class=\"sure\">{how}</p>"
                   + (f"<p class=\"flip\">{flip[name]}</p>" if flip.get(name) else "")
                   + "</div>")
        tiles = []
        by_kpi = rows.set_index("kpi")
        for key in TILE_KPIS:
            if (key not in by_kpi.index or (name, key) not in means.index
                    or (base, key) not in means.index):
                continue
            r = by_kpi.loc[key]
            tone_of = {"better": "better", "worse": "worse"}.get(r.verdict, "none")
            arrow = "" if math.isnan(r.relative) else "▲ " if r.relative > 0 else "▼ "
            word = (f"{r.verdict_words}, {r.sure}" if tone_of != "none" else r.verdict)
            tiles.append(
                f"<div class=\"tile {tone_of}\" data-kpi=\"{key}\" data-scenario=\"{esc(name)}\">"
                f"<p class=\"name\">{esc(kpi(key).label.capitalize())}</p>"
                f"<p class=\"big\">{arrow}{pct(abs(r.relative)).lstrip('+')}</p>"
                f"<p class=\"word\">{esc(word)}</p>"
                f"<p class=\"from\">{esc(_from_to(means, base, name, key, days))}</p></div>")
        if tiles:
            out.append("<div class=\"tiles\">" + "".join(tiles) + "</div>")
    return "".join(out)


def flip_words(found: MapResult | None, shown: dict[str, str]) -> str:
    """When the answer would flip, from the map of where each design wins (HTML, or a hint)."""
    if found is None:
        return ("When it could flip: not explored here; <code>service-chain map</code> draws "
                "where each design wins as two settings change.")
    said = found.sentence()
    if not said:
        return "When it could flip: the map has no finished runs yet."
    ranges = " and ".join(lever_words(lv) for lv in found.levers)
    said = f"When it could flip (the map over {ranges}): {said}"
    words = {raw.replace("_", " "): name for raw, name in shown.items()}
    if words:  # the map says a design's name in words, lower case: one pass, longest first
        pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        said = re.sub(rf"\b(?:{pattern})\b", lambda m: words[m.group(0)], said)
    return esc(said)


def _pairing(result: ExperimentResult) -> str:
    """What common random numbers bought: paired correlation and variance removed (HTML)."""
    ok = result.runs[result.runs.status == "ok"]
    table = differences(ok, result.scenarios[0], [k for k in HEADLINE_KPIS if k in ok],
                        bootstrap=False)
    table = table[table.paired & table.correlation.notna()]
    if table.empty:
        return ""
    many = len(result.scenarios) > 2
    cells = [(f"{esc(r.scenario)}, " if many else "") + f"{esc(kpi(r.kpi).label)} "
             f"{r.correlation:+.2f} ({r.variance_reduction:.0%} less variance)"
             for r in table.itertuples()]
    return ("<p class=\"note\">Each scenario ran on the same random numbers as the baseline, "
            "replication by replication (common random numbers). Paired correlation across "
            "runs, and how much smaller the variance of each difference is than with "
            "independent runs: " + "; ".join(cells) + ".</p>")


def _collapse(result: ExperimentResult) -> str:
    """A sentence on collapse risk per scenario (empty when no run could be judged)."""
    risk = result.collapse_risk()
    if not risk.runs.any():
        return ""
    cells = [f"{esc(r.scenario)} <b>{r.collapsed} of {r.runs}</b> runs (likely "
             f"between {r.low:.0%} and {r.high:.0%}, a 95% interval)" for r in risk.itertuples()]
    return ("<p class=\"note\">Collapse risk, runs whose open customer requests were still "
            "growing over the last quarter: " + "; ".join(cells) + ". Averages above include "
            "those runs; the command's summary repeats the table without them.</p>")


def _cards(result: ExperimentResult, colors: dict[str, str]) -> str:
    summary = result.summary(CARD_KPIS).set_index(["scenario", "kpi"])
    cards = []
    for name in result.scenarios:
        desc = result.structure.get(name, {}).get("description", "")
        rows = []
        for key in CARD_KPIS:
            if (name, key) not in summary.index:
                continue
            s = summary.loc[(name, key)]
            median = (f"<span class=\"ci\">median {fmt(s['median'], key)}</span>"
                      if s.get("bimodal", False) else "")
            rows.append(f"<tr><td>{esc(kpi(key).title)}</td><td class=\"v\">"
                        f"{fmt(s['mean'], key)}<span class=\"ci\">[{fmt(s.ci_low, key)}, "
                        f"{fmt(s.ci_high, key)}]</span>{median}</td></tr>")
        cards.append(f"<div class=\"card\" style=\"--c:{colors[name]}\"><h3>{esc(name)}</h3>"
                     + (f"<p class=\"desc\">{esc(desc)}</p>" if desc else "")
                     + f"<table>{''.join(rows)}</table></div>")
    return "<div class=\"cards\">" + "".join(cards) + "</div>"


def for_readers(result: ExperimentResult, shown: dict[str, str]) -> ExperimentResult:
    """The result with every design under its name for readers (the figures' legends)."""
    def rename(table: pd.DataFrame) -> pd.DataFrame:
        if "scenario" not in table:
            return table
        return table.assign(scenario=table.scenario.map(lambda n: shown.get(n, n)))

    manifest = dict(result.manifest)
    manifest["scenarios"] = {shown.get(n, n): v for n, v in result.manifest["scenarios"].items()}
    return dataclasses.replace(
        result, manifest=manifest, runs=rename(result.runs), daily=rename(result.daily),
        positions=rename(result.positions), flows=rename(result.flows),
        structure={shown.get(n, n): v for n, v in result.structure.items()})


def _details(result: ExperimentResult, judged: pd.DataFrame, shown: dict[str, str]) -> str:
    """Every difference with its interval, test and adjusted p-value (HTML table)."""
    rows = []
    for r in judged.itertuples():
        rows.append(f"<tr><td>{esc(shown.get(r.scenario, r.scenario))}</td>"
                    f"<td>{esc(kpi(r.kpi).label)}</td><td>{pct(r.relative)}</td>"
                    f"<td>{pct(r.low)} to {pct(r.high)}</td>"
                    f"<td>{'Wilcoxon' if r.test == 'rank' else 't'}</td>"
                    f"<td>{r.p_value:.2g}</td><td>{r.p_family:.2g}</td>"
                    f"<td>{esc(r.verdict)}{', ' + esc(r.sure) if r.sure != r.verdict else ''}"
                    f"</td><td>{int(r.n)}</td></tr>")
    head = ("<tr><th>design</th><th>measure</th><th>change</th><th>95% interval</th>"
            "<th>test</th><th>p</th><th>p, Holm-adjusted</th><th>verdict</th><th>runs</th>"
            "</tr>")
    return ("<details><summary>Every difference, with its test</summary><div class=\"scroll\">"
            f"<table class=\"data\">{head}{''.join(rows)}</table></div>"
            "<p class=\"note\">Relative change of the mean against the baseline, with a paired "
            "bootstrap interval; the paired t test, or the Wilcoxon signed-rank test where runs "
            f"are skewed or bimodal; p-values adjusted by Holm across all {len(judged)} rows. "
            f"\"Clear\": adjusted p below {CLEAR}; \"likely\": below 0.05. The same numbers are "
            "in <code>differences.csv</code>.</p></details>")


def comparison_report(result: ExperimentResult, title: str | None = None) -> str:
    """The report of a comparison (HTML text)."""
    page = Page()
    raw_names = result.scenarios
    shown = display_names(raw_names)
    found = (MapResult.open(result.folder / "map")
             if (result.folder / "map" / "map.json").exists() else None)
    said = flip_words(found, shown) if len(raw_names) > 1 else ""
    mapped = {found.a, found.b} if found is not None else set(raw_names)
    flip = {shown[n]: said for n in raw_names[1:] if n in mapped and raw_names[0] in mapped}
    raw, result = result, for_readers(result, shown)
    names = result.scenarios
    colors = plots.scenario_colors(names)
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    title = title or "Service chain: " + (" against ".join(names[::-1]) if len(names) == 2
                                          else ", ".join(names[:-1]) + " and " + names[-1]
                                          if len(names) > 2 else names[0])
    m = raw.manifest
    page.add(f"<section class=\"first\"><h1>{esc(title)}</h1><p class=\"sub\">"
             f"{run_count(ok, names)} of {esc(m.get('days'))} days each; baseline "
             f"<b>{esc(names[0])}</b>.</p>")
    page.add(incomplete(raw.folder, raw.runs))
    made_from(page, raw.folder, raw.runs)
    failed = len(result.runs) - len(ok)
    if failed:
        page.add(f"<p class=\"note\">{failed} run(s) failed and are left out; their errors "
                 "are in the runs table.</p>")
    if len(ok) == 0:
        page.add("<p>No finished runs yet.</p></section>")
        return page.render(title)
    keys = forest_kpis(ok)
    ran = set(ok.scenario)  # a design whose runs all failed cannot be compared
    relative = (relative_differences(ok, names[0], keys)
                if len(names) > 1 and names[0] in ran and len(ran) > 1 else
                pd.DataFrame(columns=["scenario", "kpi", "relative", "low", "high", "p_value",
                                      "n", "paired"]))
    judged = judge(relative) if len(names) > 1 else pd.DataFrame()
    if len(names) > 1:
        page.add(first_screen(result, judged, {n: n for n in names}, flip))
    page.add(_collapse(result) + "</section>")
    page.add("<h2>Key figures per design</h2>" + _cards(result, colors)
             + "<p class=\"note\">Mean over runs, 95% confidence interval in brackets; the "
             "median beside them where the runs are skewed or bimodal.</p>")
    if len(relative):
        page.add("<h2>What changes against the baseline</h2>"
                 + page.figure(plots.forest(relative, colors, names[0]),
                               plots.forest(relative, colors, names[0], narrow=True),
                               data="differences.csv")
                 + _pairing(result) + _details(result, judged, {}))
    if len(result.daily):
        series = [s for s in SERIES if s in result.daily]
        page.add("<h2>Over time</h2>" + page.figure(plots.time_series(
            result.bands(series), series, colors), data="daily/ (Parquet)"))
    spread = [k for k in SPREAD_KPIS if k in ok]
    page.add("<h2>Across runs</h2>" + page.figure(
        plots.distributions(ok, spread, colors), data="runs/ (Parquet)"))
    built = [n for n in names if "nodes" in result.structure.get(n, {})]
    if built and len(result.positions):
        ranges = plots.colour_ranges(result.positions)
        page.add("<h2>The organizations</h2>" + "".join(
            page.figure(plots.organization(result.structure[n], plots.position_means(
                result.positions, n), n, ranges), data="positions/ (Parquet)")
            for n in built))
        page.add("<h2>Where the chain breaks</h2>" + page.figure(plots.attribution(
            result.positions, result.structure, colors, runs=ok), data="positions/ (Parquet)"))
    if "cause_contention" in ok and len(ok):
        page.add("<h2>Why customers wait</h2>" + page.figure(plots.causes(
            ok, result.positions if built else None, result.structure),
            data="the runs table's cause_ columns") + CAUSES_NOTE)
    if built and len(result.flows):
        page.add("<h2>Internal service</h2><div class=\"grid2\">"
                 + page.figure(plots.internal_service(result.flows, result.structure),
                               data="flows/ (Parquet)")
                 + page.figure(plots.service_flow(result.flows, result.structure),
                               data="flows/ (Parquet)")
                 + "</div>")
    if found is not None:
        page.add("<h2>Where each design wins</h2>" + _map_section(page, found))
    page.add(f"<h2>How to read this</h2><details open><summary>Reading the figures</summary>"
             f"{HOW_TO_READ}</details>")
    page.add("<h2>How this was made</h2>" + provenance(m, folder=raw.folder)
             + "<p class=\"note\">Re-run with the same command and seed to get the same "
             "numbers.</p>")
    return page.render(title)


def _map_section(page: Page, result: MapResult) -> str:
    """The map's sentence, its figure and how to read it (HTML)."""
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    if not len(ok):
        return "<p>No finished runs of the map yet.</p>"
    table = result.differences()
    labels = [lv.label for lv in result.levers]
    ranges = " and ".join(esc(lever_words(lv)) for lv in result.levers)
    out = (f"<div class=\"headline\">{esc(result.sentence())}</div>"
           f"<p class=\"note\">{len(result.points)} points ({esc(result.design)} design over "
           f"{ranges}), {len(ok)} runs.</p>")
    if len(labels) >= 2:
        words = tuple(lever_title(lv) for lv in result.levers[:2])
        out += page.figure(plots.design_map(table, result.a, result.b, labels[0], labels[1],
                                            titles=words))
    return out + (
        "<p class=\"note\">At each point both designs ran on the same seeds; a design is "
        "called better where the paired difference is clear by the rule a comparison at that "
        "point would apply (Holm across the KPIs at the point, the Wilcoxon test where runs "
        "are skewed or bimodal). Each point is its own question: over many points a few "
        "verdicts are expected wrong at 5% each.</p>")


def map_report(result: MapResult, title: str | None = None) -> str:
    """The report of a map of where each design wins (HTML text)."""
    page = Page()
    manifest = ResultStore(result.folder).read_manifest()
    title = title or f"Where each design wins: {result.a} and {result.b}"
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    ranges = ", ".join(f"{esc(lv.label)} from {lv.parameter.low:g} to {lv.parameter.high:g}"
                       for lv in result.levers)
    words = " and ".join(esc(lever_words(lv)) for lv in result.levers)
    page.add(f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(result.design)} design: "
             f"{len(result.points)} points, {len(ok)} runs, varying {words}.</p>")
    page.add(incomplete(result.folder, result.runs))
    made_from(page, result.folder, result.runs)
    if len(ok):
        page.add(_map_section(page, result))
    page.add("<h2>How this was made</h2>" + provenance(
        manifest, [("design", esc(result.design)), ("parameters", ranges)], {},
        folder=result.folder))
    return page.render(title)


def build_report(folder: str | Path, title: str | None = None) -> str:
    """The report of the experiment, sweep or map in ``folder`` (HTML text)."""
    folder = Path(folder)
    if (folder / "map.json").exists():
        return map_report(MapResult.open(folder), title=title)
    if (folder / "sweep.json").exists():
        return sweep_report(SweepResult.open(folder), title=title)
    return comparison_report(ExperimentResult.open(folder), title=title)


def out_of_date(folder: str | Path, path: str | Path) -> str | None:
    """Why the report at ``path`` no longer describes ``folder`` (None when it does or is absent).

    A report records the fingerprint of the folder it was made from (its manifest and commit
    log) and its count of finished runs; a folder extended or changed since then differs.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            old = recorded(f.read(8192))  # the meta tags stand at the top of the head
    except OSError:
        return None
    if not old.get("fingerprint") or old["fingerprint"] == fingerprint(Path(folder)):
        return None
    if old.get("experiment") != experiment_of(Path(folder)):
        return None  # a report of another experiment (a run without --out): replaced, not stale
    store = ResultStore(Path(folder))
    runs = store.read_runs()
    ok = int((runs.status == "ok").sum()) if "status" in runs else len(runs)
    return (f"{path} describes {old.get('runs', '?')} finished runs and the folder has changed "
            f"since it was written (it holds {ok} now)")


def write_report(folder: str | Path, path: str | Path | None = None,
                 title: str | None = None) -> Path:
    """Write the report of ``folder`` to ``path`` (``folder/report.html`` by default)."""
    target = Path(path) if path is not None else Path(folder) / "report.html"
    text = build_report(folder, title)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{time.time_ns()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:  # name the report, not the temporary file beside it
        tmp.unlink(missing_ok=True)
        raise OSError(err.errno, err.strerror, str(target)) from None
    return target
