"""The report's look: colours (Okabe-Ito), fonts, and the layout every figure shares."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

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


def rgba(hex_color: str, alpha: float) -> str:
    """A ``#rrggbb`` colour with opacity ``alpha``, as CSS ``rgba()``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def styled(fig: go.Figure, title: str, height: int = 420,
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
    return place_menus(fig)


def place_menus(fig: go.Figure) -> go.Figure:
    """Put the button row 44 px below the figure's top (update menus take paper coordinates)."""
    if fig.layout.updatemenus:
        m = fig.layout.margin
        plot_height = max(fig.layout.height - m.t - m.b, 1)
        fig.layout.updatemenus[0].y = 1 + (m.t - 44) / plot_height
    return fig


def colors_for(names: Sequence[str], colors: Mapping[str, str] | None) -> Mapping[str, str]:
    """The colours given, or each scenario's own."""
    return colors if colors is not None else scenario_colors(names)


def scenario_names(table: pd.DataFrame) -> list[str]:
    """The scenarios of a table, in order of first appearance."""
    return list(dict.fromkeys(table.scenario)) if len(table) else []


def _wrap(title: str, width: int = 40) -> tuple[str, int]:
    """A title broken into lines of about ``width`` characters (plotly does not wrap)."""
    lines: list[str] = []
    for part in title.split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(re.sub(r"<[^>]+>", "", line + " " + word)) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines), len(lines)


def _panels(fig: go.Figure) -> list[tuple[str, str]]:
    """The figure's (x axis, y axis) layout names, one pair per subplot."""
    out = []
    for name in fig.layout:
        if re.fullmatch(r"xaxis\d*", name) and fig.layout[name].anchor:
            out.append((name, "yaxis" + fig.layout[name].anchor[1:]))
    return out


def _restack(fig: go.Figure) -> None:
    """Subplots side by side put one under another, their titles moved with them."""
    panels = _panels(fig)
    columns = {round(fig.layout[x].domain[0], 3) for x, _ in panels}
    if len(columns) < 2:
        return
    layout = fig.layout
    old = {x: (tuple(layout[x].domain), tuple(layout[y].domain)) for x, y in panels}
    order = sorted(panels, key=lambda p: (-old[p[0]][1][1], old[p[0]][0][0]))
    n = len(order)
    gap = min(0.08, 0.45 / n)
    size = (1 - gap * (n - 1)) / n
    plot = max(layout.height - layout.margin.t - layout.margin.b, 100)
    each = max(plot * (old[order[0][0]][1][1] - old[order[0][0]][1][0]), 200)
    for k, (x, y) in enumerate(order):
        (x0, x1), (_, y1) = old[x]
        top = 1 - k * (size + gap)
        layout[x].domain = [0, 1]
        layout[y].domain = [max(top - size, 0.0), min(max(top, 0.0), 1.0)]
        for a in layout.annotations:  # make_subplots' titles stand centred on top of each
            if (a.xref == "paper" and a.yref == "paper" and a.x is not None and a.y is not None
                    and abs(a.x - (x0 + x1) / 2) < 1e-6 and abs(a.y - y1) < 1e-6):
                a.update(x=0.5, y=top)
    layout.height = int(layout.margin.t + layout.margin.b + n * each / (1 - gap * (n - 1)))


def narrow(fig: go.Figure) -> go.Figure:
    """The figure laid out for a phone: one column, wrapped title, legend below, small margins.

    The title's lines, the button row and the legend are stacked in pixels so that none covers
    another; the modebar is hidden by the page, not here.
    """
    fig = go.Figure(fig)
    _restack(fig)
    layout = fig.layout
    title, lines = _wrap(layout.title.text or "", 38)
    top = 10 + 19 * lines
    layout.title.update(text=title, font={"size": 14}, pad={"t": 10, "l": 4})
    if layout.updatemenus:  # a row of buttons runs off a phone: a drop-down list instead
        menu = layout.updatemenus[0]
        menu.update(type="dropdown", direction="down", x=0, xanchor="left",
                    font={"size": 12}, showactive=True)
        for button in menu.buttons:
            for args in button.args or ():
                if isinstance(args, dict):
                    for key, value in args.items():
                        if "title" in key and isinstance(value, str):
                            args[key] = _wrap(value, 36)[0]
        top += 36
    items = sum(1 for t in fig.data if getattr(t, "showlegend", False) is not False and t.name)
    legend_rows = math.ceil(items / 2) if layout.showlegend is not False and items else 0
    layout.margin.update(l=8, r=8, t=top + 30, b=56 + 22 * legend_rows)
    layout.legend.update(orientation="h", yref="container", y=0.0, yanchor="bottom",
                         xref="container", x=0.0, xanchor="left", font={"size": 11})
    layout.height = int(layout.height + 22 * legend_rows + 19 * (lines - 1))
    for name in [n for n in layout if re.fullmatch(r"[xy]axis\d*", n)]:
        axis = layout[name]
        axis.automargin = True
        if axis.title and axis.title.text:
            axis.title.text = _wrap(axis.title.text, 36)[0]
    keep = []
    for a in layout.annotations:
        if a.xref != "paper":  # labels on the drawing (a department's name): crowded on a
            continue           # phone, and the hover says the same
        a.font.size = min(a.font.size or 12, 11)
        if a.text:
            a.text = _wrap(a.text, 48)[0]
        keep.append(a)
    layout.annotations = keep
    if layout.updatemenus:
        layout.updatemenus[0].y = 1 + (layout.margin.t - (10 + 19 * lines)) / max(
            layout.height - layout.margin.t - layout.margin.b, 1)
    return fig
