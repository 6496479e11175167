"""Scenario configuration: frozen dataclasses where every parameter has a default.

``Scenario()`` is the default pyramid. Change one thing with ``dataclasses.replace`` or the
``with_`` helpers, e.g. ``Scenario().with_people(enabled=False)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Self

from simulation.strategies import Compensatory, Exponential, QualityRule, WorkTime
from simulation.structures import OrgDesign, Pyramid
from simulation.validation import non_negative, require, unit_interval

DAYS_PER_MONTH = 21.0
"""Working days in a month: rates quoted per month are divided by this."""


@dataclass(frozen=True)
class Work:
    """How work is done and how quality propagates.

    Attributes:
        quality_rule: Combines own skill with input qualities (strategy object).
        work_time: Distribution of work times around the mean ``1 / (rate * speed)``.
        max_depth: Longest chain of sub-requests; deeper needs are not requested.
        handoff_delay: Mean extra days for work crossing a department boundary (exponential),
            before communication.
        handoff_loss: Share of quality lost crossing a department boundary, before communication.
        communication: In [0, 1]; multiplies handoff delay and loss by ``1 - communication``.
        internal_tolerance: Days of delay after which an internal customer's experience of a
            service has fallen to ``1/e`` of its quality.
        rework: Extra work per unit of input quality shortfall: work with inputs of mean quality
            ``q`` takes ``1 + rework * (1 - q)`` times as long (internal friction becomes external
            friction).
        assistance_relief: Share of the work an assistance input takes off the requester, times
            the assistance's quality (help with the task itself).
    """

    quality_rule: QualityRule = field(default_factory=Compensatory)
    work_time: WorkTime = field(default_factory=Exponential)
    max_depth: int = 6
    handoff_delay: float = 0.25
    handoff_loss: float = 0.1
    communication: float = 0.5
    internal_tolerance: float = 1.0
    rework: float = 0.5
    assistance_relief: float = 0.3

    def __post_init__(self) -> None:
        require(1 <= self.max_depth <= 50, "Work", "max_depth", self.max_depth, "1 to 50")
        non_negative(self, "handoff_delay")
        unit_interval(self, "handoff_loss", "communication", "assistance_relief")
        non_negative(self, "rework")
        require(self.internal_tolerance > 0, "Work", "internal_tolerance",
                 self.internal_tolerance, "> 0 days")


@dataclass(frozen=True)
class People:
    """Employee dynamics: morale (contagion, job demands-resources), learning, quits and hires.

    With ``enabled=False`` morale stays at ``initial_morale``, nobody learns or quits, and skill and
    speed are exactly the position's: the model reduces to a queueing network.

    Attributes:
        enabled: Switch every people dynamic on or off.
        initial_morale: Morale of incumbents and new hires.
        adjustment: Share of the gap to the target morale closed each day.
        baseline_morale: Target morale with neutral resources and demands.
        resource_effect: Target rise per unit of internal service experience above ``resource_ref``.
        resource_ref: Internal service experience counted as neutral.
        resource_memory: Days over which internal service experience is averaged.
        demand_effect: Target fall per unit of utilisation above ``demand_ref``.
        demand_ref: Utilisation above which load is felt as overload.
        demand_memory: Days over which utilisation is averaged (sustained overload).
        quality_effect: Share of skill lost at morale 0.
        speed_effect: Share of speed lost at morale 0.
        quit_rate_per_month: Quit probability per month at ``quit_morale_ref`` morale.
        quit_sensitivity: Log hazard ratio per unit of morale below ``quit_morale_ref``.
        quit_morale_ref: Morale at which the quit rate is the baseline.
        hiring_delay: Mean days a vacancy stays open.
        new_hire_proficiency: Proficiency of a new hire (1 = fully proficient).
        progress_ratio: Wright's learning curve: the remaining gap shrinks by this factor each
            time the tasks done double.
        reputation_effect: How much better new hires are per unit of internal service reputation
            above ``resource_ref`` (good internal service attracts good people).
    """

    enabled: bool = True
    initial_morale: float = 0.7
    adjustment: float = 0.1
    baseline_morale: float = 0.7
    resource_effect: float = 0.8
    resource_ref: float = 0.7
    resource_memory: float = 5.0
    demand_effect: float = 1.0
    demand_ref: float = 0.8
    demand_memory: float = 10.0
    quality_effect: float = 0.4
    speed_effect: float = 0.3
    quit_rate_per_month: float = 0.02
    quit_sensitivity: float = 5.0
    quit_morale_ref: float = 0.7
    hiring_delay: float = 20.0
    new_hire_proficiency: float = 0.7
    progress_ratio: float = 0.8
    reputation_effect: float = 0.5

    def __post_init__(self) -> None:
        unit_interval(self, "initial_morale", "adjustment", "baseline_morale", "resource_ref",
                       "demand_ref", "quality_effect", "speed_effect", "quit_rate_per_month",
                       "quit_morale_ref")
        non_negative(self, "resource_effect", "demand_effect", "quit_sensitivity",
                      "hiring_delay", "reputation_effect")
        require(self.resource_memory >= 1, "People", "resource_memory", self.resource_memory,
                 ">= 1 day")
        require(self.demand_memory >= 1, "People", "demand_memory", self.demand_memory, ">= 1 day")
        require(0 < self.new_hire_proficiency <= 1, "People", "new_hire_proficiency",
                 self.new_hire_proficiency, "in (0, 1]")
        require(0 < self.progress_ratio <= 1, "People", "progress_ratio", self.progress_ratio,
                 "in (0, 1]")


@dataclass(frozen=True)
class Customers:
    """External customers: demand, judgement, loyalty and word of mouth.

    Attributes:
        per_position: Customers at the start per customer-facing position (used unless
            ``count`` is given), so demand scales with the organization.
        count: Customers at the start; None for ``per_position`` times the customer-facing
            positions.
        request_rate: Requests per day per active customer (Poisson).
        price: Revenue per completed external request.
        expectation: Mean expected perceived value in (0, 1); each customer's is Beta distributed.
        expectation_spread: Standard deviation of expectations across customers.
        expectation_learning: Share of the gap between experience and expectation closed per
            service (adaptive expectations; 0 keeps expectations fixed).
        patience: Days of delay after which perceived value has fallen to ``1/e`` of quality.
        sensitivity: Slope of the satisfaction curve against disconfirmation (value - expectation).
        satisfaction_weight: Weight ``w`` of each experience: ``CS += w * (s - CS)`` (Bolton 1998).
        initial_satisfaction: Cumulative satisfaction of a new customer.
        churn: Whether customers can leave (exit); off means only voice.
        churn_rate_per_month: Leaving probability per month at satisfaction 0.5 (expectations met).
        loyalty: Log hazard ratio per unit of satisfaction; 9 makes the totally satisfied
            (CS 0.9) six times as loyal as the merely satisfied (CS 0.7) (Jones & Sasser 1995).
        market: Size of the market as a multiple of the initial customers; acquisition slows as
            the active customers approach it (word of mouth and marketing reach fewer prospects).
        acquisition_per_day: New customers per day from marketing alone, in an untapped market.
        word_of_mouth: Whether customers talk.
        talk_rate: Messages per day of a customer at either extreme of satisfaction.
        negative_ratio: How much more the dissatisfied talk than the delighted (Anderson 1998).
        recruits_per_message: New customers won per positive message.
        deterred_per_message: Prospects lost per negative message.
        departure_messages: Negative messages a leaving customer spreads.
    """

    per_position: float = 40.0
    count: int | None = None
    request_rate: float = 0.18
    price: float = 100.0
    expectation: float = 0.6
    expectation_spread: float = 0.08
    expectation_learning: float = 0.0
    patience: float = 2.0
    sensitivity: float = 10.0
    satisfaction_weight: float = 0.1
    initial_satisfaction: float = 0.6
    churn: bool = True
    churn_rate_per_month: float = 0.03
    loyalty: float = 9.0
    market: float = 1.25
    acquisition_per_day: float = 1.0
    word_of_mouth: bool = True
    talk_rate: float = 0.05
    negative_ratio: float = 2.0
    recruits_per_message: float = 0.1
    deterred_per_message: float = 0.1
    departure_messages: float = 2.0

    def initial_count(self, customer_facing: int) -> int:
        """Customers at the start for an organization with that many customer-facing positions."""
        if self.count is not None:
            return self.count
        return round(self.per_position * customer_facing)

    def __post_init__(self) -> None:
        require(self.count is None or self.count >= 0, "Customers", "count", self.count,
                 "an integer >= 0, or None")
        require(self.per_position >= 0, "Customers", "per_position", self.per_position, ">= 0")
        non_negative(self, "request_rate", "price", "expectation_spread", "sensitivity",
                      "loyalty", "acquisition_per_day", "talk_rate", "recruits_per_message",
                      "deterred_per_message", "departure_messages")
        unit_interval(self, "satisfaction_weight", "initial_satisfaction",
                       "expectation_learning", "churn_rate_per_month")
        require(self.market >= 1, "Customers", "market", self.market,
                 ">= 1 (the market holds at least the initial customers)")
        require(0 < self.expectation < 1, "Customers", "expectation", self.expectation,
                 "in (0, 1)")
        require(self.patience > 0, "Customers", "patience", self.patience, "> 0 days")
        require(self.negative_ratio >= 1, "Customers", "negative_ratio", self.negative_ratio,
                 ">= 1 (negative word of mouth is at least as strong)")


@dataclass(frozen=True)
class Scenario:
    """Everything one run needs besides its seed; ``Scenario()`` is the default pyramid.

    Attributes:
        name: Short name used in results.
        description: One paragraph a non-specialist understands.
        design: The organization design (structure, mechanisms, queue discipline).
        work: How work is done and quality propagates.
        people: Employee dynamics.
        customers: External customers.
        days: Default run length in working days.
        replications: Default number of seeded replications.
        keep_records: Keep every ``ServiceRecord`` (memory grows with the run) instead of
            aggregating per day.
    """

    name: str = "pyramid"
    description: str = "The traditional pyramid: lower levels serve higher ones."
    design: OrgDesign = field(default_factory=Pyramid)
    work: Work = field(default_factory=Work)
    people: People = field(default_factory=People)
    customers: Customers = field(default_factory=Customers)
    days: int = 250
    replications: int = 20
    keep_records: bool = False

    def __post_init__(self) -> None:
        require(self.days >= 1, "Scenario", "days", self.days, "an integer >= 1")
        require(self.replications >= 1, "Scenario", "replications", self.replications, ">= 1")
        for f in fields(self):
            value = getattr(self, f.name)
            expected = {"design": OrgDesign, "work": Work, "people": People,
                        "customers": Customers}.get(f.name)
            if expected is not None and not isinstance(value, expected):
                raise TypeError(
                    f"Scenario.{f.name} must be a {expected.__name__}, got {type(value).__name__}"
                )

    def with_work(self, **changes: Any) -> Self:
        """A copy with some ``Work`` parameters changed."""
        return replace(self, work=replace(self.work, **changes))

    def with_people(self, **changes: Any) -> Self:
        """A copy with some ``People`` parameters changed."""
        return replace(self, people=replace(self.people, **changes))

    def with_customers(self, **changes: Any) -> Self:
        """A copy with some ``Customers`` parameters changed."""
        return replace(self, customers=replace(self.customers, **changes))

    def with_design(self, **changes: Any) -> Self:
        """A copy with some design parameters changed."""
        return replace(self, design=replace(self.design, **changes))
