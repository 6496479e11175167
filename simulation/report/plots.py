"""Figures of experiment results: functions from result tables to plotly figures.

Every function takes the tidy tables of an
:class:`~simulation.experiments.experiment.ExperimentResult` or a
:class:`~simulation.experiments.sweep.SweepResult` (never a live model) and returns a
``plotly.graph_objects.Figure``; the HTML report and the notebooks use the same functions.
Scenario colours come from :func:`scenario_colors` (Okabe-Ito, colour-blind safe) so a scenario
keeps its colour in every figure. Text from user files (scenario, role and employee names) is
HTML-escaped before plotly sees it, so it is shown as text and never interpreted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulation.core.kpis import kpi

if TYPE_CHECKING:
    from simulation.experiments.results import ExperimentResult
    from simulation.model.orgmodel import OrgModel
from simulation.experiments.stats import verdicts
from simulation.report.cause_figures import causes  # noqa: F401 - reachable from here
from simulation.report.org_figures import (  # noqa: F401 - every figure reachable from here
    attribution,
    colour_ranges,
    internal_service,
    internal_service_matrix,
    organization,
    position_means,
    service_flow,
)
from simulation.report.style import (
    OKABE_ITO,
    colors_for,
    rgba,
    scenario_colors,
    scenario_names,
    styled,
    text,
)

#: The KPIs the one-call figures show unless told: the customers' and the employees' side.
SHOWN_KPIS = ("mean_delay", "p95_delay", "retention", "customer_satisfaction", "revenue",
              "mean_morale", "turnover_per_month")

# ------------------------------------------------------------------ comparisons


def run_bands(daily: pd.DataFrame, scenario: str,
              kpis: Sequence[str] = ("active_customers", "mean_delay", "mean_morale")
              ) -> pd.DataFrame:
    """One run's daily table (``OrgModel.daily()``) as :func:`time_series` bands (no width)."""
    rows = [{"scenario": scenario, "day": day, "kpi": key, "mean": value, "low": value,
             "high": value} for key in kpis for day, value in daily[key].items()]
    return pd.DataFrame(rows, columns=["scenario", "day", "kpi", "mean", "low", "high"])


def time_series(bands: pd.DataFrame, kpis: Sequence[str] | None = None,
                colors: Mapping[str, str] | None = None) -> go.Figure:
    """Daily means with 95% confidence bands across replications, one panel per KPI.

    Args:
        bands: ``ExperimentResult.bands()`` (scenario, day, kpi, mean, low, high).
        kpis: KPIs to show, in order (all in ``bands`` by default).
        colors: Scenario colours.
    """
    kpis = list(kpis or dict.fromkeys(bands.kpi))
    names = scenario_names(bands)
    colors = colors_for(names, colors)
    fig = make_subplots(rows=len(kpis), cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=[kpi(k).title for k in kpis])
    for row, key in enumerate(kpis, start=1):
        meta = kpi(key)
        for name in names:
            part = bands[(bands.scenario == name) & (bands.kpi == key)].sort_values("day")
            x = part.day.to_numpy()
            low, high = part.low.to_numpy() * meta.scale, part.high.to_numpy() * meta.scale
            fig.add_trace(go.Scatter(
                x=np.concatenate([x, x[::-1]]), y=np.concatenate([high, low[::-1]]),
                fill="toself", fillcolor=rgba(colors[name], 0.18), line={"width": 0},
                hoverinfo="skip", showlegend=False, legendgroup=name), row=row, col=1)
            fig.add_trace(go.Scatter(
                x=x, y=part["mean"].to_numpy() * meta.scale, mode="lines", name=text(name),
                line={"color": colors[name], "width": 2}, legendgroup=name,
                showlegend=row == 1,
                hovertemplate=f"{text(name)}<br>day %{{x}}<br>{meta.label}: %{{y:.3g}}"
                              "<extra></extra>"), row=row, col=1)
        fig.update_yaxes(title_text=meta.unit or None, row=row, col=1)
    fig.update_xaxes(title_text="day", row=len(kpis), col=1)
    single = np.array_equal(bands["low"].to_numpy(float), bands["high"].to_numpy(float),
                            equal_nan=True)  # run_bands of single runs: no band to speak of
    return styled(fig, "Over time: one run each, day by day" if single else
                  "Over time: daily means with 95% confidence bands across runs",
                  height=200 + 210 * len(kpis))


def distributions(runs: pd.DataFrame, kpis: Sequence[str],
                  colors: Mapping[str, str] | None = None, columns: int = 4) -> go.Figure:
    """Each KPI's distribution across runs, a box per scenario with every run as a point."""
    ok = runs[runs.status == "ok"] if "status" in runs else runs
    names = scenario_names(ok)
    colors = colors_for(names, colors)
    kpis = list(kpis)
    columns = min(columns, len(kpis))
    rows = math.ceil(len(kpis) / columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[kpi(k).title for k in kpis],
                        horizontal_spacing=0.07, vertical_spacing=0.16)
    for i, key in enumerate(kpis):
        meta = kpi(key)
        r, c = divmod(i, columns)
        for name in names:
            values = ok.loc[ok.scenario == name, key].to_numpy(dtype=float) * meta.scale
            fig.add_trace(go.Box(
                y=values, name=text(name), marker={"color": colors[name], "size": 4},
                line={"color": colors[name]}, boxpoints="all", jitter=0.4, pointpos=0,
                legendgroup=name, showlegend=i == 0,
                hovertemplate=f"{text(name)}<br>{meta.label}: %{{y:.3g}}<extra></extra>"),
                row=r + 1, col=c + 1)
        fig.update_xaxes(showticklabels=False, row=r + 1, col=c + 1)
    return styled(fig, "Across runs: each point is one seeded run", height=140 + 300 * rows)


#: Colours of a verdict (Okabe-Ito blue and vermillion: safe for colour-blind readers; the
#: marker's fill and the words beside it say the same).
VERDICT_COLORS = {"better": "#0072B2", "worse": "#D55E00", "differs": "#CC79A7",
                  "none": "#6b7280"}
#: Marker symbols of the designs after the first (one design: a circle).
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "cross", "star", "hexagon")


def _in_words(key: str, rel: float) -> str:
    """A relative change in words: "59% longer", "6.3% lower"."""
    if math.isnan(rel):
        return "n/a"
    if abs(rel) < 0.0005:
        return "no change"
    size = f"{abs(rel) * 100:.0f}%" if abs(rel) >= 0.1 else f"{abs(rel) * 100:.1f}%"
    if key in ("mean_delay", "p95_delay", "mean_delay_completed", "p95_delay_completed"):
        return f"{size} {'longer' if rel > 0 else 'shorter'}"
    return f"{size} {'higher' if rel > 0 else 'lower'}"


def verdict_in_words(row: object) -> str:
    """A verdict as a reader should take it, "better" or "better in most runs".

    The second where the rank test decided and the runs' ranks lean the other way from the
    change of the mean (a few runs that collapsed can pull the mean against most of them).
    """
    verdict = str(getattr(row, "verdict", ""))
    if verdict not in ("better", "worse") or getattr(row, "test", "t") != "rank":
        return verdict
    lean = float(getattr(row, "rank_direction", math.nan))
    rel = float(getattr(row, "relative", math.nan))
    if math.isnan(lean) or math.isnan(rel) or lean == 0 or np.sign(lean) == np.sign(rel):
        return verdict
    return f"{verdict} in most runs"


def forest(relative: pd.DataFrame, colors: Mapping[str, str] | None = None,
           baseline: str | None = None, narrow: bool = False) -> go.Figure:
    """How each design differs from the baseline, one row per measure (a forest plot).

    Each measure is a row on its own scale (the relative change of its mean, in %, with its 95%
    interval), titled with the direction that is better. Markers are coloured by the verdict
    (Holm across every row shown): blue where the change is better, vermillion where it is
    worse, hollow grey where there is no clear difference; the words beside each marker say
    the same, so colour is never the only cue. Designs after the first differ by symbol.

    Args:
        relative: :func:`simulation.experiments.stats.relative_differences` (scenario, kpi,
            relative, low, high, p_value, paired, n).
        colors: Unused (kept for the call's shape); verdicts, not designs, colour the markers.
        baseline: The baseline's name, for the title.
        narrow: Laid out for a phone (smaller margins and words).
    """
    del colors
    names = scenario_names(relative)
    kpis = list(dict.fromkeys(relative.kpi))
    judged = verdicts(relative, {k: kpi(k).higher_is_better for k in kpis}) \
        .set_index(["scenario", "kpi"])
    titles = []
    for key in kpis:
        meta = kpi(key)
        better = {True: "higher is better", False: "lower is better", None: ""}[
            meta.higher_is_better]
        titles.append(f"<b>{meta.label.capitalize()}</b>" + (f" ({better})" if better else ""))
    each = (40 if narrow else 34) + 30 * len(names)  # a line of words and a marker per design
    gap = 52  # pixels between rows: the tick labels of one, the title of the next
    plot = each * len(kpis) + gap * (len(kpis) - 1)
    fig = make_subplots(rows=len(kpis), cols=1, subplot_titles=titles,
                        vertical_spacing=gap / plot if len(kpis) > 1 else 0.0)
    symbol = {n: SYMBOLS[i % len(SYMBOLS)] for i, n in enumerate(names)}
    for row, key in enumerate(kpis, start=1):
        for j, name in enumerate(names):
            if (name, key) not in judged.index:
                continue
            r = judged.loc[(name, key)]
            verdict = str(r.verdict)
            tone = verdict if verdict in VERDICT_COLORS else "none"
            color = VERDICT_COLORS[tone]
            rel, low, high = (float(r.relative) * 100, float(r.low) * 100,
                              float(r.high) * 100)
            y = -j
            words = f"{_in_words(key, float(r.relative))}: {verdict_in_words(r)}"
            fig.add_trace(go.Scatter(
                x=[rel], y=[y], mode="markers+text", showlegend=False, cliponaxis=False,
                name=text(name), text=[text(words)], textposition="top center",
                textfont={"color": color, "size": 11 if narrow else 12},
                marker={"color": color, "size": 11,
                        "symbol": symbol[name] if tone != "none" else symbol[name] + "-open",
                        "line": {"color": color, "width": 2}},
                error_x={"type": "data", "symmetric": False, "array": [high - rel],
                         "arrayminus": [rel - low], "color": color, "thickness": 2},
                hovertemplate=(f"{text(name)}: {text(kpi(key).label)} %{{x:+.1f}}% "
                               f"(95% interval {low:+.1f}% to {high:+.1f}%), {text(verdict)}, "
                               f"{int(r.n)} runs<extra></extra>")), row=row, col=1)
        lows = relative.loc[relative.kpi == key, ["low", "high", "relative"]] \
            .to_numpy(dtype=float) * 100
        span = [min(0.0, np.nanmin(lows)), max(0.0, np.nanmax(lows))] if np.isfinite(
            lows).any() else [-1.0, 1.0]
        pad = max((span[1] - span[0]) * 0.12, 0.5)
        fig.update_xaxes(range=[span[0] - pad, span[1] + pad], ticksuffix="%", zeroline=True,
                         zerolinecolor="#555", zerolinewidth=1, showgrid=True,
                         row=row, col=1)
        fig.update_yaxes(visible=False, range=[-len(names) + 0.3, 0.9], row=row, col=1)
    for tone, label, sym in (("better", "better", "circle"), ("worse", "worse", "circle"),
                             ("none", "no clear difference", "circle-open")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker={"color": VERDICT_COLORS[tone], "size": 11,
                                         "symbol": sym}, hoverinfo="skip"))
    if len(names) > 1:
        for name in names:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=text(name),
                                     marker={"color": "#444", "size": 10,
                                             "symbol": symbol[name]}, hoverinfo="skip"))
    against = f" against {text(baseline)}" if baseline else " against the baseline"
    fig = styled(fig, f"What changes{against}: the mean of each measure, in % (95% interval)"
                 if not narrow else f"What changes{against}", height=130 + plot)
    for a in fig.layout.annotations:
        a.update(x=0, xanchor="left", font={"size": 12 if narrow else 13})
    fig.update_layout(margin={"l": 14 if narrow else 24, "r": 14 if narrow else 30, "b": 30})
    return fig


def differences(result: ExperimentResult, kpis: Sequence[str] | None = None,
                baseline: str | None = None) -> go.Figure:
    """The forest plot of an experiment in one call: every KPI's relative change, with verdicts.

    Args:
        result: What :func:`~simulation.compare` returned (or ``ExperimentResult.open``).
        kpis: The KPIs to show (default: the report's).
        baseline: The scenario compared against (default: the first).
    """
    base = baseline or result.scenarios[0]
    table = result.relative(list(kpis) if kpis else SHOWN_KPIS, base)
    return forest(table, scenario_colors(result.scenarios), base)


def organization_of(model: OrgModel) -> go.Figure:
    """One model's organization, drawn as the report draws a design, in one call."""
    from simulation.experiments.experiment import structure_record

    return organization(structure_record(model), model.positions().set_index("position"),
                        model.config.name)


def runs(result: ExperimentResult, kpis: Sequence[str] | None = None) -> go.Figure:
    """Every run of an experiment, a box per scenario and KPI, in one call."""
    return distributions(result.runs, list(kpis) if kpis else SHOWN_KPIS,
                         scenario_colors(result.scenarios))


# ------------------------------------------------------------------ the organization


# ------------------------------------------------------------------ sweeps


def response_curves(summary: pd.DataFrame, parameters: Sequence[str],
                    kpis: Sequence[str] | None = None) -> go.Figure:
    """Each KPI's mean (95% CI) at every design point against each varied parameter.

    Args:
        summary: ``SweepResult.summary()`` (point, parameter columns, kpi, mean, ci_low,
            ci_high).
        parameters: The varied parameters' paths.
        kpis: KPIs to show (all in ``summary`` by default).
    """
    kpis = list(kpis or dict.fromkeys(summary.kpi))
    fig = make_subplots(rows=len(kpis), cols=len(parameters), shared_yaxes="rows",
                        horizontal_spacing=0.05, vertical_spacing=0.12,
                        column_titles=[text(p) for p in parameters],
                        row_titles=[kpi(k).label for k in kpis])
    for r, key in enumerate(kpis, start=1):
        meta = kpi(key)
        part = summary[summary.kpi == key]
        m = part["mean"].to_numpy(dtype=float) * meta.scale
        lo = part.ci_low.to_numpy(dtype=float) * meta.scale
        hi = part.ci_high.to_numpy(dtype=float) * meta.scale
        for c, path in enumerate(parameters, start=1):
            fig.add_trace(go.Scatter(
                x=part[path], y=m, mode="markers", showlegend=False,
                marker={"color": OKABE_ITO[0], "size": 7, "opacity": 0.8},
                error_y={"type": "data", "symmetric": False, "array": hi - m,
                         "arrayminus": m - lo, "thickness": 1, "color": rgba(OKABE_ITO[0],
                                                                                0.5)},
                customdata=part.point,
                hovertemplate=(f"point %{{customdata}}<br>{text(path)} = %{{x:.3g}}<br>"
                               f"{meta.label}: %{{y:.3g}}<extra></extra>")), row=r, col=c)
            fig.update_xaxes(title_text=text(path) if r == len(kpis) else None, row=r, col=c)
        fig.update_yaxes(title_text=meta.unit or None, row=r, col=1)
    return styled(fig, "Responses: mean over replications at each design point (95% CI)",
                  height=160 + 280 * len(kpis))


def sobol_indices(indices: pd.DataFrame, kpi_key: str = "mean_delay") -> go.Figure:
    """First- and total-order Sobol' indices with bootstrap intervals, one bar pair each."""
    fig = go.Figure()
    labels = [text(p) for p in indices.parameter]
    for order, col, color in (("first order", "first", OKABE_ITO[0]),
                              ("total order", "total", OKABE_ITO[1])):
        v = indices[f"{col}_order"].to_numpy(dtype=float)
        lo = indices[f"{col}_low"].to_numpy(dtype=float)
        hi = indices[f"{col}_high"].to_numpy(dtype=float)
        fig.add_trace(go.Bar(
            x=labels, y=v, name=order, marker={"color": color},
            error_y={"type": "data", "symmetric": False, "array": np.nan_to_num(hi - v),
                     "arrayminus": np.nan_to_num(v - lo)},
            hovertemplate=f"%{{x}}<br>{order}: %{{y:.3f}}<extra></extra>"))
    fig.update_yaxes(title_text="share of output variance", rangemode="tozero")
    fig.update_xaxes(title_text="parameter")
    fig = styled(fig, f"Sensitivity of {kpi(kpi_key).label}: Sobol' indices (95% bootstrap "
                      "intervals)", height=420)
    fig.update_layout(barmode="group")
    return fig


# ------------------------------------------------------------------ maps


def design_map(differences: pd.DataFrame, a: str, b: str, x: str, y: str,
               kpis: Sequence[str] = ("mean_delay", "retention"),
               titles: tuple[str, str] | None = None) -> go.Figure:
    """Where each design wins: one panel per KPI over two parameters, a marker per point.

    Filled in a design's colour where it clearly wins at that point (the compare verdict
    rule), open grey where neither does; the hover gives the difference and its interval.
    ``differences`` is :meth:`~simulation.experiments.design_map.MapResult.differences`;
    ``x`` and ``y`` are its columns, ``titles`` the axes' words (the columns by default).
    """
    colors = scenario_colors([a, b])
    fig = make_subplots(rows=1, cols=len(kpis), subplot_titles=[
        text(kpi(k).label) for k in kpis], horizontal_spacing=0.12)
    shown: set[str] = set()
    for col, key in enumerate(kpis, start=1):
        rows = differences[differences.kpi == key]
        for who, color, symbol in ((a, colors[a], "square"), (b, colors[b], "diamond"),
                                   ("neither", "#999999", "circle-open")):
            part = rows[rows.winner == who] if who != "neither" else rows[
                ~rows.winner.isin([a, b])]  # neither, or no verdict (the hover says which)
            if part.empty:
                continue
            meta = kpi(key)
            hover = [f"{text(b)} minus {text(a)}: {d * meta.scale:.3g} [{lo * meta.scale:.3g}, "
                     f"{hi * meta.scale:.3g}] {text(meta.unit)}<br>{text(w)}"
                     for d, lo, hi, w in zip(part["diff"], part.low, part.high, part.winner,
                                             strict=True)]
            label = f"{text(who)} better" if who != "neither" else "no clear winner (or no verdict)"
            fig.add_trace(go.Scatter(
                x=part[x], y=part[y], mode="markers", name=label, legendgroup=who,
                showlegend=who not in shown, text=hover,
                marker={"color": color, "symbol": symbol, "size": 18,
                        "line": {"color": color, "width": 2}},
                hovertemplate="%{text}<extra></extra>"), row=1, col=col)
            shown.add(who)
        fig.update_xaxes(title_text=text(titles[0] if titles else x), row=1, col=col)
        fig.update_yaxes(title_text=text(titles[1] if titles else y), row=1, col=col)
    return styled(fig, f"Where each design wins: {text(b)} against {text(a)}", height=460)
