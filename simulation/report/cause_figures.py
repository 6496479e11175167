"""Why customers wait: their delay split by kind of time and by step of the chain.

The split is the model's own (:mod:`simulation.core.causes`): every moment of a customer's delay
on its critical path is one kind of time at one step; a request still open at the end counts at
its age, so the bars of a design add up to its mean delay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from simulation.report.style import place_menus, scenario_names, styled, text

#: Each kind of time in words, and its colour (Okabe-Ito: colour-blind safe).
KINDS = {
    "work": ("work on the request", "#56B4E9"),
    "contention": ("queueing behind work there first", "#0072B2"),
    "prioritisation": ("queueing while later work went first", "#D55E00"),
    "unavailable": ("post vacant or its holder gone", "#CC79A7"),
    "hold": ("waiting on others outside the chain", "#E69F00"),
    "handoff": ("hand-offs between departments", "#009E73"),
    "open": ("still open at the end, at its age", "#999999"),
}
#: Each step of the chain in words, and its colour.
STEPS = {
    "service": ("the customer's own service", "#0072B2"),
    "inputs": ("waiting for inputs", "#009E73"),
    "review": ("reviews and checks", "#E69F00"),
    "rework": ("rework", "#D55E00"),
    "escalation": ("approvals and escalations", "#CC79A7"),
    "open": ("still open at the end, at its age", "#999999"),
}
#: The kinds blamed on people (a request still open has no critical path yet).
BLAMED = [k for k in KINDS if k != "open"]


def cause_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, the mean over runs of each ``cause_*`` and ``via_*`` column (days)."""
    cols = [f"cause_{k}" for k in KINDS] + [f"via_{s}" for s in STEPS]
    names = scenario_names(runs)
    return runs.groupby("scenario")[cols].mean().reindex(names)


def role_causes(runs: pd.DataFrame, positions: pd.DataFrame, structure: Mapping[str, Any],
                scenario: str, by: str = "role") -> pd.DataFrame:
    """One scenario's delay per request delivered, by ``role`` or ``department`` and kind.

    The blame of every run summed (every counted request, followed to delivery), over the
    requests its runs delivered (``delivered``); the wait at vacant posts is a row of its own
    (unavailable time).
    """
    nodes = pd.DataFrame(structure["nodes"])[["position", by]]
    part = positions[positions.scenario == scenario].merge(nodes, on="position")
    served = runs.loc[runs.scenario == scenario, "delivered"].sum()
    cols = {k: f"blamed_{k}" for k in BLAMED}
    table = part.groupby(by)[list(cols.values())].sum().rename(
        columns={v: k for k, v in cols.items()})
    vacant = float(part["vacancy_wait"].sum()) if "vacancy_wait" in part else 0.0
    if vacant > 0.0:
        table.loc["vacant posts"] = {**dict.fromkeys(BLAMED, 0.0), "unavailable": vacant}
    table = table / served if served else table * float("nan")
    return table.loc[table.sum(axis=1).sort_values().index]  # largest at the top


def causes(runs: pd.DataFrame, positions: pd.DataFrame | None = None,
           structures: Mapping[str, Any] | None = None) -> go.Figure:
    """Why customers wait: each design's delay per request by kind of time and by step.

    The bars of a design add up to its mean delay: requests still open at the end count at
    their age. The views by role are the delivered requests' blame.

    Buttons switch between the kinds of time, the steps of the chain, and, for each scenario
    whose positions were kept, its roles (the delay blamed on each, by kind).
    """
    means = cause_means(runs)
    views: list[tuple[str, list[go.Bar], str]] = []
    labels = [text(n) for n in means.index]
    for title, groups, prefix in (("kind of time", KINDS, "cause_"),
                                  ("step of the chain", STEPS, "via_")):
        bars = [go.Bar(y=labels, x=means[prefix + key].to_numpy(), orientation="h",
                       name=words, marker={"color": color},
                       hovertemplate="%{y}: %{x:.3f} days per request<extra>" + words
                       + "</extra>")
                for key, (words, color) in groups.items()]
        views.append((f"by {title}", bars, "days per customer request (mean of runs; a request "
                      "still open counts at its age)"))
    for name in means.index:
        s = (structures or {}).get(name, {})
        if positions is None or "nodes" not in s or not (positions.scenario == name).any():
            continue
        table = role_causes(runs, positions, s, name)
        rows = [text(r) for r in table.index]
        bars = [go.Bar(y=rows, x=table[key].to_numpy(), orientation="h", name=words,
                       marker={"color": color},
                       hovertemplate="%{y}: %{x:.3f} days per request<extra>" + words
                       + "</extra>")
                for key, (words, color) in KINDS.items() if key in BLAMED]
        views.append((f"{text(name)} by role", bars,
                      "days per customer request delivered, blamed on each role"))
    fig = go.Figure()
    spans = []
    for _, bars, _ in views:
        start = len(fig.data)
        for bar in bars:
            bar.visible = not spans
            fig.add_trace(bar)
        spans.append(range(start, len(fig.data)))
    n = len(fig.data)
    buttons = [{"label": label, "method": "update",
                "args": [{"visible": [i in span for i in range(n)]},
                         {"xaxis.title.text": axis}]}
               for (label, _, axis), span in zip(views, spans, strict=True)]
    fig = styled(fig, "Why customers wait: their delay by kind of time and step of the chain",
                 height=480, buttons=buttons)
    height = fig.layout.height
    fig.update_layout(barmode="stack", xaxis_title=views[0][2],  # legend: two rows, clear
                      legend={"traceorder": "normal", "y": fig.layout.legend.y - 8 / height},
                      margin={"t": fig.layout.margin.t + 30})  # of the buttons
    fig.update_yaxes(automargin=True)
    return place_menus(fig)
