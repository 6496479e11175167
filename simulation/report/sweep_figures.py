"""Figures of a sweep: which parameters matter, how each KPI responds, and two parameters at once.

Every function takes the tidy tables of a :class:`~simulation.experiments.sweep.SweepResult`
(:meth:`~simulation.experiments.sweep.SweepResult.importance`, ``summary``, ``means``) and the
parameters' readable labels (:func:`simulation.config.labels.parameter_label`), and returns a
``plotly.graph_objects.Figure``. Axis titles are the labels with their units, never config
paths (those are in the hover and the report's provenance). Text is escaped with
:func:`~simulation.report.style.text`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulation.config.labels import ParameterLabel, parameter_label
from simulation.core.kpis import kpi
from simulation.report.style import OKABE_ITO, SEQUENTIAL, rgba, styled, text

#: Colour of a parameter with no clear effect.
UNCLEAR = "#8a929c"

#: Words for the importance measures.
MEASURE = {"prcc": "PRCC", "sobol total": "total Sobol' index"}


def _label(labels: Mapping[str, ParameterLabel], path: str) -> ParameterLabel:
    return labels.get(path) or parameter_label(path)


def ranked(table: pd.DataFrame, kpi_key: str, paths: Sequence[str]) -> list[str]:
    """The parameters by importance for a KPI, most important first (unranked ones last).

    Args:
        table: An importance table (:meth:`SweepResult.importance`).
        kpi_key: The KPI.
        paths: Every varied parameter, in the sweep's order (the order of ties and NaNs).
    """
    part = table[table.kpi == kpi_key].set_index("parameter")
    order = {p: (part["rank"].get(p, math.nan), i) for i, p in enumerate(paths)}
    return sorted(paths, key=lambda p: (math.isnan(order[p][0]), order[p][0]
                                        if not math.isnan(order[p][0]) else 0, order[p][1]))


def _interval(lo: float, hi: float) -> str:
    return "no interval" if math.isnan(lo) or math.isnan(hi) else f"[{lo:.2f}, {hi:.2f}]"


def importance(table: pd.DataFrame, labels: Mapping[str, ParameterLabel],
               kpis: Sequence[str] | None = None, level: float = 0.95) -> go.Figure:
    """The parameters ranked by importance for each KPI, each with its interval.

    One row of panels per KPI, the most important parameter on top. A filled marker is a
    clear effect (the interval excludes 0 and, for PRCC, the Holm-adjusted p is small); an
    open grey one is not.

    Args:
        table: :meth:`SweepResult.importance` (``parameter, kpi, method, value, low, high,
            p_adjusted, clear, rank, note``).
        labels: Readable label of each parameter path.
        kpis: KPIs to show (all in ``table`` by default), one panel each.
        level: The intervals' confidence level, for the words.
    """
    kpis = list(kpis or dict.fromkeys(table.kpi))
    paths = list(dict.fromkeys(table.parameter))
    method = str(table.method.iloc[0]) if len(table) else "prcc"
    per = 70 + 34 * len(paths)
    height = 170 + per * len(kpis)
    fig = make_subplots(rows=len(kpis), cols=1, vertical_spacing=min(0.3, 80 / height),
                        subplot_titles=[text(kpi(k).label) for k in kpis])
    shown: set[bool] = set()
    for r, key in enumerate(kpis, start=1):
        part = table[table.kpi == key].set_index("parameter")
        order = ranked(table, key, paths)
        for clear in (True, False):
            rows = [p for p in order if p in part.index and bool(part.clear[p]) is clear]
            if not rows:
                continue
            v = part.value[rows].to_numpy(dtype=float)
            lo = part.low[rows].to_numpy(dtype=float)
            hi = part.high[rows].to_numpy(dtype=float)
            hover = [
                f"{text(_label(labels, p).title)}<br><i>{text(p)}</i><br>"
                f"{MEASURE.get(method, method)}: {val:.2f} {_interval(a, b)}"
                + ("" if math.isnan(part.p_adjusted[p]) else
                   f"<br>Holm-adjusted p = {part.p_adjusted[p]:.3g}")
                + (f"<br>{text(part.note[p])}" if part.note[p] else "")
                for p, val, a, b in zip(rows, v, lo, hi, strict=True)]
            color = OKABE_ITO[0] if clear else UNCLEAR
            fig.add_trace(go.Scatter(
                x=np.nan_to_num(v), y=[text(_label(labels, p).name) for p in rows],
                mode="markers", name="clear effect" if clear else "no clear effect",
                legendgroup=str(clear), showlegend=clear not in shown, text=hover,
                hovertemplate="%{text}<extra></extra>",
                marker={"color": color, "size": 11,
                        "symbol": "circle" if clear else "circle-open",
                        "line": {"color": color, "width": 2}},
                error_x={"type": "data", "symmetric": False,
                         "array": np.nan_to_num(hi - v), "arrayminus": np.nan_to_num(v - lo),
                         "color": rgba(color, 0.7), "thickness": 2}), row=r, col=1)
            shown.add(clear)
        names = [text(_label(labels, p).name) for p in order]
        fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], row=r, col=1)
        fig.add_vline(x=0, line={"color": "#555", "width": 1}, row=r, col=1)
    if method == "prcc":
        fig.update_xaxes(range=[-1.05, 1.05])
        words = "partial rank correlation with the KPI"
    else:
        lows, highs = table.low.dropna(), table.high.dropna()
        fig.update_xaxes(range=[min(-0.05, float(lows.min()) if len(lows) else 0.0),
                                max(1.0, float(highs.max()) if len(highs) else 1.0) + 0.05])
        words = "total-order Sobol' index (share of the KPI's variance)"
    fig.update_xaxes(title_text=f"{words} ({level:.0%} interval)", row=len(kpis), col=1)
    return styled(fig, f"Which parameters matter: {MEASURE.get(method, method)} per KPI, most "
                       "influential on top", height=height)


def responses(summary: pd.DataFrame, table: pd.DataFrame,
              labels: Mapping[str, ParameterLabel], kpis: Sequence[str],
              most: int = 3) -> go.Figure:
    """Each KPI's mean (interval) at every design point against its most important parameters.

    One row per KPI; its columns are that KPI's most important parameters in order (at most
    ``most``). The intervals are :meth:`SweepResult.summary`'s, which stay inside the KPI's
    range (no delay below 0 days, no share outside 0-100%).

    Args:
        summary: :meth:`SweepResult.summary` (point, parameter columns, kpi, mean, ci_low,
            ci_high).
        table: :meth:`SweepResult.importance`, for the order of the parameters.
        labels: Readable label of each parameter path.
        kpis: The KPIs, one row each.
        most: Parameters shown per KPI.
    """
    paths = [p for p in labels if p in summary.columns]
    cols = max(1, min(most, len(paths)))
    height = 160 + 300 * len(kpis)
    fig = make_subplots(rows=len(kpis), cols=cols, shared_yaxes="rows",
                        horizontal_spacing=0.06, vertical_spacing=min(0.3, 110 / height))
    for r, key in enumerate(kpis, start=1):
        meta = kpi(key)
        part = summary[summary.kpi == key]
        imp = table[table.kpi == key].set_index("parameter")
        m = part["mean"].to_numpy(dtype=float) * meta.scale
        lo = part.ci_low.to_numpy(dtype=float) * meta.scale
        hi = part.ci_high.to_numpy(dtype=float) * meta.scale
        for c, path in enumerate(ranked(table, key, paths)[:cols], start=1):
            label = _label(labels, path)
            fig.add_trace(go.Scatter(
                x=part[path], y=m, mode="markers", showlegend=False,
                marker={"color": OKABE_ITO[0], "size": 7, "opacity": 0.85},
                error_y={"type": "data", "symmetric": False, "array": np.nan_to_num(hi - m),
                         "arrayminus": np.nan_to_num(m - lo), "thickness": 1,
                         "color": rgba(OKABE_ITO[0], 0.5)},
                customdata=np.column_stack([part.point, lo, hi]),
                hovertemplate=(f"point %{{customdata[0]}}<br>{text(label.name)} = %{{x:.3g}}"
                               f"<br>{text(meta.label)}: %{{y:.3g}} [%{{customdata[1]:.3g}}, "
                               f"%{{customdata[2]:.3g}}] {text(meta.unit)}<extra></extra>")),
                row=r, col=c)
            said = ""
            if path in imp.index and not math.isnan(imp.value[path]):
                said = f" · {MEASURE.get(imp.method[path], '')} {imp.value[path]:.2f}"
            fig.update_xaxes(title_text=text(label.title) + said, row=r, col=c)
        fig.update_yaxes(title_text=text(meta.label) + (f"<br>({text(meta.unit)})"
                                                        if meta.unit else ""), row=r, col=1)
        if meta.bounds == (0.0, math.inf):  # a delay: its size against 0 days
            fig.update_yaxes(rangemode="tozero", row=r, col=1)
    return styled(fig, "How each KPI responds to its most influential parameters: mean over "
                       "runs at each design point (95% interval)",
                  height=height, legend=False)


def two_parameters(means: pd.DataFrame, x: str, y: str, kpi_key: str,
                   labels: Mapping[str, ParameterLabel], grid: bool) -> go.Figure:
    """A KPI's mean over two parameters: a heatmap on a grid, coloured points otherwise.

    Args:
        means: :meth:`SweepResult.means` (point, parameter columns, one column per KPI).
        x: The parameter across (the KPI's most important).
        y: The parameter up (the KPI's second most important).
        kpi_key: The KPI.
        labels: Readable label of each parameter path.
        grid: Whether the points form a grid (a factorial design): a heatmap, averaged over
            any other parameters; otherwise (Latin hypercube, Sobol') each point coloured by
            the KPI.
    """
    meta = kpi(kpi_key)
    lx, ly = _label(labels, x), _label(labels, y)
    bar = {"title": {"text": text(meta.unit or meta.label)}, "thickness": 12}
    fig = go.Figure()
    if grid:
        cells = means.pivot_table(index=y, columns=x, values=kpi_key, aggfunc="mean")
        fig.add_trace(go.Heatmap(
            x=cells.columns.to_numpy(dtype=float), y=cells.index.to_numpy(dtype=float),
            z=cells.to_numpy(dtype=float) * meta.scale, colorscale=SEQUENTIAL, colorbar=bar,
            hovertemplate=(f"{text(lx.name)} = %{{x:.3g}}<br>{text(ly.name)} = %{{y:.3g}}<br>"
                           f"{text(meta.label)}: %{{z:.3g}} {text(meta.unit)}<extra></extra>")))
    else:
        values = means[kpi_key].to_numpy(dtype=float) * meta.scale
        fig.add_trace(go.Scatter(
            x=means[x], y=means[y], mode="markers", customdata=np.column_stack(
                [means.point, values]),
            marker={"color": values, "colorscale": SEQUENTIAL, "size": 13, "colorbar": bar,
                    "line": {"color": "white", "width": 1}, "showscale": True},
            hovertemplate=(f"point %{{customdata[0]}}<br>{text(lx.name)} = %{{x:.3g}}<br>"
                           f"{text(ly.name)} = %{{y:.3g}}<br>{text(meta.label)}: "
                           f"%{{customdata[1]:.3g}} {text(meta.unit)}<extra></extra>")))
    fig.update_xaxes(title_text=text(lx.title))
    fig.update_yaxes(title_text=text(ly.title))
    return styled(fig, f"{text(meta.label[:1].upper() + meta.label[1:])}: mean at each "
                       f"{'cell' if grid else 'design point'}", height=420, legend=False)
