"""The model reduced to a pure queueing network (bundled scenarios are files: ``scenarios/``)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from simulation.config.custom_graph import CustomGraph
from simulation.config.scenario import Customers, People, Scenario, Work
from simulation.config.strategies import (
    Exponential,
    FirstComeFirstServed,
    QueueDiscipline,
    WorkTime,
)


def queueing_network(
    graph: nx.DiGraph,
    arrival_rate: float,
    *,
    work_time: WorkTime | None = None,
    discipline: QueueDiscipline | None = None,
    handoff_delay: float = 0.0,
    days: int = 1000,
) -> Scenario:
    """The model reduced to a pure queueing network, for checks against theory.

    Quality, people dynamics, churn, word of mouth and failure demand are off; a fixed customer
    base places Poisson requests at ``arrival_rate`` per day in total, spread over
    customer-facing positions; dependencies with probability ``p`` route a share ``p`` of work
    (fork-join when several).

    Args:
        graph: Positions (``rate`` per node; ``inf`` for no work) and dependency edges.
        arrival_rate: External requests per day into the organization.
        work_time: Work-time distribution (exponential by default).
        discipline: Queue discipline (first come first served by default).
        handoff_delay: Mean delay (days, exponential) of work crossing a department boundary
            (communication 0, so it is the delay itself).
        days: Default run length.
    """
    customers = 1000
    return Scenario(
        name="queueing_network",
        description="The model reduced to a queueing network.",
        design=CustomGraph(discipline=discipline or FirstComeFirstServed(), graph=graph),
        work=Work(work_time=work_time or Exponential(), handoff_delay=handoff_delay,
                  handoff_loss=0.0, communication=0.0, rework=0.0, assistance_relief=0.0),
        people=People(enabled=False),
        customers=Customers(count=customers, request_rate=arrival_rate / customers, churn=False,
                            word_of_mouth=False, acquisition_per_day=0.0, failure_demand=0.0),
        days=days,
    )


def speed_up(graph: nx.DiGraph, k: float) -> nx.DiGraph:
    """The same network with every rate times ``k``: ``k`` times the traffic per simulated day.

    Sojourns in the network's own time unit are unchanged (divide simulated days by ``1/k``);
    each simulated day, with its daily bookkeeping, carries ``k`` times the work.
    """
    g = graph.copy()
    for _, data in g.nodes(data=True):
        data["rate"] = data.get("rate", 1.0) * k
    return g


def tandem_graph(rates: tuple[float, ...] = (2.0, 3.0, 4.0)) -> nx.DiGraph:
    """Stations in series: work visits ``rates[0]`` first and the customer-facing one last.

    The customer-facing position (node 0, the last rate) relies on node 1, and so on: inputs are
    produced first, so a request's path runs from the last node back to node 0.
    """
    g = nx.DiGraph()
    n = len(rates)
    for i in range(n):
        g.add_node(i, rate=rates[n - 1 - i], customer_facing=i == 0, level=0)
    for i in range(n - 1):
        g.add_edge(i, i + 1, probability=1.0)
    return g


def fork_join_graph(k: int = 2, rate: float = 1.0, p: float = 1.0) -> nx.DiGraph:
    """A dispatcher with no work time forking requests to ``k`` parallel M/M/1 servers.

    Each request needs each server with probability ``p`` (1: all of them), independently.
    """
    g = nx.DiGraph()
    g.add_node(0, rate=math.inf)
    for i in range(1, k + 1):
        g.add_node(i, rate=rate, customer_facing=False)
        g.add_edge(0, i, probability=p)
    return g


def rework_graph(rates: tuple[float, float] = (3.0, 1.0), p: float = 0.4) -> nx.DiGraph:
    """Jackson's rework loop: station 0's work goes to station 1 with ``p``, then back to 0."""
    g = nx.DiGraph()
    g.add_node(0, rate=rates[0], customer_facing=True)
    g.add_node(1, rate=rates[1], customer_facing=False)
    g.add_edge(0, 1, probability=p, review=True)
    return g


def vacancy_graph(pairs: int = 10, rate: float = 40.0, peers: int = 1) -> nx.DiGraph:
    """``pairs`` independent groups of ``peers`` servers, each fed by a desk of its own.

    A desk has no work time and passes every request to its server. Each desk has a role of its
    own, and so has each group of servers: with ``peers`` 1 nobody covers a vacancy (work at a
    vacant server waits for the hire); with 2, the servers of a group cover each other.
    Demand is split equally over the desks (exactly). Nodes: a group's desks, then its servers.
    """
    g = nx.DiGraph()
    node = 0
    for k in range(pairs):
        desks = list(range(node, node + peers))
        for i, d in enumerate(desks):
            g.add_node(d, rate=math.inf, role=f"desk {k}.{i}", customer_facing=True, demand=1.0)
            g.add_node(d + peers, rate=rate, role=f"server {k}", customer_facing=False)
            g.add_edge(d, d + peers, probability=1.0)
        node += 2 * peers
    return g


def approval_graph(span: int, approval: float, manager_rate: float,
                   frontline_rate: float) -> nx.DiGraph:
    """A manager (node 0) approving a share ``approval`` of the work of ``span`` frontliners."""
    g = nx.DiGraph()
    g.add_node(0, rate=manager_rate, level=1, customer_facing=False, role="manager")
    for i in range(1, span + 1):
        g.add_node(i, rate=frontline_rate, level=0, customer_facing=True)
        g.add_edge(i, 0, probability=approval, need="instruction")
    return g


def random_forest_graph(rng: np.random.Generator, n: int = 8, front: int = 2,
                        ) -> tuple[nx.DiGraph, dict[int, tuple[int, float]]]:
    """A random acyclic network in which every position relies on at most one provider.

    Positions ``0..front-1`` face customers; position ``i`` relies on a later position with
    probability in [0.3, 0.9] (the last one on nobody). Rates are set afterwards by the caller.

    Returns:
        The graph (rates 1.0) and each position's ``(provider, probability)``.
    """
    g = nx.DiGraph()
    links: dict[int, tuple[int, float]] = {}
    for i in range(n):
        g.add_node(i, rate=1.0, customer_facing=i < front, level=0)
    for i in range(n - 1):
        provider = int(rng.integers(max(i + 1, front), n))
        p = float(rng.uniform(0.3, 0.9))
        links[i] = (provider, p)
        g.add_edge(i, provider, probability=p)
    return g, links
