"""The report of a sweep: which parameters matter, and how the responses move.

A headline in plain words names the parameter each KPI depends on most, with its partial rank
correlation (factorial and Latin hypercube designs) or total-order Sobol' index (Sobol'
designs) and interval; a figure ranks every parameter per KPI; each KPI is drawn against its
most influential parameters, and, with two or more parameters, over the two most influential
at once; a table gives every design point. Parameters are named in words
(:func:`simulation.config.labels.parameter_label`); their config paths stay in the hover, the
table's header tooltips and the provenance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from simulation.config.labels import ParameterLabel, parameter_label
from simulation.core.kpis import kpi
from simulation.experiments.store import ResultStore
from simulation.experiments.sweep import SweepResult
from simulation.report import plots, sweep_figures
from simulation.report.page import Page, esc, fmt, incomplete, made_from, provenance

#: How to read the ranking, under the headline.
HOW_TO_READ = {
    "prcc": (
        "<p class=\"note\">The ranking is each parameter's partial rank correlation coefficient "
        "(PRCC) with the KPI over the runs: from -1 (the KPI always lower where the parameter is "
        "higher) through 0 (no monotone effect) to +1, with the other varied parameters held "
        "fixed statistically. Intervals ({level:.0%}) are bootstrap intervals over design "
        "points; an effect is called clear when its interval excludes 0 and its p-value, "
        "Holm-adjusted across the parameters, is below {alpha:g}. PRCC measures monotone "
        "effects: a KPI that rises and then falls can show a small PRCC.</p>"),
    "sobol total": (
        "<p class=\"note\">The ranking is each parameter's total-order Sobol' index: the share "
        "of the KPI's variance over the design that would go if the parameter were fixed, "
        "its interactions with the others included. Intervals ({level:.0%}) are bootstrap "
        "intervals; an effect is called clear when its interval's low end is above 0.</p>"),
}


def _design_of(manifest: dict) -> str | None:
    """The base scenario's builder class name (``Pyramid``), for the parameters' words."""
    for info in manifest.get("scenarios", {}).values():
        design = info.get("scenario", {}).get("design", {})
        if isinstance(design, dict) and isinstance(design.get("type"), str):
            return design["type"]
    return None


def labels_of(result: SweepResult, manifest: dict | None = None) -> dict[str, ParameterLabel]:
    """Each varied parameter's readable label, as the sweep's organization describes it."""
    if manifest is None:
        manifest = ResultStore(result.folder).read_manifest()
    design = _design_of(manifest)
    return {p: parameter_label(p, design) for p in result.paths}


def _stat(row: pd.Series, level: float) -> str:
    name = sweep_figures.MEASURE.get(row.method, row.method)
    if math.isnan(row.low) or math.isnan(row.high):
        return f"{name} {row.value:.2f}, no interval"
    return f"{name} {row.value:.2f}, {level:.0%} interval {row.low:.2f} to {row.high:.2f}"


def _names(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def headline(table: pd.DataFrame, labels: Mapping[str, ParameterLabel],
             kpis: Sequence[str], level: float = 0.95) -> list[str]:
    """One sentence per KPI naming the parameter it depends on most (HTML, text escaped).

    Args:
        table: :meth:`SweepResult.importance`.
        labels: Readable label of each parameter path.
        kpis: The KPIs, one sentence each.
        level: The intervals' confidence level, for the words.
    """
    out = []
    for key in kpis:
        part = table[table.kpi == key]
        if part.empty:
            continue
        meta = kpi(key)
        name = meta.label[:1].upper() + meta.label[1:]
        order = sweep_figures.ranked(table, key, list(part.parameter))
        rows = part.set_index("parameter").loc[order]
        words = {p: f"<b>{esc(labels[p].name if p in labels else parameter_label(p).name)}</b>"
                 for p in order}
        top, first = order[0], rows.iloc[0]
        if math.isnan(first.value):
            out.append(f"{esc(name)}: no parameter can be ranked ({esc(first.note)}).")
            continue
        if not first.clear:
            if math.isnan(first.low):
                reason = first.note or "no interval"
                out.append(f"{esc(name)}: no verdict on which parameter matters "
                           f"({esc(reason)}); the largest estimate is {words[top]} "
                           f"({esc(_stat(first, level))}).")
            elif first.low > 0 or first.high < 0:  # the interval alone would call it
                out.append(f"No parameter has a clear effect on {esc(meta.label)}: the "
                           f"largest estimate, {words[top]} ({esc(_stat(first, level))}), is "
                           f"not significant once adjusted for testing {len(order)} "
                           f"parameters (Holm p = {first.p_adjusted:.2g}).")
            else:
                out.append(f"No parameter has a clear effect on {esc(meta.label)} (the "
                           f"largest estimate: {words[top]}, {esc(_stat(first, level))}).")
            continue
        trend = ""
        if first.method == "prcc":
            trend = (f"higher {esc(labels[top].name) if top in labels else words[top]}, "
                     f"{'higher' if first.value > 0 else 'lower'} "
                     f"{esc(meta.label)}; ")
        parts = [f"{esc(name)} depends most on {words[top]} ({trend}"
                 f"{esc(_stat(first, level))})"]
        unclear = []
        near = min(abs(first.low), abs(first.high))  # the top one's smallest plausible size
        for p in order[1:]:
            row = rows.loc[p]
            if row.clear:
                how = "matters about as much" if abs(row.value) >= near else "matters less"
                parts.append(f"{words[p]} {how} ({esc(_stat(row, level))})")
            else:
                unclear.append(words[p])
        if unclear:
            parts.append(f"{_names(unclear)} {'has' if len(unclear) == 1 else 'have'} no clear "
                         "effect")
        out.append("; ".join(parts) + ".")
    return out


def points_table(result: SweepResult, summary: pd.DataFrame,
                 labels: Mapping[str, ParameterLabel], kpis: Sequence[str]) -> str:
    """Every design point: its parameters, runs, and each KPI's mean and interval (HTML)."""
    short = "<th style=\"white-space:nowrap\">{}</th>"
    head = [short.format("point")] + [
        f"<th title=\"{esc(p)}\">{esc(labels[p].title)}</th>" for p in result.paths] + [
        short.format("runs")] + [f"<th>{esc(kpi(k).title)}<br><span class=\"note\">mean "
                                 "[95% interval]</span></th>" for k in kpis]
    wide = {k: summary[summary.kpi == k].set_index("point") for k in kpis}
    body = []
    for _, point in result.points.iterrows():
        i = int(point.point)
        cells = [f"<td>{i}</td>"] + [f"<td>{float(point[p]):.4g}</td>" for p in result.paths]
        first = wide[kpis[0]] if kpis else pd.DataFrame()
        runs = int(first.n[i]) if i in first.index else 0
        cells.append(f"<td>{runs}</td>")
        for k in kpis:
            row = wide[k].loc[i] if i in wide[k].index else None
            if row is None:
                cells.append("<td>n/a</td>")
                continue
            cells.append(f"<td>{fmt(row['mean'], k)} [{fmt(row.ci_low, k)},&nbsp;"
                         f"{fmt(row.ci_high, k)}]</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return ("<div class=\"scroll\"><table class=\"data points\"><thead><tr>"
            + "".join(head) + "</tr></thead><tbody>"
            + "".join(body) + "</tbody></table></div>")


def sweep_report(result: SweepResult, kpis: Sequence[str] = ("mean_delay", "retention",
                                                            "mean_morale"),
                 title: str | None = None, level: float = 0.95) -> str:
    """The report of a sweep (HTML text).

    Args:
        result: The sweep.
        kpis: The KPIs to rank the parameters for and to draw.
        title: The page's title (``Service chain sweep of <scenario>`` by default).
        level: Confidence level of the intervals.
    """
    kpis = list(kpis)
    page = Page()
    manifest = ResultStore(result.folder).read_manifest()
    labels = labels_of(result, manifest)
    base = next(iter(manifest.get("scenarios", {})), "scenario").rsplit("@", 1)[0]
    title = title or f"Service chain sweep of {base}"
    ok = result.runs[result.runs.status == "ok"] if len(result.runs) else result.runs
    ranges = ", ".join(f"{esc(labels[p.path].title)} from {p.low:g} to {p.high:g}"
                       for p in result.parameters)
    paths = ", ".join(f"<code>{esc(p.path)}</code> from {p.low:g} to {p.high:g}"
                      + (f" (levels {', '.join(f'{v:g}' for v in p.levels)})"
                         if p.levels else "") for p in result.parameters)
    page.add(f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(result.design)} design: "
             f"{len(result.points)} points, {len(ok)} runs, varying {ranges}.</p>")
    page.add(incomplete(result.folder, result.runs))
    made_from(page, result.folder, result.runs)
    if len(ok):
        table = result.importance(kpis, level=level)
        method = str(table.method.iloc[0]) if len(table) else "prcc"
        sentences = headline(table, labels, kpis, level)
        page.add("<div class=\"headline\">" + "<br>".join(sentences) + "</div>"
                 + HOW_TO_READ[method].format(level=level, alpha=1 - level))
        summary = result.summary(kpis, level)
        page.add("<h2>Which parameters matter</h2>"
                 + page.figure(sweep_figures.importance(table, labels, kpis, level)))
        page.add("<h2>Responses</h2>"
                 + page.figure(sweep_figures.responses(summary, table, labels, kpis)))
        if len(result.parameters) >= 2:
            page.add(_two_parameters(page, result, table, labels, kpis))
        if result.sobol is not None:
            page.add("<h2>Sobol' indices: first and total order</h2><p class=\"note\">The "
                     "first-order index is the share of a KPI's variance a parameter explains "
                     "alone; the gap to the total order is what it explains with the others."
                     "</p>" + "".join(_sobol(page, result, labels, kpis)))
        page.add("<h2>Every design point</h2><details><summary>The mean of each KPI at each "
                 f"of the {len(result.points)} design points, with its 95% interval (inside "
                 "the KPI's range)</summary>" + points_table(result, summary, labels, kpis)
                 + "</details>")
    page.add("<h2>How this was made</h2>" + provenance(
        manifest, [("design", esc(result.design)), ("parameters", paths)],
        {base: result.source}, folder=result.folder))
    return page.render(title)


def _two_parameters(page: Page, result: SweepResult, table: pd.DataFrame,
                    labels: Mapping[str, ParameterLabel], kpis: Sequence[str]) -> str:
    grid = result.design == "factorial"
    means = result.means(kpis)
    figures = []
    for key in kpis:
        x, y = sweep_figures.ranked(table, key, result.paths)[:2]
        figures.append(page.figure(sweep_figures.two_parameters(means, x, y, key, labels,
                                                                grid)))
    note = ("Each cell is the mean over the runs at that combination"
            + (", averaged over the other parameters" if len(result.parameters) > 2 else "")
            if grid else "Each point is a design point, coloured by the mean over its runs")
    return ("<h2>Two parameters together</h2><p class=\"note\">Each KPI over the two "
            f"parameters it depends on most. {note}.</p><div class=\"grid2\">"
            + "".join(figures) + "</div>")


def _sobol(page: Page, result: SweepResult, labels: Mapping[str, ParameterLabel],
           kpis: Sequence[str]) -> list[str]:
    out = []
    for key in kpis:
        try:
            indices = result.indices(key)
        except ValueError as err:  # an incomplete sweep: some points have no runs yet
            out.append(f"<p class=\"note\">{esc(kpi(key).label)}: {esc(err)}</p>")
            continue
        indices["parameter"] = [labels[p].name for p in indices.parameter]
        out.append(page.figure(plots.sobol_indices(indices, key)))
    return out
