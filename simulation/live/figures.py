"""The live page's drawings, with matplotlib: pure functions of a model, one figure each.

Colours: morale and satisfaction on one diverging scale (red low, blue high: colour-blind
safe), the kinds of waiting time as in the report (Okabe-Ito).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulation.model.orgmodel import OrgModel
from simulation.report.cause_figures import BLAMED, KINDS
from simulation.report.org_figures import layout

#: Morale and satisfaction, 0 to 1, red (low) to blue (high).
SCALE = colormaps["RdYlBu"]
NORM = Normalize(0.0, 1.0)
#: The day-by-day series plotted, with their titles and units.
TRENDS = (
    ("mean_delay", "Customer delay", "days, mean of the day's deliveries"),
    ("active_customers", "Customers kept", "customers still buying"),
    ("mean_morale", "Employee morale", "mean, 0 to 1"),
    ("open_requests", "Backlog", "requests open at day's end"),
)


def summary(model: OrgModel) -> dict[str, float]:
    """The numbers the page prints: day, requests delivered, mean delay so far, and the state.

    The mean delay is the model's own estimand (``model.kpis()``): every customer request that
    arrived, those still open counted at their age so far (a lower bound), not only those
    delivered.
    """
    m = model.metrics
    delivered = int(m.external_completed)
    delay = float(model.kpis()["mean_delay"]) if model.steps else math.nan
    return {"day": int(model.steps), "delivered": delivered, "mean_delay": delay,
            "active_customers": len(model.market.customers), "lost_customers": model.market.lost,
            "mean_morale": float(np.mean(model.workforce.morale())) if model.employees else
            math.nan, "quits": int(m.quits), "open": int(m.present)}


def network(model: OrgModel) -> Figure:
    """The organization: people by morale and load, their services, customers' satisfaction.

    Vacant posts are hollow; hand-offs across departments orange and dashed.
    """
    nodes, _ = model.structure()
    xy, widest = layout(nodes, bool(model.config.design.inverted))
    fig = Figure(figsize=(8.0, 4.2))
    fig.subplots_adjust(left=0.01, right=0.97, top=0.86, bottom=0.14, wspace=0.25)
    ax, side = fig.subplots(1, 2, width_ratios=[4, 1])
    handed: dict[tuple[int, int], bool] = {}
    for u, v, data in model.graph.edges(data=True):
        handed[u, v] = handed.get((u, v), False) or bool(data.get("handoff"))
    for crossing in (False, True):
        lines = [_arc(xy[v], xy[u]) for (u, v), c in handed.items() if c == crossing]
        ax.add_collection(LineCollection(
            lines, colors="#D55E00" if crossing else "#BBBBBB", linewidths=1.0 if crossing
            else 0.7, linestyles="--" if crossing else "-", zorder=1))
    if nodes.department.nunique() > 1:
        for name, part in nodes.groupby("department", sort=False):
            points = [xy[int(p)] for p in part.position]
            y = min(y for _, y in points)
            x = float(np.mean([x for x, yy in points if yy == y]))
            ax.text(x, y - 0.3, str(name), ha="center", va="top", fontsize=8, color="#333333")
    staff = {e.node: e for e in model.employees}
    held = [n for n in xy if n in staff]
    vacant = [n for n in xy if n not in staff]
    if held:
        ax.scatter([xy[n][0] for n in held], [xy[n][1] for n in held],
                   s=[40 + 260 * min(float(staff[n].load), 1.5) for n in held],
                   c=[staff[n].morale for n in held], cmap=SCALE, norm=NORM,
                   edgecolors="#333333", linewidths=0.5, zorder=3)
    if vacant:
        ax.scatter([xy[n][0] for n in vacant], [xy[n][1] for n in vacant], s=60,
                   facecolors="white", edgecolors="#555555", hatch="////", zorder=2)
    low = min(y for _, y in xy.values())
    ax.set_xlim(-widest / 2 - 1, widest / 2 + 1)
    ax.set_ylim(low - 0.9, max(y for _, y in xy.values()) + 0.4)
    ax.set_axis_off()
    ax.set_title("People by morale (red low, blue high); size: load; hollow: vacant\n"
                 "orange dashed: hand-offs across departments (communication acts)", fontsize=9)
    _customers(side, model)
    fig.colorbar(_mappable(), ax=side, orientation="horizontal", fraction=0.08, pad=0.25,
                 label="morale, satisfaction")
    return fig


def _arc(a: tuple[float, float], b: tuple[float, float], bend: float = 0.35,
         points: int = 16) -> np.ndarray:
    """A line from ``a`` to ``b``; bowed (a quadratic curve) when both sit on one level."""
    (x0, y0), (x1, y1) = a, b
    if y0 != y1:
        return np.array([a, b], dtype=float)
    mid = np.array([(x0 + x1) / 2, y0 + bend * abs(x1 - x0) / 2])
    t = np.linspace(0.0, 1.0, points)[:, None]
    return (1 - t) ** 2 * np.array(a) + 2 * (1 - t) * t * mid + t ** 2 * np.array(b)


def _mappable() -> Any:
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=NORM, cmap=SCALE)


def _customers(ax: Any, model: OrgModel) -> None:
    """External customers' satisfaction, one bar per tenth, coloured on the morale scale."""
    values = model.market.satisfaction()
    counts, edges = np.histogram(values, bins=10, range=(0.0, 1.0))
    mids = (edges[:-1] + edges[1:]) / 2
    ax.barh(mids, counts, height=0.09, color=[SCALE(NORM(v)) for v in mids])
    ax.set_ylim(0, 1)
    ax.set_ylabel("satisfaction")
    ax.set_xlabel("customers")
    ax.set_title(f"External customers\n{len(values)} buying, {model.market.lost} lost",
                 fontsize=9)


def trends(model: OrgModel) -> Figure:
    """Delay, customers kept, morale and backlog, day by day."""
    daily = model.daily()
    fig = Figure(figsize=(8.0, 4.2))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.93, bottom=0.11, hspace=0.3, wspace=0.25)
    axes = fig.subplots(2, 2, sharex=True)
    for ax, (key, title, unit) in zip(axes.flat, TRENDS, strict=True):
        if len(daily):
            ax.plot(np.arange(1, len(daily) + 1), daily[key].to_numpy(dtype=float),
                    color="#0072B2", lw=1.5)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if key == "mean_morale":
            ax.set_ylim(0.0, 1.0)
        elif key in ("active_customers", "open_requests"):  # counts: whole numbers
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("working day", fontsize=8)
    return fig


def chain_breaks(model: OrgModel, top: int = 8) -> Figure:
    """Where the chain breaks: days of delay per customer request delivered, by role.

    Each role's bar is split by kind of time (the report's colours); largest first.
    """
    fig = Figure(figsize=(8.0, 3.2))
    fig.subplots_adjust(left=0.24, right=0.98, top=0.9, bottom=0.16)
    ax = fig.subplots()
    delivered = int(model.metrics.external_completed)
    if not delivered:
        ax.text(0.5, 0.5, "No customer request delivered yet: press Step", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    table = model.attribution(by="role")
    per = table[[f"blamed_{k}" for k in BLAMED]] / delivered
    per = per.loc[per.sum(axis=1).sort_values(ascending=False).index[:top]].iloc[::-1]
    left = np.zeros(len(per))
    for kind in BLAMED:
        values = per[f"blamed_{kind}"].to_numpy(dtype=float)
        label, colour = KINDS[kind]
        ax.barh(per.index, values, left=left, color=colour, label=label)
        left += values
    ax.set_xlabel(f"days of delay per customer request delivered ({delivered} so far)")
    ax.set_title("Where the chain breaks: whose time customers wait on, by role", fontsize=9)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    ax.tick_params(labelsize=8)
    return fig
