"""What an agent may read from its model: the only coupling between agents and the model.

Agents type against :class:`ModelView`, not against ``OrgModel``, so the agents layer imports
nothing above it and a student can see, in one place, everything a hook can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from simulation.config.scenario import Customers, People, Scenario, Work
    from simulation.config.strategies import QualityRule, QueueDiscipline, WorkTime
    from simulation.core.requests import Dependency, Request
    from simulation.core.streams import Streams


class CustomerTableView(Protocol):
    """Customers' state as arrays (:class:`simulation.agents.customer.CustomerTable`)."""

    cf: np.ndarray

    def add(self, customer: Any, home: int, expectation: float, satisfaction: float) -> int:
        """A new customer's row; returns its index."""
        ...


class ClockView(Protocol):
    """The event loop: the time in days, and a way to be called back later."""

    now: float

    def schedule(self, time: float, callback: Callable[[Any], None], arg: Any) -> None:
        """Call ``callback(arg)`` at ``time``."""
        ...


class ChainView(Protocol):
    """The service chain as employees see it: who relies on whom, and where finished work goes."""

    inputs_of: Sequence[list[Dependency]]
    reviews_of: Sequence[list[Dependency]]

    def complete(self, request: Request) -> None:
        """Send finished work on (to review, to its requester, or to the customer)."""
        ...

    def next_seq(self) -> int:
        """A tie-breaking sequence number for queue entries."""
        ...


class ModelView(Protocol):
    """Everything an ``Employee``, ``Customer`` or ``Vacancy`` reads from its model.

    Attributes:
        config: The scenario simulated (the configuration).
        work_cfg: ``config.work``.
        people_cfg: ``config.people``.
        customers_cfg: ``config.customers``.
        streams: The run's random streams (``decisions``, ``work``, ...).
        clock: The event loop.
        chain: The service chain.
        discipline: The design's queue discipline.
        quality_rule: How output quality combines skill and inputs.
        work_time: The work-time distribution.
        work_from_exponential: The work-time rule's map from a standard exponential drawn with
            an arrival to a work time, or None when it has none.
        max_depth: Deepest chain of sub-requests.
        steps: Days completed.
        customer_table: Customers' state as arrays.
    """

    config: Scenario
    work_cfg: Work
    people_cfg: People
    customers_cfg: Customers
    streams: Streams
    clock: ClockView
    chain: ChainView
    discipline: QueueDiscipline
    quality_rule: QualityRule
    work_time: WorkTime
    work_from_exponential: Callable[[float, float], float] | None
    max_depth: int
    steps: int
    customer_table: CustomerTableView

    def churn_draw(self, slot: int) -> float:
        """Today's leaving draw of a customer slot."""
        ...

    def quit_draw(self, node: int) -> float:
        """Today's quit draw of a position."""
        ...
