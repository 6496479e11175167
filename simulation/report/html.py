"""The executive report: one self-contained HTML file from an experiment or sweep folder.

plotly.js is embedded once; the file needs no server and no internet and opens from an e-mail
attachment. Every figure comes from :mod:`simulation.report.plots`; every piece of text from a
user's
file is escaped. ``build_report`` returns the HTML, ``write_report`` writes it atomically.
"""

from __future__ import annotations

import html
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from simulation.core.kpis import kpi
from simulation.core.text import visible
from simulation.experiments.design_map import MapResult
from simulation.experiments.experiment import KPIS as RUN_KPIS
from simulation.experiments.experiment import ExperimentResult
from simulation.experiments.stats import differences, relative_differences, verdicts
from simulation.experiments.store import ResultStore
from simulation.experiments.sweep import SweepResult
from simulation.report import plots

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

CSS = """
:root { --ink:#1d2430; --muted:#5b6573; --line:#e3e6ea; --bg:#f7f8fa; }
* { box-sizing:border-box; }
body { margin:0; font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.45; }
main { max-width:1220px; margin:0 auto; padding:24px 28px 60px; }
h1 { font-size:26px; margin:0 0 4px; } h2 { font-size:19px; margin:34px 0 10px; }
.sub { color:var(--muted); margin:0 0 18px; }
.headline { background:#fff; border-left:6px solid #0072B2; padding:14px 18px; margin:14px 0;
            font-size:17px; border-radius:4px; box-shadow:0 1px 2px rgba(0,0,0,.06); }
.headline b { white-space:nowrap; }
.headline.warn { border-left-color:#D55E00; }
.note { color:var(--muted); font-size:13px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(270px,1fr)); gap:14px; }
.card { background:#fff; border-radius:6px; padding:12px 16px;
        box-shadow:0 1px 2px rgba(0,0,0,.08); border-top:5px solid var(--c); }
.card h3 { margin:0 0 2px; font-size:16px; overflow-wrap:anywhere; }
.card p.desc { margin:0 0 8px; color:var(--muted); font-size:12.5px; }
.card table { width:100%; border-collapse:collapse; font-size:13px; }
.card td { padding:3px 0; border-top:1px solid var(--line); vertical-align:top; }
.card td.v { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.card span.ci { color:var(--muted); font-size:11.5px; display:block; }
.figure { background:#fff; border-radius:6px; margin:12px 0; padding:6px;
          box-shadow:0 1px 2px rgba(0,0,0,.08); min-height:200px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(560px,1fr)); gap:12px; }
details { background:#fff; border-radius:6px; padding:10px 16px; margin:12px 0; }
summary { cursor:pointer; font-weight:600; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
pre { background:var(--bg); padding:10px; overflow-x:auto; white-space:pre-wrap; }
table.prov td { padding:2px 10px 2px 0; vertical-align:top; }
"""

HOW_TO_READ = """
<ul>
<li><b>Every number is a mean over seeded runs</b>, with its 95% confidence interval in
brackets: the range that would contain the true long-run mean in 95 of 100 such experiments.
One run proves nothing; the interval says how much the runs agree.</li>
<li><b>Scenarios are compared run by run.</b> Run <i>r</i> of every scenario sees the same
customers and the same random events (common random numbers), so a difference is the
organization's doing, not luck. The relative differences and their intervals are paired
bootstrap intervals of the ratio of means; a hollow marker means no clear difference.</li>
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


def _esc(value: object) -> str:
    return html.escape(visible(str(value)), quote=True)


def _fmt(value: float, key: str) -> str:
    meta = kpi(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    v = value * meta.scale
    if abs(v) >= 1000:
        out = f"{v:,.0f}"
    elif abs(v) >= 10:
        out = f"{v:.1f}"
    else:
        out = f"{v:.3g}"
    return out + ("%" if meta.unit == "%" else "")


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x * 100:+.0f}%" if abs(x) >= 0.1 else f"{x * 100:+.1f}%"


class _Page:
    """Collects sections and figures; figures become divs rendered by one script each."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.figures: list[go.Figure] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def figure(self, fig: go.Figure) -> str:
        self.figures.append(fig)
        height = int(fig.layout.height or 450)
        return (f'<div class="figure" id="figure-{len(self.figures)}" '
                f'style="height:{height + 12}px"></div>')

    def render(self, title: str) -> str:
        from plotly.offline import get_plotlyjs

        specs = ",\n".join(
            f'["figure-{i}", {fig.to_json()}]' for i, fig in enumerate(self.figures, start=1))
        script = (
            "const FIGURES = [" + specs + "];\n"
            "const CONFIG = {responsive: true, displaylogo: false, "
            "modeBarButtonsToRemove: ['sendDataToCloud']};\n"
            "window.figuresRendered = 0;\n"
            "for (const [id, fig] of FIGURES) {\n"
            "  const el = document.getElementById(id);\n"
            "  Plotly.newPlot(el, fig.data, fig.layout, CONFIG).then(() => {\n"
            "    el.dataset.rendered = '1'; window.figuresRendered += 1; });\n"
            "}\n")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n"
            f"<script>{get_plotlyjs()}</script>\n</head>\n<body>\n<main>\n"
            + "\n".join(self.parts)
            + f"\n</main>\n<script>\n{script}</script>\n</body>\n</html>\n")


#: KPIs whose relative change repeats another's: the quits of a run and its quit rate per month
#: (the same people over the same months), shown once, as the rate.
REPEATS = {"quits": "turnover_per_month"}


def forest_kpis(runs: pd.DataFrame) -> list[str]:
    """The KPIs of the forest plot and its family of tests: each change shown once."""
    return [k for k in RUN_KPIS if k in runs and not (k in REPEATS and REPEATS[k] in runs)]


def headline(result: ExperimentResult, relative: pd.DataFrame) -> list[str]:
    """One sentence per scenario against the baseline, with the numbers that back it (HTML)."""
    base = result.scenarios[0]
    ok = result.runs[result.runs.status == "ok"]
    shown = relative[relative.kpi.isin(HEADLINE_KPIS)]
    judged = verdicts(shown, {k: kpi(k).higher_is_better for k in HEADLINE_KPIS}) \
        .set_index(["scenario", "kpi"])
    out = []
    for name in result.scenarios[1:]:
        part = relative[relative.scenario == name].set_index("kpi")
        bits = []
        for key in HEADLINE_KPIS:
            if (name, key) not in judged.index:
                continue
            r = judged.loc[(name, key)]
            verdict = "" if r.verdict in ("better", "worse", "differs") else f" ({r.verdict})"
            bits.append(f"{_esc(kpi(key).label)} <b>{_pct(r.relative)}</b> (95% CI "
                        f"{_pct(r.low)} to {_pct(r.high)}){_esc(verdict)}")
        n = int((ok.scenario == name).sum())
        how = "paired runs" if bool(part.paired.all()) else "runs each (unpaired)"
        out.append(f"<b>{_esc(name)}</b> against {_esc(base)}: " + ", ".join(bits)
                   + f". <span class=\"note\">From {n} {how}; a difference is called clear "
                   f"when its p-value, Holm-adjusted across the {len(judged)} shown, is below "
                   "0.05 (paired t test; the Wilcoxon signed-rank test where runs are skewed or "
                   "bimodal).</span>")
    return out


def _pairing(result: ExperimentResult) -> str:
    """What common random numbers bought: paired correlation and variance removed (HTML)."""
    ok = result.runs[result.runs.status == "ok"]
    table = differences(ok, result.scenarios[0], [k for k in HEADLINE_KPIS if k in ok],
                        bootstrap=False)
    table = table[table.paired & table.correlation.notna()]
    if table.empty:
        return ""
    many = len(result.scenarios) > 2
    cells = [(f"{_esc(r.scenario)}, " if many else "") + f"{_esc(kpi(r.kpi).label)} "
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
    cells = [f"{_esc(r.scenario)} <b>{r.collapsed} of {r.runs}</b> runs (95% CI {r.low:.0%} "
             f"to {r.high:.0%})" for r in risk.itertuples()]
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
            median = (f"<span class=\"ci\">median {_fmt(s['median'], key)}</span>"
                      if s.get("bimodal", False) else "")
            rows.append(f"<tr><td>{_esc(kpi(key).title)}</td><td class=\"v\">"
                        f"{_fmt(s['mean'], key)}<span class=\"ci\">[{_fmt(s.ci_low, key)}, "
                        f"{_fmt(s.ci_high, key)}]</span>{median}</td></tr>")
        cards.append(f"<div class=\"card\" style=\"--c:{colors[name]}\"><h3>{_esc(name)}</h3>"
                     + (f"<p class=\"desc\">{_esc(desc)}</p>" if desc else "")
                     + f"<table>{''.join(rows)}</table></div>")
    return "<div class=\"cards\">" + "".join(cards) + "</div>"


def _provenance(manifest: dict, extra: Sequence[tuple[str, str]] = (),
                scenarios: dict[str, str] | None = None) -> str:
    from simulation import __version__

    rows = [("command", f"<code>{_esc(manifest.get('command') or '(from Python)')}</code>"),
            ("seed", _esc(manifest.get("seed"))), ("days per run", _esc(manifest.get("days"))),
            ("replications", _esc(manifest.get("replications"))), *extra,
            ("created", _esc(manifest.get("created", ""))),
            ("service-chain", _esc(__version__))]
    if scenarios is None:
        scenarios = {name: info.get("source", "")
                     for name, info in manifest.get("scenarios", {}).items()}
    for name, source in scenarios.items():
        rows.append((f"scenario {_esc(name)}",
                     f"<code>{_esc(source or '(built in Python)')}</code>"))
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table class=\"prov\">{body}</table>"


def _incomplete(folder: Path, runs: pd.DataFrame) -> str:
    """A warning banner for a folder with fewer finished runs than asked for (or "")."""
    said = ResultStore(folder).incomplete(runs)
    return f"<div class=\"headline warn\" role=\"alert\"><b>{_esc(said)}</b></div>" if said else ""


def _run_count(ok: pd.DataFrame, names: Sequence[str]) -> str:
    """The runs in the count the headline and the provenance use: per design, then in all."""
    counts = [int((ok.scenario == n).sum()) for n in names] if len(ok) else [0] * len(names)
    if len(set(counts)) == 1:
        each = f"{counts[0]} seeded run{'s' if counts[0] != 1 else ''} of each design"
    else:
        each = "seeded runs: " + ", ".join(f"{c} of {_esc(n)}" for n, c in
                                           zip(names, counts, strict=True))
    return f"{each} ({sum(counts)} in all)" if len(names) > 1 else each


def comparison_report(result: ExperimentResult, title: str | None = None) -> str:
    """The report of a comparison (HTML text)."""
    page = _Page()
    names = result.scenarios
    colors = plots.scenario_colors(names)
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    title = title or "Service chain: " + " vs ".join(names)
    m = result.manifest
    page.add(f"<h1>{_esc(title)}</h1><p class=\"sub\">{_run_count(ok, names)} of "
             f"{_esc(m.get('days'))} days each, root seed {_esc(m.get('seed'))}; baseline "
             f"<b>{_esc(names[0])}</b>.</p>")
    page.add(_incomplete(result.folder, result.runs))
    failed = len(result.runs) - len(ok)
    if failed:
        page.add(f"<p class=\"note\">{failed} run(s) failed and are left out; their errors "
                 "are in the runs table.</p>")
    if len(ok) == 0:
        page.add("<p>No finished runs yet.</p>")
        return page.render(title)
    keys = forest_kpis(ok)
    relative = relative_differences(ok, names[0], keys) if len(names) > 1 else pd.DataFrame()
    for sentence in headline(result, relative) if len(names) > 1 else []:
        page.add(f"<div class=\"headline\">{sentence}</div>")
    page.add(_collapse(result))
    page.add("<h2>Key figures per scenario</h2>" + _cards(result, colors)
             + "<p class=\"note\">Mean over runs, 95% confidence interval in brackets; the "
             "median beside them where the runs are skewed or bimodal.</p>")
    if len(names) > 1:
        page.add("<h2>What changes against the baseline</h2>"
                 + page.figure(plots.forest(relative, colors, names[0])) + _pairing(result))
    if len(result.daily):
        series = [s for s in SERIES if s in result.daily]
        page.add("<h2>Over time</h2>" + page.figure(plots.time_series(
            result.bands(series), series, colors)))
    page.add("<h2>Across runs</h2>" + page.figure(plots.distributions(
        ok, [k for k in SPREAD_KPIS if k in ok], colors)))
    built = [n for n in names if "nodes" in result.structure.get(n, {})]
    if built and len(result.positions):
        ranges = plots.colour_ranges(result.positions)
        page.add("<h2>The organizations</h2>" + "".join(
            page.figure(plots.organization(result.structure[n], plots.position_means(
                result.positions, n), n, ranges)) for n in built))
        page.add("<h2>Where the chain breaks</h2>" + page.figure(plots.attribution(
            result.positions, result.structure, colors, runs=ok)))
    if "cause_contention" in ok and len(ok):
        page.add("<h2>Why customers wait</h2>" + page.figure(plots.causes(
            ok, result.positions if built else None, result.structure)) + CAUSES_NOTE)
    if built and len(result.flows):
        page.add("<h2>Internal service</h2><div class=\"grid2\">"
                 + page.figure(plots.internal_service(result.flows, result.structure))
                 + page.figure(plots.service_flow(result.flows, result.structure))
                 + "</div>")
    if (result.folder / "map" / "map.json").exists():
        page.add("<h2>Where each design wins</h2>" + _map_section(
            page, MapResult.open(result.folder / "map")))
    page.add(f"<h2>How to read this</h2><details open><summary>Reading the figures</summary>"
             f"{HOW_TO_READ}</details>")
    page.add("<h2>How this was made</h2>" + _provenance(m) + "<p class=\"note\">Re-run with "
             "the same command and seed to get the same numbers.</p>")
    return page.render(title)


def sweep_report(result: SweepResult, kpis: Sequence[str] = ("mean_delay", "retention",
                                                            "mean_morale"),
                 title: str | None = None) -> str:
    """The report of a sweep (HTML text)."""
    page = _Page()
    manifest = ResultStore(result.folder).read_manifest()
    base = next(iter(manifest.get("scenarios", {})), "scenario").rsplit("@", 1)[0]
    title = title or f"Service chain sweep of {base}"
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    ranges = ", ".join(f"{_esc(p.path)} from {p.low:g} to {p.high:g}" for p in result.parameters)
    page.add(f"<h1>{_esc(title)}</h1><p class=\"sub\">{_esc(result.design)} design: "
             f"{len(result.points)} points, {len(ok)} runs, varying {ranges}.</p>")
    page.add(_incomplete(result.folder, result.runs))
    if len(ok):
        page.add("<h2>Responses</h2>" + page.figure(plots.response_curves(
            result.summary(kpis), result.paths, kpis)))
        if result.sobol is not None:
            for key in kpis:
                page.add(page.figure(plots.sobol_indices(result.indices(key), key)))
    page.add("<h2>How this was made</h2>" + _provenance(
        manifest, [("design", _esc(result.design)), ("parameters", ranges)],
        {base: result.source}))
    return page.render(title)


def _map_section(page: _Page, result: MapResult) -> str:
    """The map's sentence, its figure and how to read it (HTML)."""
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    if not len(ok):
        return "<p>No finished runs of the map yet.</p>"
    table = result.differences()
    labels = [lv.label for lv in result.levers]
    ranges = ", ".join(f"{_esc(lv.label)} from {lv.parameter.low:g} to {lv.parameter.high:g}"
                       for lv in result.levers)
    out = (f"<div class=\"headline\">{_esc(result.sentence())}</div>"
           f"<p class=\"note\">{len(result.points)} points ({_esc(result.design)} design over "
           f"{ranges}), {len(ok)} runs.</p>")
    if len(labels) >= 2:
        out += page.figure(plots.design_map(table, result.a, result.b, labels[0], labels[1]))
    return out + (
        "<p class=\"note\">At each point both designs ran on the same seeds; a design is "
        "called better where the paired difference is clear by the rule a comparison at that "
        "point would apply (Holm across the KPIs at the point, the Wilcoxon test where runs "
        "are skewed or bimodal). Each point is its own question: over many points a few "
        "verdicts are expected wrong at 5% each.</p>")


def map_report(result: MapResult, title: str | None = None) -> str:
    """The report of a map of where each design wins (HTML text)."""
    page = _Page()
    manifest = ResultStore(result.folder).read_manifest()
    title = title or f"Where each design wins: {result.a} and {result.b}"
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    ranges = ", ".join(f"{_esc(lv.label)} from {lv.parameter.low:g} to {lv.parameter.high:g}"
                       for lv in result.levers)
    page.add(f"<h1>{_esc(title)}</h1><p class=\"sub\">{_esc(result.design)} design: "
             f"{len(result.points)} points, {len(ok)} runs, varying {ranges}.</p>")
    page.add(_incomplete(result.folder, result.runs))
    if len(ok):
        page.add(_map_section(page, result))
    page.add("<h2>How this was made</h2>" + _provenance(
        manifest, [("design", _esc(result.design)), ("parameters", ranges)], {}))
    return page.render(title)


def build_report(folder: str | Path, title: str | None = None) -> str:
    """The report of the experiment, sweep or map in ``folder`` (HTML text)."""
    folder = Path(folder)
    if (folder / "map.json").exists():
        return map_report(MapResult.open(folder), title=title)
    if (folder / "sweep.json").exists():
        return sweep_report(SweepResult.open(folder), title=title)
    return comparison_report(ExperimentResult.open(folder), title=title)


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
