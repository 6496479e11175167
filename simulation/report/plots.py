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

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulation.core.kpis import kpi

#: Okabe & Ito (2008) colour-blind-safe palette, baseline first (yellow last: weak on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
             "#F0E442")
#: Sequential colour-blind-safe scale for continuous colouring (morale, load, satisfaction).
SEQUENTIAL = "Cividis"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
EXTERNAL = -1


def text(value: Any) -> str:
    """User text made safe for plotly labels and hover (shown literally, never as markup)."""
    return html.escape(str(value), quote=False)


def scenario_colors(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per scenario, in the given order (the baseline first)."""
    return {n: OKABE_ITO[i % len(OKABE_ITO)] for i, n in enumerate(names)}


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _style(fig: go.Figure, title: str, height: int = 420,
           buttons: list[dict[str, Any]] | None = None, legend: bool = True) -> go.Figure:
    """Title, a row of buttons, then the legend, stacked in pixels above the plot area."""
    top = 44
    menus = []
    if buttons:
        menus = [{"type": "buttons", "direction": "right", "buttons": buttons, "x": 0.0,
                  "xanchor": "left", "y": 1.0, "yanchor": "top", "pad": {"t": 0},
                  "showactive": True, "bgcolor": "#f4f6f8", "font": {"size": 12}}]
        top += 34
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "xref": "container", "y": 1.0,
               "yref": "container", "yanchor": "top", "pad": {"t": 12, "l": 8},
               "font": {"size": 16}},
        template="plotly_white", height=height, font={"family": FONT, "size": 12},
        margin={"l": 70, "r": 30, "t": top + (30 if legend else 0) + 28, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": 1 - top / height,
                "yref": "container", "x": 0.0, "xref": "container", "xanchor": "left",
                "itemsizing": "constant"},
        showlegend=legend, updatemenus=menus, hoverlabel={"namelength": -1},
    )
    return _place_menus(fig)


def _place_menus(fig: go.Figure) -> go.Figure:
    """Put the button row 44 px below the figure's top (update menus take paper coordinates)."""
    if fig.layout.updatemenus:
        m = fig.layout.margin
        plot_height = max(fig.layout.height - m.t - m.b, 1)
        fig.layout.updatemenus[0].y = 1 + (m.t - 44) / plot_height
    return fig


def _colors(names: Sequence[str], colors: Mapping[str, str] | None) -> Mapping[str, str]:
    return colors if colors is not None else scenario_colors(names)


def _names(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table.scenario)) if len(table) else []


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
    names = _names(bands)
    colors = _colors(names, colors)
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
                fill="toself", fillcolor=_rgba(colors[name], 0.18), line={"width": 0},
                hoverinfo="skip", showlegend=False, legendgroup=name), row=row, col=1)
            fig.add_trace(go.Scatter(
                x=x, y=part["mean"].to_numpy() * meta.scale, mode="lines", name=text(name),
                line={"color": colors[name], "width": 2}, legendgroup=name,
                showlegend=row == 1,
                hovertemplate=f"{text(name)}<br>day %{{x}}<br>{meta.label}: %{{y:.3g}}"
                              "<extra></extra>"), row=row, col=1)
        fig.update_yaxes(title_text=meta.unit or None, row=row, col=1)
    fig.update_xaxes(title_text="day", row=len(kpis), col=1)
    return _style(fig, "Over time: daily means with 95% confidence bands across runs",
                  height=200 + 210 * len(kpis))


def distributions(runs: pd.DataFrame, kpis: Sequence[str],
                  colors: Mapping[str, str] | None = None, columns: int = 4) -> go.Figure:
    """Each KPI's distribution across runs, a box per scenario with every run as a point."""
    ok = runs[runs.status == "ok"] if "status" in runs else runs
    names = _names(ok)
    colors = _colors(names, colors)
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
    return _style(fig, "Across runs: each point is one seeded run", height=140 + 300 * rows)


def forest(relative: pd.DataFrame, colors: Mapping[str, str] | None = None,
           baseline: str | None = None) -> go.Figure:
    """Relative differences against the baseline with 95% intervals (a forest plot).

    Args:
        relative: :func:`simulation.experiments.stats.relative_differences` (scenario, kpi,
            relative, low,
            high, p_value, paired, n).
        colors: Scenario colours (the baseline's included, so others keep theirs).
        baseline: The baseline's name, for the axis title.
    """
    names = _names(relative)
    colors = _colors([baseline or "", *names], colors)
    kpis = list(dict.fromkeys(relative.kpi))
    labels = []
    for key in kpis:
        meta = kpi(key)
        better = {True: "higher is better", False: "lower is better", None: ""}[
            meta.higher_is_better]
        labels.append(f"{meta.label}<br><sup>{better}</sup>" if better else meta.label)
    fig = go.Figure()
    for j, name in enumerate(names):
        part = relative[relative.scenario == name].set_index("kpi").reindex(kpis)
        offset = (j - (len(names) - 1) / 2) * 0.18
        y = np.arange(len(kpis))[::-1] + offset
        rel = part.relative.to_numpy(dtype=float) * 100
        low = part.low.to_numpy(dtype=float) * 100
        high = part.high.to_numpy(dtype=float) * 100
        clear = (low > 0) | (high < 0)
        verdict = []
        for key, c, r in zip(kpis, clear, rel, strict=True):
            hib = kpi(key).higher_is_better
            verdict.append("no clear difference" if not c or hib is None else
                           ("better" if (r > 0) == hib else "worse"))
        fig.add_trace(go.Scatter(
            x=rel, y=y, mode="markers", name=text(name), showlegend=True,
            marker={"color": colors[name], "size": 11,
                    "symbol": ["circle" if c else "circle-open" for c in clear],
                    "line": {"color": colors[name], "width": 2}},
            error_x={"type": "data", "symmetric": False, "array": high - rel,
                     "arrayminus": rel - low, "color": colors[name], "thickness": 2},
            customdata=np.stack([low, high, part.p_value.to_numpy(dtype=float),
                                 part.n.to_numpy(dtype=float)], axis=1),
            text=[f"{kpi(k).label}: {v}" for k, v in zip(kpis, verdict, strict=True)],
            hovertemplate=(f"{text(name)}<br>%{{text}}<br>%{{x:+.1f}}% (95% CI "
                           "%{customdata[0]:+.1f}% to %{customdata[1]:+.1f}%)<br>"
                           "p = %{customdata[2]:.2g}, %{customdata[3]:.0f} runs<extra></extra>")))
    fig.add_vline(x=0, line={"color": "#555", "width": 1, "dash": "dot"})
    fig.update_yaxes(tickvals=np.arange(len(kpis))[::-1], ticktext=labels, range=[
        -0.7, len(kpis) - 0.3])
    against = f" against {text(baseline)}" if baseline else " against the baseline"
    fig.update_xaxes(title_text=f"relative difference{against} (%, 95% CI; hollow: no clear "
                                "difference)", zeroline=False)
    fig = _style(fig, f"What changes{against}", height=160 + 58 * len(kpis))
    fig.update_layout(margin={"l": 220, "t": 100})
    return fig


# ------------------------------------------------------------------ the organization


def position_means(positions: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """A scenario's positions averaged over its runs (index ``position``)."""
    part = positions[positions.scenario == scenario]
    cols = [c for c in part.columns if c not in ("scenario", "replication", "position")]
    return part.groupby("position")[cols].mean()


def _layout(nodes: pd.DataFrame, inverted: bool) -> tuple[dict[int, tuple[float, float]], float]:
    """Positions drawn by level: frontline widest; point up, or point down when inverted."""
    xy: dict[int, tuple[float, float]] = {}
    widest = int(nodes.groupby("level").size().max()) if len(nodes) else 1
    for level, part in nodes.groupby("level"):
        part = part.sort_values(["department", "position"])
        n = len(part)
        spread = widest * (0.35 + 0.65 * n / widest)
        xs = np.linspace(-spread / 2, spread / 2, n) if n > 1 else np.zeros(1)
        y = -float(level) if inverted else float(level)
        for pos, x in zip(part.position, xs, strict=True):
            xy[int(pos)] = (float(x), y)
    return xy, float(widest)


def organization(structure: Mapping[str, Any], positions: pd.DataFrame,
                 scenario: str = "",
                 ranges: Mapping[str, tuple[float, float]] | None = None) -> go.Figure:
    """The organization drawn as what it is, with customers where they stand.

    A pyramid is drawn point up with customers below the frontline; an inverted pyramid point
    down with customers on top. Nodes are coloured by morale, utilisation or delay attributed
    (buttons switch); lines are internal-service dependencies, one colour per need.

    Args:
        structure: One scenario's ``ExperimentResult.structure`` entry (``inverted``, ``nodes``,
            ``edges``).
        positions: That scenario's :func:`position_means` (index ``position``).
        scenario: Its name, for the title.
        ranges: Colour range per colouring (``morale``, ``utilisation``, ``delay attributed``),
            shared by the scenarios of a report so their colours compare.
    """
    nodes = pd.DataFrame(structure["nodes"])
    edges = pd.DataFrame(structure["edges"])
    inverted = bool(structure.get("inverted", False))
    xy, widest = _layout(nodes, inverted)
    stats = positions.reindex(nodes.position)
    names = dict(zip(nodes.position, nodes.name, strict=True))
    fig = go.Figure()
    needs = sorted(set(edges.need)) if len(edges) else []
    for k, need in enumerate(needs):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for p, c in edges.loc[edges.need == need, ["provider", "customer"]].itertuples(
                index=False):
            (x0, y0), (x1, y1) = xy[int(p)], xy[int(c)]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", name=f"serves with {need}", hoverinfo="skip",
            line={"color": _rgba(OKABE_ITO[(k + 4) % 7], 0.35), "width": 1}))
    front = nodes[nodes.customer_facing]
    customer_y = (1.0 if inverted else -1.0)
    if len(front):
        served = stats.external_served.reindex(front.position).fillna(0).to_numpy()
        sizes = 6 + 14 * np.sqrt(served / served.max()) if served.max() > 0 else np.full(
            len(front), 8.0)
        fig.add_trace(go.Scatter(
            x=[xy[int(p)][0] for p in front.position], y=[customer_y] * len(front),
            mode="markers", name="external customers",
            marker={"symbol": "diamond", "color": "#D55E00", "size": sizes, "opacity": 0.8},
            text=[text(n) for n in front.name], customdata=served,
            hovertemplate="customers of %{text}<br>%{customdata:,.0f} requests served per run"
                          "<extra></extra>"))
    serves: dict[int, list[str]] = {}
    for p, c in edges[["provider", "customer"]].drop_duplicates().itertuples(index=False):
        serves.setdefault(int(p), []).append(names[int(c)])
    hover = []
    for row in nodes.itertuples(index=False):
        who = serves.get(int(row.position), [])
        listed = ", ".join(text(w) for w in who[:5]) + (f" and {len(who) - 5} more"
                                                       if len(who) > 5 else "")
        if row.customer_facing:
            listed = (listed + ", " if listed else "") + "external customers"
        s = stats.loc[row.position]
        hover.append(
            f"<b>{text(row.name)}</b><br>{text(row.role)}, level {row.level}, "
            f"{text(row.department)}<br>load: {s.utilisation * 100:.0f}% busy, "
            f"{s.internal_served + s.external_served:,.0f} services per run<br>"
            f"morale {s.morale:.2f}; delay attributed {s.blamed_delay:,.1f} days per run"
            f"<br>serves: {listed or 'nobody'}")
    colourings = [("morale", "morale (0-1)", stats.morale.to_numpy(), "Cividis"),
                  ("utilisation", "utilisation (%)", stats.utilisation.to_numpy() * 100,
                   "Cividis"),
                  ("delay attributed", "delay attributed (days per run)",
                   stats.blamed_delay.to_numpy(), "Cividis_r")]
    size = max(5.0, min(16.0, 600.0 / max(widest, 1.0)))
    fig.add_trace(go.Scatter(
        x=[xy[int(p)][0] for p in nodes.position], y=[xy[int(p)][1] for p in nodes.position],
        mode="markers", name="employees", text=hover, hoverinfo="text",
        marker={"size": size, "color": colourings[0][2], "colorscale": colourings[0][3],
                "showscale": True, "line": {"color": "#333", "width": 0.5},
                "colorbar": {"title": {"text": colourings[0][1]}, "thickness": 12}}))
    node_trace = len(fig.data) - 1
    ranges = ranges or {}

    buttons = [{"label": label, "method": "restyle",
                "args": [{"marker.color": [values], "marker.colorscale": scale,
                          "marker.cmin": ranges.get(label, (None, None))[0],
                          "marker.cmax": ranges.get(label, (None, None))[1],
                          "marker.colorbar.title.text": title}, [node_trace]]}
               for label, title, values, scale in colourings]
    low, high = ranges.get(colourings[0][0], (None, None))
    fig.data[node_trace].marker.update(cmin=low, cmax=high)
    levels = sorted(set(nodes.level))
    roles = nodes.groupby("level").role.agg(lambda r: r.mode().iat[0])
    ticks = [(-lv if inverted else lv) for lv in levels] + [customer_y]
    labels = [f"{text(roles[lv])} (level {lv})" for lv in levels] + ["customers"]
    fig.update_yaxes(tickvals=ticks, ticktext=labels, zeroline=False, showgrid=False)
    fig.update_xaxes(visible=False)
    shape = "inverted pyramid: point down, customers on top" if inverted else \
        "pyramid: point up, customers at the base"
    fig = _style(fig, f"{text(scenario)}: the organization ({shape})", height=600,
                 buttons=buttons)
    fig.update_layout(margin={"l": 150})
    return _place_menus(fig)


def colour_ranges(positions: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Shared colour ranges of :func:`organization` over all scenarios' position means."""
    means = positions.groupby(["scenario", "position"])[
        ["morale", "utilisation", "blamed_delay"]].mean()
    out = {}
    for label, col, scale in (("morale", "morale", 1.0), ("utilisation", "utilisation", 100.0),
                              ("delay attributed", "blamed_delay", 1.0)):
        v = means[col].to_numpy(dtype=float) * scale
        if np.isfinite(v).any():
            out[label] = (float(np.nanmin(v)), float(np.nanmax(v)))
    return out


def _grouped(positions: pd.DataFrame, structures: Mapping[str, Any]) -> pd.DataFrame:
    """Positions joined with their node attributes (``employee``: the name), per scenario, run."""
    frames = []
    for name, s in structures.items():
        if "nodes" not in s:
            continue
        nodes = pd.DataFrame(s["nodes"])
        part = positions[positions.scenario == name].merge(nodes, on="position")
        frames.append(part)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(table):
        table["employee"] = table["name"]
    return table


def attribution(positions: pd.DataFrame, structures: Mapping[str, Any],
                colors: Mapping[str, str] | None = None, top: int = 10) -> go.Figure:
    """Where the chain breaks: delay and quality lost attributed to levels, roles, people.

    External customers' delay is blamed along each request's critical path (queueing, work
    and handoffs) and quality lost on the inputs that lowered it. Bars are per-run means; the
    buttons switch between levels, roles and the ``top`` employees.
    """
    names = _names(positions)
    colors = _colors(names, colors)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.28, subplot_titles=[
        "delay to external customers (days per run)", "quality lost (units per run)"])
    table = _grouped(positions, structures)
    groupings = {"by level": "level", "by role": "role", f"top {top} employees": "employee"}
    visible_sets = []
    for g, col in enumerate(groupings.values()):
        idx = []
        for name in names:
            part = table[table.scenario == name]
            runs = part.replication.nunique() or 1
            sums = part.groupby(col)[["blamed_delay", "blamed_quality"]].sum() / runs
            if col == "employee":
                sums = sums.sort_values("blamed_delay", ascending=False).head(top)
            elif col == "level":
                sums.index = [f"level {lv}" for lv in sums.index]
            sums = sums.iloc[::-1] if col == "employee" else sums.sort_index(ascending=False)
            for c, metric in enumerate(("blamed_delay", "blamed_quality"), start=1):
                fig.add_trace(go.Bar(
                    x=sums[metric].to_numpy(), y=[text(i) for i in sums.index], orientation="h",
                    name=text(name), marker={"color": colors[name]}, legendgroup=name,
                    showlegend=c == 1 and g == 0, visible=g == 0,
                    hovertemplate=f"{text(name)}<br>%{{y}}: %{{x:,.2f}}<extra></extra>"),
                    row=1, col=c)
                idx.append(len(fig.data) - 1)
        visible_sets.append(idx)
    n = len(fig.data)
    buttons = [{"label": label, "method": "update",
                "args": [{"visible": [i in idx for i in range(n)]}]}
               for label, idx in zip(groupings, visible_sets, strict=True)]
    fig = _style(fig, "Where the chain breaks: delay and quality lost, attributed", height=540,
                 buttons=buttons)
    fig.update_layout(barmode="group")
    fig.update_yaxes(automargin=True)
    return fig


def internal_service_matrix(flows: pd.DataFrame, structures: Mapping[str, Any],
                            scenario: str, by: str = "role") -> pd.DataFrame:
    """Mean internal satisfaction per provider group (rows) and internal-customer group."""
    s = structures[scenario]
    nodes = pd.DataFrame(s["nodes"]).set_index("position")
    part = flows[(flows.scenario == scenario) & (flows.customer != EXTERNAL)].copy()
    part["from"] = nodes.loc[part.provider, by].to_numpy()
    part["to"] = nodes.loc[part.customer, by].to_numpy()
    part["weighted"] = part.satisfaction * part.services
    sums = part.groupby(["from", "to"])[["weighted", "services"]].sum()
    order = _level_order(nodes, by)
    matrix = (sums.weighted / sums.services).unstack("to")
    return matrix.reindex(index=[g for g in order if g in matrix.index],
                          columns=[g for g in order if g in matrix.columns])


def internal_service(flows: pd.DataFrame, structures: Mapping[str, Any],
                     by: str = "role") -> go.Figure:
    """The internal customer questionnaire: how each group's internal customers rate it.

    Rows are providers, columns their internal customers, cells the mean satisfaction (0-1)
    the customers gave, weighted by services. Buttons switch scenario.
    """
    names = _names(flows)
    matrices = {n: internal_service_matrix(flows, structures, n, by) for n in names
                if "nodes" in structures.get(n, {})}
    values = np.concatenate([m.to_numpy().ravel() for m in matrices.values()]) if matrices \
        else np.array([np.nan])
    zmin, zmax = (float(np.nanmin(values)), float(np.nanmax(values))) if np.isfinite(
        values).any() else (0.0, 1.0)
    fig = go.Figure()
    for i, (name, m) in enumerate(matrices.items()):
        z = m.to_numpy(dtype=float)
        fig.add_trace(go.Heatmap(
            z=z, x=[text(c) for c in m.columns], y=[text(r) for r in m.index], zmin=zmin,
            zmax=zmax, colorscale=SEQUENTIAL, visible=i == 0, name=text(name),
            text=np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.2f}")(z)),
            texttemplate="%{text}", colorbar={"title": {"text": "satisfaction (0-1)"}},
            hovertemplate=(f"{text(name)}<br>provider: %{{y}}<br>internal customer: %{{x}}"
                           "<br>mean satisfaction %{z:.3f}<extra></extra>")))
    buttons = [{"label": text(n), "method": "update",
                "args": [{"visible": [j == i for j in range(len(matrices))]}]}
               for i, n in enumerate(matrices)]
    fig = _style(fig, "Internal service: how internal customers rate providers", height=500,
                 buttons=buttons if len(buttons) > 1 else None, legend=False)
    fig.update_xaxes(title_text=f"rated by the internal customer ({by})", type="category")
    fig.update_yaxes(title_text=f"provider ({by})", type="category", automargin=True)
    return fig


def _level_order(nodes: pd.DataFrame, by: str) -> list[str]:
    """Groups ordered from the top of the organization down."""
    means = nodes.groupby(by)["level"].mean()
    return list(means.sort_values(ascending=False, kind="stable").index)


def service_flow(flows: pd.DataFrame, structures: Mapping[str, Any],
                 by: str = "role") -> go.Figure:
    """A Sankey of who serves whom: providers (left) to their customers (right).

    Customers are internal groups and the external customers; link widths are services per
    run. Buttons switch scenario.
    """
    names = [n for n in _names(flows) if "nodes" in structures.get(n, {})]
    fig = go.Figure()
    for i, name in enumerate(names):
        nodes = pd.DataFrame(structures[name]["nodes"]).set_index("position")
        part = flows[flows.scenario == name]
        runs = part.replication.nunique() or 1
        groups = _level_order(nodes, by)
        k = len(groups)
        labels = ([f"{text(g)} serves" for g in groups] + [text(g) for g in groups]
                  + ["external customers"])
        to = np.where(part.customer == EXTERNAL, -1, part.customer)
        table = pd.DataFrame({
            "a": nodes.loc[part.provider, by].to_numpy(),
            "b": [("external" if c < 0 else nodes.at[c, by]) for c in to],
            "services": part.services.to_numpy()})
        pairs = table.groupby(["a", "b"], sort=False).services.sum()
        src = [groups.index(a) for a, _ in pairs.index]
        dst = [2 * k if b == "external" else k + groups.index(b) for _, b in pairs.index]
        fig.add_trace(go.Sankey(
            visible=i == 0, name=text(name), valueformat=",.0f",
            valuesuffix=" services per run",
            node={"label": labels, "pad": 12, "thickness": 14,
                  "color": [OKABE_ITO[0]] * k + [OKABE_ITO[2]] * k + ["#D55E00"]},
            link={"source": src, "target": dst, "value": (pairs / runs).to_numpy(),
                  "color": "rgba(90,90,90,0.25)"}))
    buttons = [{"label": text(n), "method": "update",
                "args": [{"visible": [j == i for j in range(len(names))]}]}
               for i, n in enumerate(names)]
    fig = _style(fig, "Who serves whom: services per run, providers to customers", height=500,
                 buttons=buttons if len(buttons) > 1 else None, legend=False)
    fig.update_layout(margin={"l": 20, "r": 20})
    return _place_menus(fig)


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
                         "arrayminus": m - lo, "thickness": 1, "color": _rgba(OKABE_ITO[0],
                                                                                0.5)},
                customdata=part.point,
                hovertemplate=(f"point %{{customdata}}<br>{text(path)} = %{{x:.3g}}<br>"
                               f"{meta.label}: %{{y:.3g}}<extra></extra>")), row=r, col=c)
            fig.update_xaxes(title_text=text(path) if r == len(kpis) else None, row=r, col=c)
        fig.update_yaxes(title_text=meta.unit or None, row=r, col=1)
    return _style(fig, "Responses: mean over replications at each design point (95% CI)",
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
    fig = _style(fig, f"Sensitivity of {kpi(kpi_key).label}: Sobol' indices (95% bootstrap "
                      "intervals)", height=420)
    fig.update_layout(barmode="group")
    return fig
