"""Helpers that build an organization's graph: positions, dependencies, drawn skills."""

from __future__ import annotations

import networkx as nx
import numpy as np

from simulation.core.requests import Need
from simulation.core.text import visible

ROLE_BY_HEIGHT = ("frontline", "supervisor", "manager", "director", "vice president")


def draw_skill(rng: np.random.Generator, mean: float, concentration: float = 60.0) -> float:
    """A skill drawn from a Beta distribution with the given mean, kept in (0, 1]."""
    a, b = mean * concentration, (1.0 - mean) * concentration
    return float(min(1.0, max(1e-3, rng.beta(a, b))))


def add_position(
    g: nx.MultiDiGraph,
    node: int,
    *,
    role: str,
    level: int,
    department: str,
    skill: float,
    rate: float,
    customer_facing: bool,
    name: str | None = None,
    manager: object = None,
    demand: float | None = None,
    hold: float = 0.0,
    hold_cv: float = 1.0,
    shift_start: float = 0.0,
    shift_end: float = 1.0,
    workdays: str = "",
) -> None:
    """Add one position with every attribute the model reads.

    ``manager`` is the position it reports to (None: nobody), who acts up when it falls vacant
    and has no peer. ``demand`` is the position's share of external demand, a relative weight
    (None: customers choose customer-facing positions at random, as in the bundled designs).
    ``hold`` is the mean time (days, exponential) finished work then waits on someone outside
    the chain (the customer, a vendor) before it is passed on; the server is free meanwhile;
    ``hold_cv`` its coefficient of variation (1: exponential; more: hyperexponential).
    ``shift_start``, ``shift_end`` and ``workdays`` are its holder's working calendar
    (:func:`simulation.core.shifts.shift_calendar`; the defaults: always at work).
    """
    role = visible(str(role))  # user text: no control character may act where it is shown
    g.add_node(
        node,
        name=visible(str(name)) if name else f"{role} {node}",
        role=role,
        level=level,
        department=visible(str(department)),
        skill=skill,
        rate=rate,
        customer_facing=customer_facing,
        manager=manager,
        demand=demand,
        hold=hold,
        hold_cv=hold_cv,
        shift_start=shift_start,
        shift_end=shift_end,
        workdays=workdays,
    )


def add_dependency(
    g: nx.MultiDiGraph,
    customer: int,
    provider: int,
    *,
    purpose: str,
    need: Need,
    probability: float = 0.0,
    per_day: float = 0.0,
    weight: float = 1.0,
    handoff: bool | None = None,
    review: bool = False,
    work: float = 1.0,
    gate: bool = False,
    thoroughness: float = 0.0,
    directed: bool = False,
    exclusive: bool = False,
) -> None:
    """Add ``customer -> provider``: the internal customer relies on the provider.

    With ``review``, the provider checks the customer's finished work with ``probability`` and
    returns it for another pass (a rework loop) instead of supplying an input beforehand.
    ``work`` is the provider's task's work content in units of one task. With ``gate``, the
    provider checks the finished work (with ``probability``) and returns it only if a defect is
    found (``thoroughness`` times the checker's skill). With ``directed`` (a scheduled request
    to the customer's manager), the manager gives each one to whoever the latest reports show
    struggling (``ServiceChain.coached``). With ``exclusive``, the input is one of the
    customer's alternatives: a request needs at most one of them (Markov routing).
    """
    if handoff is None:
        handoff = g.nodes[customer]["department"] != g.nodes[provider]["department"]
    g.add_edge(
        customer,
        provider,
        key=purpose,
        need=need,
        probability=probability,
        per_day=per_day,
        weight=weight,
        handoff=handoff,
        review=review,
        work=work,
        gate=gate,
        thoroughness=thoroughness,
        directed=directed,
        exclusive=exclusive,
    )


def check_exclusive(g: nx.MultiDiGraph) -> None:
    """Each position's exclusive inputs are alternatives: their probabilities sum to at most 1.

    Raises:
        ValueError: naming the position, the sum and the edges.
    """
    totals: dict[object, list[tuple[object, float]]] = {}
    for u, v, data in g.edges(data=True):
        if data.get("exclusive", False):
            totals.setdefault(u, []).append((v, float(data["probability"])))
    for u, edges in totals.items():
        total = sum(p for _, p in edges)
        if total > 1.0 + 1e-9:
            name = g.nodes[u].get("name", u)
            listed = ", ".join(f"{g.nodes[v].get('name', v)}: {p:g}" for v, p in edges)
            raise ValueError(f"position {name!r}: its exclusive inputs' probabilities sum to "
                             f"{total:g} ({listed}); they are alternatives, so the sum must be "
                             "at most 1")
