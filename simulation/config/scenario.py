"""Scenario configuration: frozen, validated dataclasses where every parameter has a default.

``Scenario()`` is the default pyramid. Change one thing with ``dataclasses.replace`` or the
``with_`` helpers, e.g. ``Scenario().with_people(enabled=False)``. Every value is validated on
construction (pydantic): a wrong type or an out-of-range value raises ``pydantic.ValidationError``
(a ``ValueError``) naming the field, the value and the rule. The same definitions validate scenario
files and generate their JSON Schema and documentation, so they cannot disagree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import field, replace
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, InstanceOf, field_validator
from pydantic.dataclasses import dataclass

from simulation.config.bounds import MAX_CUSTOMERS, MAX_DAYS, MAX_RUNS
from simulation.config.designs import OrgDesign, Pyramid
from simulation.config.strategies import (
    Compensatory,
    Exponential,
    QualityRuleField,
    WorkTimeField,
)
from simulation.core.text import visible

"""Working days in a month: rates quoted per month are divided by this."""

CONFIG = ConfigDict(extra="forbid")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


@dataclass(frozen=True, config=CONFIG)
class Work:
    """How work is done and how quality and delay propagate along the chain."""

    quality_rule: Annotated[QualityRuleField, Field(description=(
        "How own skill and input qualities combine into output quality: compensatory, "
        "cobb_douglas or weakest_link (a name, or a table with kind and parameters)."))] = field(
        default_factory=Compensatory)
    work_time: Annotated[WorkTimeField, Field(description=(
        "Distribution of work times around the mean 1 / (rate * speed): exponential, "
        "deterministic or erlang (a name, or a table with kind and parameters)."))] = field(
        default_factory=Exponential)
    max_depth: Annotated[int, Field(ge=1, le=50, description=(
        "Longest chain of sub-requests (hops); deeper needs are not requested."))] = 6
    handoff_delay: Annotated[NonNegative, Field(description=(
        "Mean extra delay (days, exponential) of work crossing a department boundary, before "
        "communication."))] = 0.25
    handoff_loss: Annotated[Share, Field(description=(
        "Share of quality lost crossing a department boundary, before communication."))] = 0.1
    communication: Annotated[Share, Field(description=(
        "Communication between departments, 0 to 1: multiplies handoff delay and loss by "
        "(1 - communication)."))] = 0.5
    internal_tolerance: Annotated[float, Field(gt=0.0, description=(
        "Days of delay after which an internal customer's experience of a service has fallen to "
        "1/e of its quality."))] = 1.0
    rework: Annotated[NonNegative, Field(description=(
        "Extra work per unit of input quality shortfall: work whose inputs have mean quality q "
        "takes 1 + rework * (1 - q) times as long."))] = 0.5
    assistance_relief: Annotated[Share, Field(description=(
        "Share of the work an assistance input takes off the requester, times the assistance's "
        "quality."))] = 0.3


@dataclass(frozen=True, config=CONFIG)
class People:
    """Employee dynamics: morale (contagion, job demands-resources), learning, quits and hires.

    With ``enabled=False`` morale stays at ``initial_morale``, nobody learns or quits, and skill and
    speed are exactly the position's: the model reduces to a queueing network.
    """

    enabled: Annotated[bool, Field(description="Switch every people dynamic on or off.")] = True
    initial_morale: Annotated[Share, Field(description=(
        "Morale (0 to 1) of incumbents and new hires."))] = 0.7
    adjustment: Annotated[Share, Field(description=(
        "Share of the gap to the target morale closed each day."))] = 0.1
    baseline_morale: Annotated[Share, Field(description=(
        "Target morale with neutral resources and demands; at this morale people work at their "
        "nominal skill and rate."))] = 0.7
    resource_effect: Annotated[NonNegative, Field(description=(
        "Rise of target morale per unit of internal service satisfaction above resource_ref; "
        "0.6 lets the best service lift it as far (+0.3) as the worst lowers it."))] = 0.6
    resource_ref: Annotated[Share, Field(description=(
        "Internal service satisfaction (0 to 1) felt as neutral: 0.5 is expectations just "
        "met, so good and bad service move morale equally far."))] = 0.5
    internal_expectation: Annotated[float, Field(gt=0.0, lt=1.0, description=(
        "Value (quality after the wait, 0 to 1) an employee expects of an internal service; "
        "each service is judged against it (disconfirmation, as customers judge theirs). 0.7, "
        "the value felt as neutral before 2026-11-30 (assumption)."))] = 0.7
    internal_sensitivity: Annotated[NonNegative, Field(description=(
        "Slope of internal service satisfaction against disconfirmation (value - "
        "expectation)."))] = 10.0
    internal_expectation_learning: Annotated[Share, Field(description=(
        "Share of the gap between an internal service's value and the expectation closed per "
        "service (adaptive expectations; 0 keeps them fixed)."))] = 0.0
    resource_memory: Annotated[float, Field(ge=1.0, description=(
        "Days over which internal service experience is averaged."))] = 5.0
    demand_effect: Annotated[NonNegative, Field(description=(
        "Fall of target morale per unit of utilisation above demand_ref."))] = 1.0
    demand_ref: Annotated[Share, Field(description=(
        "Utilisation above which load is felt as overload."))] = 0.8
    demand_memory: Annotated[float, Field(ge=1.0, description=(
        "Days over which utilisation is averaged (sustained overload)."))] = 10.0
    quality_effect: Annotated[Share, Field(description=(
        "Relative change of skill per unit of morale above or below the baseline."))] = 0.4
    speed_effect: Annotated[Share, Field(description=(
        "Relative change of speed per unit of morale above or below the baseline."))] = 0.3
    quit_rate_per_month: Annotated[Share, Field(description=(
        "Quit probability per month at quit_morale_ref morale. Calibrated: with 0.04 the "
        "three hierarchy designs lose 2.3% of their people a month on average (30 runs x 250 "
        "days each), the US quits rate (JOLTS 2023-24: about 0.023 to 0.025); most employees "
        "sit above quit_morale_ref, so the rate at it is above the average."))] = 0.04
    quit_sensitivity: Annotated[NonNegative, Field(description=(
        "Log hazard ratio of quitting per unit of morale below quit_morale_ref."))] = 5.0
    quit_morale_ref: Annotated[Share, Field(description=(
        "Morale at which the quit rate is the baseline."))] = 0.7
    hiring_delay: Annotated[NonNegative, Field(description=(
        "Mean days (exponential) a vacancy stays open."))] = 20.0
    interim: Annotated[bool, Field(description=(
        "Whether a vacant post with no peer in its role is covered until the hire by its "
        "manager (or, at the top, by its least busy direct report); otherwise its work waits "
        "for the hire."))] = True
    new_hire_proficiency: Annotated[float, Field(gt=0.0, le=1.0, description=(
        "Proficiency of a new hire (1 = fully proficient)."))] = 0.7
    progress_ratio: Annotated[float, Field(gt=0.0, le=1.0, description=(
        "Wright's learning curve: the gap to full proficiency shrinks by this factor each time "
        "the tasks done double."))] = 0.8
    reputation_effect: Annotated[NonNegative, Field(description=(
        "How much more skilled new hires are per unit of internal service reputation above "
        "resource_ref (good internal service attracts good people)."))] = 0.5


@dataclass(frozen=True, config=CONFIG)
class Customers:
    """External customers: demand, judgement, loyalty and word of mouth."""

    per_position: Annotated[NonNegative, Field(le=MAX_CUSTOMERS, description=(
        "Customers at the start per customer-facing position (unless count is given), so demand "
        "scales with the organization."))] = 40.0
    count: Annotated[int | None, Field(ge=0, le=MAX_CUSTOMERS, description=(
        "Customers at the start; leave unset for per_position times the customer-facing "
        "positions."))] = None
    request_rate: Annotated[NonNegative, Field(description=(
        "Requests per day per active customer (Poisson)."))] = 0.18
    hourly: Annotated[tuple[float, ...] | None, Field(min_length=1, max_length=96, description=(
        "Relative intensity of customer requests over equal parts of the working day, in order "
        "(e.g. 11 values for an 08:00-19:00 day); unset: even over the day."))] = None
    weekly: Annotated[tuple[float, ...] | None, Field(min_length=1, max_length=7, description=(
        "Relative demand of each working day of the week, starting with the run's first day "
        "(day d takes value d modulo their number), scaled to a mean of 1; unset: every day "
        "alike."))] = None
    price: Annotated[NonNegative, Field(description=(
        "Revenue per completed external request."))] = 100.0
    expectation: Annotated[float, Field(gt=0.0, lt=1.0, description=(
        "Mean expected perceived value (0 to 1); each customer's is Beta distributed."))] = 0.6
    expectation_spread: Annotated[NonNegative, Field(lt=0.5, description=(
        "Standard deviation of expectations across customers."))] = 0.08
    expectation_learning: Annotated[Share, Field(description=(
        "Share of the gap between experience and expectation closed per service (adaptive "
        "expectations; 0 keeps them fixed)."))] = 0.0
    patience: Annotated[float, Field(gt=0.0, description=(
        "Days of delay after which perceived value has fallen to 1/e of the quality."))] = 2.0
    sensitivity: Annotated[NonNegative, Field(description=(
        "Slope of satisfaction against disconfirmation (perceived value - expectation)."))] = 10.0
    satisfaction_weight: Annotated[Share, Field(description=(
        "Weight w of each experience in cumulative satisfaction: CS += w (s - CS) "
        "(Bolton 1998)."))] = 0.1
    initial_satisfaction: Annotated[Share, Field(description=(
        "Cumulative satisfaction of a new customer."))] = 0.6
    failure_demand: Annotated[Share, Field(description=(
        "Probability that a defect reaching a customer brings a complaint: the service is "
        "judged as failed (quality 0) and the customer comes back with a request that earns "
        "nothing (failure demand, Seddon 2003; assumption: half of them come back, which "
        "keeps failure demand far below the shares Seddon reports). 0 draws no defects "
        "unless there are quality gates."))] = 0.5
    churn: Annotated[bool, Field(description=(
        "Whether customers can leave (exit); false leaves only voice."))] = True
    churn_rate_per_month: Annotated[Share, Field(description=(
        "Leaving probability per month at satisfaction 0.5 (expectations just met)."))] = 0.03
    loyalty: Annotated[NonNegative, Field(description=(
        "Log hazard ratio of leaving per unit of satisfaction; 9 makes the totally satisfied "
        "(0.9) six times as loyal as the merely satisfied (0.7) (Jones & Sasser 1995)."))] = 9.0
    market: Annotated[float, Field(ge=1.0, description=(
        "Market size as a multiple of the initial customers; acquisition slows as active "
        "customers approach it."))] = 1.25
    acquisition_per_day: Annotated[NonNegative, Field(description=(
        "New customers per day from marketing alone, in an untapped market."))] = 1.0
    word_of_mouth: Annotated[bool, Field(description="Whether customers talk.")] = True
    talk_rate: Annotated[NonNegative, Field(description=(
        "Messages per day of a customer at either extreme of satisfaction."))] = 0.05
    negative_ratio: Annotated[float, Field(ge=1.0, description=(
        "How much more the dissatisfied talk than the delighted (Anderson 1998); >= 1."))] = 2.0
    recruits_per_message: Annotated[NonNegative, Field(description=(
        "New customers won per positive message."))] = 0.1
    deterred_per_message: Annotated[NonNegative, Field(description=(
        "Prospects lost per negative message."))] = 0.1
    departure_messages: Annotated[NonNegative, Field(description=(
        "Negative messages a leaving customer spreads."))] = 2.0

    @field_validator("hourly", "weekly")
    @classmethod
    def _profile(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and not (all(0.0 <= v < float("inf") for v in value)
                                      and sum(value) > 0.0):
            raise ValueError("relative weights: finite, 0 or more, not all 0")
        return value

    def initial_count(self, customer_facing: int) -> int:
        """Customers at the start for an organization with that many customer-facing positions."""
        if self.count is not None:
            return self.count
        return round(self.per_position * customer_facing)


@dataclass(frozen=True, config=ConfigDict(extra="forbid",
                                          arbitrary_types_allowed=True))
class Scenario:
    """Everything one run needs besides its seed; ``Scenario()`` is the default pyramid."""

    name: Annotated[str, Field(min_length=1, description="Short name used in results.")] = (
        "pyramid")
    description: Annotated[str, Field(description=(
        "One paragraph a non-specialist understands."))] = (
        "The traditional pyramid: lower levels serve higher ones.")
    design: Annotated[InstanceOf[OrgDesign], Field(description=(
        "The organization design: structure, mechanisms and queue discipline."))] = field(
        default_factory=Pyramid)
    work: Annotated[Work, Field(description="How work is done.")] = field(default_factory=Work)
    people: Annotated[People, Field(description="Employee dynamics.")] = field(
        default_factory=People)
    customers: Annotated[Customers, Field(description="External customers.")] = field(
        default_factory=Customers)
    days: Annotated[int, Field(ge=1, le=MAX_DAYS, description=(
        "Default run length in working days."))] = 250
    replications: Annotated[int, Field(ge=1, le=MAX_RUNS, description=(
        "Default number of seeded replications."))] = 20
    keep_records: Annotated[bool, Field(description=(
        "Keep every service record (memory grows with the run) instead of aggregating per "
        "day."))] = False

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        """No control or formatting characters: a right-to-left override reorders a headline."""
        if not value.strip():
            raise ValueError(f"name {value!r} is blank: a scenario needs a name to be told apart")
        bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf")]
        if bad:
            codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
            raise ValueError(f"name {value!r} contains control or formatting characters ({codes})"
                             ", which would reorder or hide text where the name is shown")
        return value

    @field_validator("description")
    @classmethod
    def _shown_as_written(cls, value: str) -> str:
        """Control and formatting characters written out (``<U+202E>``), so none acts."""
        return visible(value)

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
