"""Analytic checks run before a simulation: offered load from the traffic equations."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from simulation.config.scenario import Customers
from simulation.core.shifts import shift_calendar


def working_share(node: dict) -> float:
    """The share of the organization's working time a position's holder works (1: always)."""
    calendar = shift_calendar(float(node.get("shift_start", 0.0)),
                              float(node.get("shift_end", 1.0)), str(node.get("workdays", "")))
    if calendar is None:
        return 1.0
    start, end, mask, period = calendar
    return (end - start) * bin(mask).count("1") / period


def offered_load(graph: nx.MultiDiGraph, customers: Customers, max_depth: int = 6) -> pd.DataFrame:
    """Each position's arrival rate and offered load from the traffic equations.

    External demand is shared over customer-facing positions by their ``demand`` weights (a
    position without one weighs 1, as ``Market`` seats customers; none given: evenly, as
    customers choosing at random do on average); scheduled dependencies add their rate at the
    provider; per-request dependencies forward ``probability`` of a position's arrivals to the
    provider, up to ``max_depth`` hops (``lambda = sum_k (P^T)^k gamma``). Review
    dependencies add a reviewed position's returned passes, ``1 / (1 - P)`` per request, and
    send ``p`` of the passes to the reviewer. Exact for acyclic graphs and for exclusive
    (Markov) routes, which may come back, within the depth limit; an upper bound where other
    dependencies form a cycle (the model asks no one already on a request's chain but by an
    exclusive input).
    Loads use nominal rates (baseline morale, full proficiency), over the share of the working
    time a position's calendar works (:func:`working_share`).

    Args:
        graph: A graph with integer nodes ``0..n-1`` as built by the model.
        customers: Customer settings (count and request rate).
        max_depth: The longest chain of sub-requests.

    Returns:
        One row per position: ``arrivals_per_day``, ``rate`` and ``load`` (arrivals / rate).
    """
    n = graph.number_of_nodes()
    gamma = np.zeros(n)
    facing = [i for i in range(n) if graph.nodes[i]["customer_facing"]]
    if facing:
        count = customers.initial_count(len(facing))
        weights = np.array([1.0 if graph.nodes[i].get("demand") is None
                            else float(graph.nodes[i]["demand"]) for i in facing])
        gamma[facing] = count * customers.request_rate * weights / weights.sum()
    routing = np.zeros((n, n))
    review = np.zeros((n, n))
    for u, v, data in graph.edges(data=True):
        if data.get("review", False):
            review[u, v] += data["probability"]
            continue
        gamma[v] += data["per_day"]
        routing[u, v] += data["probability"]

    def spread(source: np.ndarray) -> np.ndarray:
        total, flow = source.copy(), source.copy()
        for _ in range(max_depth):
            flow = routing.T @ flow
            total += flow
        return total

    total = spread(gamma)
    if review.any():
        # a reviewed position works 1 / (1 - P) passes per request; each pass is reviewed with
        # the reviews' probabilities, and the reviewers' work spreads to their own providers
        passes = total / (1.0 - review.sum(axis=1))
        total = passes + spread(review.T @ passes)
    rate = np.array([graph.nodes[i]["rate"] * working_share(graph.nodes[i]) for i in range(n)],
                    dtype=float)  # the tasks a day its holder can do in the hours they work
    return pd.DataFrame({
        "position": range(n),
        "name": [graph.nodes[i]["name"] for i in range(n)],
        "role": [graph.nodes[i]["role"] for i in range(n)],
        "level": [graph.nodes[i]["level"] for i in range(n)],
        "arrivals_per_day": total,
        "rate": rate,
        "load": total / rate,
    })
