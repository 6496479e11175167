"""The live page: Mesa's SolaraViz with Step, Play and Reset, the knobs as sliders, and four views.

``solara run app.py`` (or ``service-chain live``) serves it; every asset comes from the
installed packages, so it runs with no network.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from simulation.config.knobs import KNOBS
from simulation.live import figures
from simulation.live.model import (
    DESIGNS,
    OPENING,
    LiveModel,
    PageModel,
    crosses_departments,
    opening_values,
)

#: What the page says the colours and plots mean.
LEGEND = (
    "Dots are posts: colour, the holder's morale (red low, blue high); size, their load; hollow, "
    "vacant. Orange dashed lines hand work across departments, where communication acts. Where "
    "the chain breaks: each delivered request's delay, by the role whose time it was and the "
    "kind of time.")


def model_params() -> dict[str, Any]:
    """The page's controls: the design, the knobs at the opening design's values, the seed."""
    params: dict[str, Any] = {
        "design": {"type": "Select", "value": OPENING, "values": list(DESIGNS),
                   "label": "Design"},
    }
    for name, value in opening_values().items():
        knob = KNOBS[name]
        params[name] = {"type": "SliderFloat", "value": value, "min": knob.low,
                        "max": knob.high, "step": knob.step, "label": knob.short}
    params["rng"] = {"type": "InputText", "value": "42", "label": "Seed (a whole number)"}
    return params


def status_lines(model: LiveModel) -> list[str]:
    """The page's headline: the day, what was delivered, how long it took, and the settings."""
    s = figures.summary(model)
    delay = "none yet" if math.isnan(s["mean_delay"]) else f"{s['mean_delay']:.2f} days"
    lines = [f"Day {s['day']}: {model.config.name}",
             f"Customer requests delivered: {s['delivered']}, still open: {s['open']}; mean "
             f"delay so far: {delay} (every request that arrived, an open one at its age).",
             f"Customers buying: {s['active_customers']}, lost: {s['lost_customers']}; "
             f"employee morale {s['mean_morale']:.2f}, quits: {s['quits']}."]
    settings = "; ".join(f"{KNOBS[k].short.lower()} {v:g} {KNOBS[k].unit}"
                         f"{' (set)' if moved else ''}"
                         for k, (v, moved) in model.settings().items())
    lines.append(f"In force: {settings}. A slider left where it opened keeps the design's own "
                 "value; (set) marks those moved.")
    for k in model.not_applied:
        lines.append(f"{KNOBS[k].short} does not apply to {model.config.name} (it applies to "
                     f"{KNOBS[k].where()}): set aside.")
    if not crosses_departments(model):
        lines.append("No work is handed across a department boundary here: communication has "
                     "nothing to act on (try silos).")
    return lines


@solara.component
def Status(model: LiveModel) -> None:
    """The day, the headline numbers and the settings in force."""
    update_counter.get()
    head, *rest = status_lines(model)
    body = "".join(f"<p style='margin:0 0 4px'>{escape(line)}</p>" for line in rest)
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<h3 class='day'>{escape(head)}</h3>{body}"
        f"<p class='legend' style='font-size:85%;color:#555;margin-top:6px'>{escape(LEGEND)}</p>"))


@solara.component
def Network(model: LiveModel) -> None:
    """The organization as a network, people by morale, customers by satisfaction."""
    update_counter.get()
    solara.FigureMatplotlib(figures.network(model), format="png")


@solara.component
def Trends(model: LiveModel) -> None:
    """Delay, customers kept, morale and backlog, day by day."""
    update_counter.get()
    solara.FigureMatplotlib(figures.trends(model), format="png")


@solara.component
def ChainBreaks(model: LiveModel) -> None:
    """Where the chain breaks, by role and kind of time."""
    update_counter.get()
    solara.FigureMatplotlib(figures.chain_breaks(model), format="png")


def page(model: LiveModel | None = None) -> Any:
    """The SolaraViz page of ``model`` (a fresh :class:`PageModel` when omitted)."""
    return SolaraViz(
        PageModel(rng=42) if model is None else model,
        components=[(Status, 0), (Network, 0), (Trends, 0), (ChainBreaks, 0)],
        model_params=model_params(),
        name="The organization as a customer service chain",
    )
