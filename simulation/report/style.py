"""The report's look: colours (Okabe-Ito), fonts, and the layout every figure shares."""

from __future__ import annotations

import html
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
