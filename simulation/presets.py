"""Ready-made scenarios: the designs compared in the demo, and the pure queueing reduction."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from simulation.config import Customers, People, Scenario, Work
from simulation.strategies import Exponential, FirstComeFirstServed, QueueDiscipline, WorkTime
from simulation.structures import (
    CustomGraph,
    FlatTeam,
    InvertedPyramid,
    Silos,
    TwoWayStreet,
)


def pyramid() -> Scenario:
    """The traditional pyramid (the default scenario)."""
    return Scenario()


def inverted_pyramid() -> Scenario:
    """Carlzon's inverted pyramid with the same people as :func:`pyramid`."""
    return Scenario(
        name="inverted_pyramid",
        description=(
            "Jan Carlzon's inverted pyramid: customers on top, the frontline serves them, and "
            "management serves the frontline with assistance and coaching instead of asking for "
            "reports. Approvals are rare and work nearest a customer is done first."
        ),
        design=InvertedPyramid(),
    )


def two_way_street() -> Scenario:
    """Both directions serve each other, first come first served."""
    return Scenario(
        name="two_way_street",
        description=(
            "A two-way street: managers still ask for some reports and approvals, and also help "
            "the frontline; everyone serves requests in the order they come."
        ),
        design=TwoWayStreet(),
    )


def flat_team() -> Scenario:
    """A self-managing team without managers."""
    return Scenario(
        name="flat_team",
        description="A self-managing team: everyone serves customers and helps a few teammates.",
        design=FlatTeam(),
    )


def silos() -> Scenario:
    """Departments that hand work across boundaries."""
    return Scenario(
        name="silos",
        description=(
            "Departments working in silos: customer service relies on back offices, and every "
            "handoff across a department boundary costs time and quality unless people "
            "communicate well."
        ),
        design=Silos(),
    )


PRESETS: dict[str, Callable[[], Scenario]] = {
    "pyramid": pyramid,
    "inverted_pyramid": inverted_pyramid,
    "two_way_street": two_way_street,
    "flat_team": flat_team,
    "silos": silos,
}


def preset(name: str) -> Scenario:
    """A ready-made scenario by name.

    Raises:
        KeyError: naming the allowed presets.
    """
    try:
        return PRESETS[name]()
    except KeyError:
        raise KeyError(f"no preset {name!r}; choose one of {', '.join(PRESETS)}") from None


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
