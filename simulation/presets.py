"""The model reduced to a pure queueing network (bundled scenarios are files: ``scenarios/``)."""

from __future__ import annotations

import networkx as nx

from simulation.config import Customers, People, Scenario, Work
from simulation.strategies import Exponential, FirstComeFirstServed, QueueDiscipline, WorkTime
from simulation.structures import (
    CustomGraph,
)


def queueing_network(
    graph: nx.DiGraph,
    arrival_rate: float,
    *,
    work_time: WorkTime | None = None,
    discipline: QueueDiscipline | None = None,
    days: int = 1000,
) -> Scenario:
    """The model reduced to a pure queueing network, for checks against theory.

    Quality, people dynamics, churn and word of mouth are off; a fixed customer base places
    Poisson requests at ``arrival_rate`` per day in total, spread over customer-facing positions;
    dependencies with probability ``p`` route a share ``p`` of work (fork-join when several).

    Args:
        graph: Positions (``rate`` per node; ``inf`` for no work) and dependency edges.
        arrival_rate: External requests per day into the organization.
        work_time: Work-time distribution (exponential by default).
        discipline: Queue discipline (first come first served by default).
        days: Default run length.
    """
    customers = 1000
    return Scenario(
        name="queueing_network",
        description="The model reduced to a queueing network.",
        design=CustomGraph(discipline=discipline or FirstComeFirstServed(), graph=graph),
        work=Work(work_time=work_time or Exponential(), handoff_delay=0.0, handoff_loss=0.0,
                  rework=0.0, assistance_relief=0.0),
        people=People(enabled=False),
        customers=Customers(count=customers, request_rate=arrival_rate / customers, churn=False,
                            word_of_mouth=False, acquisition_per_day=0.0),
        days=days,
    )
