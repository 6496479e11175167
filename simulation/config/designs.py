"""Organization designs: builders that return the dependency graph of positions.

A design is a frozen dataclass whose ``build(rng)`` returns a ``networkx.MultiDiGraph`` (a
``DiGraph`` subclass). Nodes are positions; an edge ``u -> v`` keyed by its purpose means *u relies
on v* (v is u's internal service provider). Every random choice uses the generator passed in.

Node attributes: ``name``, ``role``, ``level`` (0 = frontline), ``department``, ``skill`` in (0, 1],
``rate`` (tasks per day) and ``customer_facing``. Edge attributes: ``need`` (:class:`Need`),
``probability`` (needed on that share of the provider's requests), ``per_day`` (scheduled requests
per day, e.g. weekly = 0.2), ``weight`` (importance of the input) and ``handoff`` (crosses a
department boundary).

The pyramid and the inverted pyramid have the same people with the same skills and rates; they
differ in mechanisms, each its own parameter: who reports to whom (``reporting_rate``), how often
work needs approval (``approval_prob``, ``escalation_prob``), whether management supplies
assistance and coaching to the level below (``support_prob``, ``coaching_rate``), and whose work is
served first (``discipline``).
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Self

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from simulation.config.bounds import MAX_POSITIONS, Footprint
from simulation.config.building import ROLE_BY_HEIGHT, add_dependency, add_position, draw_skill
from simulation.config.strategies import (
    CustomerFirst,
    DisciplineField,
    FirstComeFirstServed,
    RankFirst,
)
from simulation.core.errors import require
from simulation.core.requests import Need

_CONFIG = ConfigDict(extra="forbid")
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PerDay = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Rate = Annotated[float, Field(gt=0.0)]
Skill = Annotated[float, Field(gt=0.0, lt=1.0)]

#: Fields a design's subclasses give other defaults: one type, with its range and description.
ApprovalProb = Annotated[Probability, Field(description=(
    "Share of frontline work that needs the supervisor's approval."))]
EscalationProb = Annotated[Probability, Field(description=(
    "Share of a manager's work that needs their own boss's approval."))]
ReportingRate = Annotated[PerDay, Field(description=(
    "Reports per day each manager asks of each direct report (assumption: a weekly status "
    "report, 0.2 a working day; Grove 1983 on weekly reports and one-on-ones)."))]
SupportProb = Annotated[Probability, Field(description=(
    "Share of work for which the boss supplies assistance (an input)."))]
CoachingRate = Annotated[PerDay, Field(description=(
    "Coaching sessions per day each employee receives from the boss."))]
Work = Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)]
Discipline = Annotated[DisciplineField, Field(description=(
    "Whose work is served first: first_come_first_served, rank_first (the higher-ranked "
    "requester first) or customer_first (work an external customer waits for first)."))]


@dataclass(frozen=True, config=_CONFIG)
class OrgDesign:
    """Base of every design: the queue discipline its people follow and how it is drawn."""

    discipline: Discipline = field(default_factory=FirstComeFirstServed)
    inverted: Annotated[bool, Field(description=(
        "Draw the organization point down (management at the bottom, serving)."))] = False

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Return the dependency graph of positions."""
        raise NotImplementedError(f"{type(self).__name__} must implement build(rng)")

    def footprint(self) -> Footprint | None:
        """Positions and customer-facing positions, known before building; None if unknown.

        Override it in a design of your own so that an oversized one is refused before it is
        built (:mod:`simulation.config.bounds`); otherwise it is checked once built.
        """
        return None


@dataclass(frozen=True, config=_CONFIG)
class Hierarchy(OrgDesign):
    """A tree of ``levels`` levels with ``span`` subordinates per manager, plus its mechanisms.

    Field descriptions document every parameter.
    """

    levels: Annotated[int, Field(ge=1, le=6, description="Number of levels, frontline included.")
                      ] = 3
    span: Annotated[int, Field(ge=1, le=50, description=(
        "Span of control: direct reports per manager."))] = 5
    frontline_rate: Annotated[Rate, Field(description=(
        "Tasks per day a frontline employee completes."))] = 12.0
    manager_rate: Annotated[Rate, Field(description="Tasks per day a manager completes.")] = 20.0
    frontline_skill: Annotated[Skill, Field(description=(
        "Mean skill (0 to 1) of frontline employees."))] = 0.8
    manager_skill: Annotated[Skill, Field(description="Mean skill (0 to 1) of managers.")] = 0.85
    approval_prob: ApprovalProb = 0.3
    escalation_prob: EscalationProb = 0.15
    reporting_rate: ReportingRate = 0.2
    support_prob: SupportProb = 0.0
    support_weight: Annotated[float, Field(gt=0.0, description=(
        "Weight of that assistance in the output quality."))] = 2.0
    coaching_rate: CoachingRate = 0.0
    peer_prob: Annotated[Probability, Field(description=(
        "Share of frontline work that needs a teammate's help."))] = 0.05
    approval_work: Annotated[Work, Field(description=(
        "Work content of an approval or escalation, in the approver's tasks (assumption: about "
        "12 minutes; half of managers' activities last under 9 minutes, Mintzberg 1973)."))
                             ] = 0.5
    approval_gate: Annotated[bool, Field(description=(
        "Approvals and escalations as quality gates: the boss checks the finished work and "
        "sends it back if a defect is found (default: approvals exist to catch errors, "
        "Galbraith 1974); otherwise an approval is an input asked for before the work."))
                             ] = True
    thoroughness: Annotated[Probability, Field(description=(
        "Of a quality gate: the share of defects a fully skilled approver finds (assumption; "
        "inspections find a large share, Fagan 1976)."))] = 0.5
    report_work: Annotated[Work, Field(description=(
        "Work content of a report, in the reporting employee's tasks."))] = 1.0
    rebalancing: Annotated[bool, Field(description=(
        "Whether managers act on reports: each day, the queued work of the most loaded direct "
        "report in a role is halved toward the least loaded, by the latest reports' loads "
        "(default: reports exist to coordinate; Malone 1987: central assignment with current "
        "information balances load)."))] = True
    directed_coaching: Annotated[bool, Field(description=(
        "Whether managers with reports direct coaching: each session goes to the direct report "
        "of that role whom the latest reports show least skilled, not coached since their "
        "report (default: reports exist to inform; without reports coaching is not directed)."
        ))] = True
    support_work: Annotated[Work, Field(description=(
        "Work content of the boss's assistance, in the boss's tasks."))] = 1.0
    coaching_work: Annotated[Work, Field(description=(
        "Work content of a coaching session, in the boss's tasks (assumption, kept from "
        "before: a session helps only as a service received, so a longer one is not worth "
        "more in this model)."))] = 1.0
    peer_work: Annotated[Work, Field(description=(
        "Work content of a teammate's help, in the teammate's tasks."))] = 1.0

    @model_validator(mode="after")
    def _fits(self) -> Self:
        size = self.footprint().positions
        require(size <= MAX_POSITIONS, type(self).__name__, "span", self.span,
                f"levels = {self.levels} and span = {self.span} give {size:,} positions, more "
                f"than the model holds ({MAX_POSITIONS:,}); lower one of them")
        return self

    def footprint(self) -> Footprint:
        """``span ** k`` positions on each level k below the top."""
        front = self.span ** (self.levels - 1)
        return Footprint(sum(self.span ** k for k in range(self.levels)), front,
                         front * self.frontline_rate)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Build the tree top-down (node 0 is the top) and add the dependencies."""
        g = nx.MultiDiGraph(inverted=self.inverted, design=type(self).__name__,
                            rebalancing=self.rebalancing)
        top = self.levels - 1
        boss: dict[int, int] = {}
        frontier = [0]
        add_position(
            g, 0, role="chief executive" if top > 0 else "frontline", level=top,
            department="management" if top > 0 else "unit 1",
            skill=draw_skill(rng, self.manager_skill if top > 0 else self.frontline_skill),
            rate=self.manager_rate if top > 0 else self.frontline_rate,
            customer_facing=top == 0,
        )
        next_id = 1
        for level in range(top - 1, -1, -1):
            new_frontier = []
            for b in frontier:
                for _ in range(self.span):
                    node = next_id
                    next_id += 1
                    unit = (
                        f"unit {node}" if level == top - 1 else g.nodes[b]["department"]
                    )
                    is_front = level == 0
                    add_position(
                        g, node, role=ROLE_BY_HEIGHT[level], level=level, department=unit,
                        skill=draw_skill(rng, self.frontline_skill if is_front
                                         else self.manager_skill),
                        rate=self.frontline_rate if is_front else self.manager_rate,
                        customer_facing=is_front, manager=b,
                    )
                    boss[node] = b
                    new_frontier.append(node)
            frontier = new_frontier
        self._add_vertical(g, boss)
        self._add_peers(g, boss, rng)
        return g

    def _add_vertical(self, g: nx.MultiDiGraph, boss: dict[int, int]) -> None:
        for node, b in boss.items():
            front = g.nodes[node]["level"] == 0
            approve = self.approval_prob if front else self.escalation_prob
            if approve > 0:
                add_dependency(g, node, b, purpose="approval", need=Need.INSTRUCTION,
                               probability=approve, handoff=False, work=self.approval_work,
                               gate=self.approval_gate, thoroughness=self.thoroughness)
            if self.support_prob > 0:
                add_dependency(g, node, b, purpose="support", need=Need.ASSISTANCE,
                               probability=self.support_prob, weight=self.support_weight,
                               handoff=False, work=self.support_work)
            if self.coaching_rate > 0:
                add_dependency(g, node, b, purpose="coaching", need=Need.INSTRUCTION,
                               per_day=self.coaching_rate, handoff=False,
                               work=self.coaching_work,
                               directed=self.directed_coaching and self.reporting_rate > 0)
            if self.reporting_rate > 0:
                add_dependency(g, b, node, purpose="reporting", need=Need.INFORMATION,
                               per_day=self.reporting_rate, handoff=False,
                               work=self.report_work)

    def _add_peers(
        self, g: nx.MultiDiGraph, boss: dict[int, int], rng: np.random.Generator
    ) -> None:
        if self.peer_prob <= 0:
            return
        teams: dict[int, list[int]] = {}
        for node, b in boss.items():
            if g.nodes[node]["level"] == 0:
                teams.setdefault(b, []).append(node)
        for members in teams.values():
            if len(members) < 2:
                continue
            for node in members:
                others = [m for m in members if m != node]
                peer = others[int(rng.integers(len(others)))]
                add_dependency(g, node, peer, purpose="peer", need=Need.ASSISTANCE,
                               probability=self.peer_prob, handoff=False, work=self.peer_work)


@dataclass(frozen=True, config=_CONFIG)
class Pyramid(Hierarchy):
    """The traditional pyramid: lower levels serve higher ones.

    Managers ask their reports for weekly reports and act on them, much frontline work passes a
    supervisor's check, and every queue serves the higher-ranked requester first.
    """

    discipline: Discipline = field(default_factory=RankFirst)


@dataclass(frozen=True, config=_CONFIG)
class InvertedPyramid(Hierarchy):
    """Carlzon's inverted pyramid: management serves the frontline, the frontline the customers.

    Same people as :class:`Pyramid`. Management supplies assistance and coaching instead of asking
    for reports, approvals are rare (empowerment), and work nearest a customer is served first.
    """

    discipline: Discipline = field(default_factory=CustomerFirst)
    inverted: bool = True
    approval_prob: ApprovalProb = 0.05
    escalation_prob: EscalationProb = 0.05
    reporting_rate: ReportingRate = 0.0
    support_prob: SupportProb = 0.15
    coaching_rate: CoachingRate = 0.5


@dataclass(frozen=True, config=_CONFIG)
class TwoWayStreet(Hierarchy):
    """Halfway: weekly reports up, some help and coaching down, first come first served."""

    discipline: Discipline = field(default_factory=FirstComeFirstServed)
    approval_prob: ApprovalProb = 0.15
    escalation_prob: EscalationProb = 0.12
    support_prob: SupportProb = 0.08
    coaching_rate: CoachingRate = 0.25


@dataclass(frozen=True, config=_CONFIG)
class FlatTeam(OrgDesign):
    """A self-managing team: everyone serves customers and helps a few teammates."""

    size: Annotated[int, Field(ge=1, le=MAX_POSITIONS, description=(
        "Number of team members."))] = 12
    helpers: Annotated[int, Field(ge=0, description="Teammates each member relies on.")] = 2
    peer_prob: Annotated[Probability, Field(description=(
        "Share of work that needs each helper."))] = 0.05
    rate: Annotated[Rate, Field(description="Tasks per day per member.")] = 12.0
    skill: Annotated[Skill, Field(description="Mean skill (0 to 1).")] = 0.8
    peer_work: Annotated[Work, Field(description=(
        "Work content of a teammate's help, in the teammate's tasks."))] = 1.0

    @model_validator(mode="after")
    def _helpers_fit(self) -> Self:
        require(self.helpers < max(self.size, 1) or self.helpers == 0, "FlatTeam", "helpers",
                self.helpers, f"0 to size - 1 = {self.size - 1}")
        return self

    def footprint(self) -> Footprint:
        """Every member faces customers."""
        return Footprint(self.size, self.size, self.size * self.rate)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Members 0..size-1, each relying on ``helpers`` random teammates."""
        g = nx.MultiDiGraph(inverted=self.inverted, design="FlatTeam")
        for i in range(self.size):
            add_position(g, i, role="team member", level=0, department="team",
                         skill=draw_skill(rng, self.skill), rate=self.rate, customer_facing=True)
        if self.size < 2 or self.helpers == 0 or self.peer_prob == 0:
            return g
        for i in range(self.size):
            # the k-th of the others is k, or k + 1 from i on: the draws of choosing among
            # the list of others, without building it (a build linear in the size)
            for k in rng.choice(self.size - 1, size=self.helpers, replace=False).tolist():
                add_dependency(g, i, k + (k >= i), purpose="peer", need=Need.ASSISTANCE,
                               probability=self.peer_prob, work=self.peer_work)
        return g


@dataclass(frozen=True, config=_CONFIG)
class Silos(OrgDesign):
    """Departments that hand work across their boundaries.

    Department 0 faces the customers; the others are back offices it relies on. Work crossing a
    department boundary pays a handoff delay and a quality loss (see ``Work.communication``).
    """

    departments: Annotated[int, Field(ge=1, le=100, description=(
        "Number of departments; the first faces the customers."))] = 3
    members: Annotated[int, Field(ge=1, le=1000, description=(
        "Staff per department, under one head each."))] = 6
    cross_prob: Annotated[Probability, Field(description=(
        "Share of frontline work that needs each back office."))] = 0.5
    approval_prob: Annotated[Probability, Field(description=(
        "Share of work that needs the department head's approval."))] = 0.1
    rate: Annotated[Rate, Field(description="Tasks per day per frontline member.")] = 12.0
    specialist_rate: Annotated[Rate, Field(description=(
        "Tasks per day per back-office specialist (specialised work is slower)."))] = 6.0
    head_rate: Annotated[Rate, Field(description="Tasks per day per department head.")] = 20.0
    skill: Annotated[Skill, Field(description="Mean skill (0 to 1).")] = 0.8
    approval_work: Annotated[Work, Field(description=(
        "Work content of an approval, in the head's tasks (assumption, as "
        ":attr:`Hierarchy.approval_work`)."))] = 0.5
    cross_work: Annotated[Work, Field(description=(
        "Work content of a back office's part of the work, in the specialist's tasks."))] = 1.0

    def footprint(self) -> Footprint:
        """A head and its members per department; the first department's members face customers."""
        return Footprint(self.departments * (self.members + 1), self.members,
                         self.members * self.rate)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Heads then members per department; frontline members rely on each back office."""
        g = nx.MultiDiGraph(inverted=self.inverted, design="Silos")
        names = ["customer service", "operations", "finance", "logistics", "legal", "IT"]
        node = 0
        staff: list[list[int]] = []
        for d in range(self.departments):
            dept = names[d] if d < len(names) else f"department {d + 1}"
            head = node
            add_position(g, head, role="head of " + dept, level=1, department=dept,
                         skill=draw_skill(rng, self.skill), rate=self.head_rate,
                         customer_facing=False)
            node += 1
            members = []
            for _ in range(self.members):
                role = "frontline" if d == 0 else "specialist"
                add_position(g, node, role=role, level=0, department=dept,
                             skill=draw_skill(rng, self.skill),
                             rate=self.rate if d == 0 else self.specialist_rate,
                             customer_facing=d == 0, manager=head)
                if self.approval_prob > 0:
                    add_dependency(g, node, head, purpose="approval", need=Need.INSTRUCTION,
                                   probability=self.approval_prob, work=self.approval_work)
                members.append(node)
                node += 1
            staff.append(members)
        if self.cross_prob > 0:
            for i, front in enumerate(staff[0]):
                for back in staff[1:]:
                    provider = back[i % len(back)]  # spread the frontline evenly
                    add_dependency(g, front, provider, purpose="cross-department",
                                   need=Need.INFORMATION, probability=self.cross_prob,
                                   work=self.cross_work)
        return g


