"""Figures of the organization: its chart, where the chain breaks, internal service, flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulation.report.style import (
    EXTERNAL,
    OKABE_ITO,
    SEQUENTIAL,
    colors_for,
    place_menus,
    rgba,
    scenario_names,
    styled,
    text,
)


def position_means(positions: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """A scenario's positions averaged over its runs (index ``position``)."""
    part = positions[positions.scenario == scenario]
    cols = [c for c in part.columns if c not in ("scenario", "replication", "position")]
    return part.groupby("position")[cols].mean()


def layout(nodes: pd.DataFrame, inverted: bool) -> tuple[dict[int, tuple[float, float]], float]:
    """Positions drawn by level: frontline widest; point up, or point down when inverted.

    Within a level, departments side by side (in the order of their first position) and, in a
    department, people under their manager's place, so reporting lines stay short.
    """
    xy: dict[int, tuple[float, float]] = {}
    widest = int(nodes.groupby("level").size().max()) if len(nodes) else 1
    dept_order = {d: i for i, d in enumerate(dict.fromkeys(nodes.sort_values("position")
                                                           .department))}
    managers = dict(zip(nodes.position, nodes.get("manager", pd.Series(-1, index=nodes.index)),
                        strict=True))
    for level, part in sorted(nodes.groupby("level"), key=lambda lp: -lp[0]):
        part = part.assign(
            _dept=part.department.map(dept_order),
            _boss=[xy.get(int(managers.get(p, -1)), (0.0, 0.0))[0] for p in part.position])
        part = part.sort_values(["_dept", "_boss", "position"])
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
    # no dependency at all (a team where nobody helps): an empty table with its columns
    edges = pd.DataFrame(structure["edges"], columns=None if structure["edges"] else
                         ["provider", "customer", "need"])
    inverted = bool(structure.get("inverted", False))
    xy, widest = layout(nodes, inverted)
    stats = positions.reindex(nodes.position)
    names = dict(zip(nodes.position, nodes.name, strict=True))
    fig = go.Figure()
    if "manager" in nodes:  # reporting lines, under the dependencies
        xs, ys = [], []
        for p, boss in nodes[["position", "manager"]].itertuples(index=False):
            if int(boss) >= 0:
                (x0, y0), (x1, y1) = xy[int(p)], xy[int(boss)]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="reports to",
                                     hoverinfo="skip", line={"color": "#555", "width": 1.5}))
    _departments(fig, nodes, xy, inverted)
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
            line={"color": rgba(OKABE_ITO[(k + 4) % 7], 0.35), "width": 1}))
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
    labelled = len(nodes) <= 40  # each person by their own role, where it can be read
    fig.add_trace(go.Scatter(
        x=[xy[int(p)][0] for p in nodes.position], y=[xy[int(p)][1] for p in nodes.position],
        mode="markers+text" if labelled else "markers", name="employees",
        hovertext=hover, hoverinfo="text",
        text=[text(r) for r in nodes.role] if labelled else None,
        textposition="bottom center" if not inverted else "top center",
        textfont={"size": 9, "color": "#333"},
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
    ticks = [(-lv if inverted else lv) for lv in levels] + [customer_y]
    labels = ["frontline (level 0)" if lv == 0 else f"level {lv}" for lv in levels] + [
        "customers"]
    fig.update_yaxes(tickvals=ticks, ticktext=labels, zeroline=False, showgrid=False)
    fig.update_xaxes(visible=False)
    shape = "inverted pyramid: point down, customers on top" if inverted else \
        "pyramid: point up, customers at the base"
    fig = styled(fig, f"{text(scenario)}: the organization ({shape})", height=600,
                 buttons=buttons)
    fig.update_layout(margin={"l": 150})
    return place_menus(fig)


def _departments(fig: go.Figure, nodes: pd.DataFrame, xy: dict[int, tuple[float, float]],
                 inverted: bool) -> None:
    """Each department's people on a shaded band at each level, its name beside the highest."""
    if nodes.department.nunique() < 2:
        return
    for k, (dept, part) in enumerate(nodes.groupby("department", sort=False)):
        colour = rgba(OKABE_ITO[k % 7], 0.12)
        for _, row in part.groupby("level"):
            x = [xy[int(p)][0] for p in row.position]
            y = xy[int(row.position.iloc[0])][1]
            fig.add_shape(type="rect", x0=min(x) - 0.45, x1=max(x) + 0.45, y0=y - 0.32,
                          y1=y + 0.32, line={"width": 0}, layer="below", fillcolor=colour)
        head = part[part.level == part.level.max()]
        x = [xy[int(p)][0] for p in head.position]
        y = xy[int(head.position.iloc[0])][1]
        fig.add_annotation(x=(min(x) + max(x)) / 2, y=y + (-0.42 if inverted else 0.42),
                           text=f"<i>{text(dept)}</i>", showarrow=False,
                           font={"size": 10, "color": "#444"})


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
                colors: Mapping[str, str] | None = None, top: int = 10,
                runs: pd.DataFrame | None = None) -> go.Figure:
    """Where the chain breaks: delay and quality lost attributed to roles, departments, people.

    External customers' delay is blamed along each request's critical path (queueing, work
    and handoffs) and quality lost on the inputs that lowered it. With ``runs`` (their
    ``delivered`` column) the bars are per customer request delivered, as a customer meets
    them; without, per run. The buttons switch between roles, departments, levels and the
    ``top`` employees; the rows are in one order for every design (largest first, over the
    designs), and the legend stays in every view.
    """
    names = scenario_names(positions)
    colors = colors_for(names, colors)
    per_request = runs is not None and "delivered" in runs
    unit = "per request delivered" if per_request else "per run"
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.28, subplot_titles=[
        f"delay to external customers (days {unit})", f"quality lost ({unit})"])
    table = _grouped(positions, structures)
    groupings = {"by role": "role", "by department": "department", "by level": "level",
                 f"top {top} employees": "employee"}
    visible_sets = []
    for g, col in enumerate(groupings.values()):
        frames = {name: _blamed(table[table.scenario == name], col, runs, name)
                  for name in names}
        total = pd.concat(frames.values()).groupby(level=0).sum()
        if col == "level":  # the top of the organization first, vacant posts last
            order = sorted(total.index, key=lambda v: (isinstance(v, str), -v if isinstance(
                v, int | np.integer) else 0))
        else:
            order = list(total.sort_values("blamed_delay", ascending=False).index)
            order = order[:top] if col == "employee" else order
        order = order[::-1]  # plotly draws the first row at the bottom: largest at the top
        idx = []
        for name, sums in frames.items():
            sums = sums.reindex(order).fillna(0.0)
            labels = [f"level {i}" if col == "level" else text(i) for i in sums.index]
            for c, metric in enumerate(("blamed_delay", "blamed_quality"), start=1):
                fig.add_trace(go.Bar(
                    x=sums[metric].to_numpy(), y=labels, orientation="h",
                    name=text(name), marker={"color": colors[name]}, legendgroup=name,
                    showlegend=c == 1, visible=g == 0,
                    hovertemplate=f"{text(name)}<br>%{{y}}: %{{x:,.3g}}<extra></extra>"),
                    row=1, col=c)
                idx.append(len(fig.data) - 1)
        visible_sets.append(idx)
    n = len(fig.data)
    buttons = [{"label": label, "method": "update",
                "args": [{"visible": [i in idx for i in range(n)]}]}
               for label, idx in zip(groupings, visible_sets, strict=True)]
    fig = styled(fig, "Where the chain breaks: delay and quality lost, attributed", height=540,
                 buttons=buttons)
    fig.update_layout(barmode="group")
    fig.update_yaxes(automargin=True)
    return fig


def _blamed(part: pd.DataFrame, col: str, runs: pd.DataFrame | None, name: str
            ) -> pd.DataFrame:
    """One design's blame by ``col``: per request delivered (with ``runs``), else per run."""
    if runs is not None and "delivered" in runs:
        served = float(runs.loc[runs.scenario == name, "delivered"].sum())
        divisor = served if served > 0 else float("nan")
    else:
        divisor = part.replication.nunique() or 1
    sums = part.groupby(col)[["blamed_delay", "blamed_quality"]].sum() / divisor
    vacant = part["vacancy_wait"].sum() / divisor if "vacancy_wait" in part else 0.0
    if vacant > 0:  # the wait at vacant posts: a row of its own, never a successor's
        sums.loc["vacant posts"] = [vacant, 0.0]
    return sums


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
    names = scenario_names(flows)
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
            text=np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.2f}", otypes=[object])(z)),
            texttemplate="%{text}", colorbar={"title": {"text": "satisfaction (0-1)"}},
            hovertemplate=(f"{text(name)}<br>provider: %{{y}}<br>internal customer: %{{x}}"
                           "<br>mean satisfaction %{z:.3f}<extra></extra>")))
    buttons = [{"label": text(n), "method": "update",
                "args": [{"visible": [j == i for j in range(len(matrices))]}]}
               for i, n in enumerate(matrices)]
    fig = styled(fig, "Internal service: how internal customers rate providers", height=500,
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
    names = [n for n in scenario_names(flows) if "nodes" in structures.get(n, {})]
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
    fig = styled(fig, "Who serves whom: services per run, providers to customers", height=500,
                 buttons=buttons if len(buttons) > 1 else None, legend=False)
    fig.update_layout(margin={"l": 20, "r": 20})
    return place_menus(fig)
