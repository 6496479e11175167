"""Employees: internal customers of their providers and single servers of their own customers.

Every decision is one small method so a student can change one behaviour by subclassing::

    class Helpful(Employee):
        def priority(self, request):          # serve the most senior requester first
            return -request.requester_level

    OrgModel(employee_cls=Helpful)
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import mesa

from simulation.agents.hooks import FINITE, checked, docstring_section
from simulation.core import keyed, rules
from simulation.core.causes import Step
from simulation.core.requests import Dependency, Need, Request
from simulation.core.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulation.agents.protocol import ModelView


def sample_inputs(
    dependencies: list[Dependency], request: Request, max_depth: int
) -> list[Dependency]:
    """The per-request dependencies a request needs.

    Each is drawn with its probability, nothing beyond the depth limit, and never anyone already
    on the request's chain, except by an exclusive input: a Markov route may come back to a
    position (a ticket that goes back and forth), and ends by its probability of needing none.
    The ``m``-th dependency's draw is the ``m``-th of the request's own key
    (:func:`simulation.core.keyed.keyed_uniform`): the same request draws the same way in every
    design, whatever other requests drew before it. Exclusive dependencies share one draw
    (the key's ``len(dependencies)``-th): at most one of them is needed (Markov routing).
    """
    if request.depth >= max_depth:
        return []
    chosen = exclusive_choice(dependencies, request.key)
    needed = []
    for m, dep in enumerate(dependencies):
        p = dep.probability
        if p <= 0.0:
            continue
        if dep.exclusive:
            if m != chosen:
                continue
        elif p < 1.0 and keyed.keyed_uniform(request.key, m) >= p:
            continue
        if dep.exclusive or not request.on_chain(dep.provider):  # a route may come back
            needed.append(dep)
    return needed


def exclusive_choice(dependencies: list[Dependency], key: int) -> int:
    """Index of the exclusive dependency a request with ``key`` needs (-1: none of them).

    One uniform draw against the exclusive dependencies' cumulative probabilities, in order.
    """
    if not any(dep.exclusive for dep in dependencies):
        return -1
    u = keyed.keyed_uniform(key, len(dependencies))
    total = 0.0
    for m, dep in enumerate(dependencies):
        if dep.exclusive:
            total += dep.probability
            if u < total:
                return m
    return -1


def _where(employee: Employee) -> str:
    """An employee in words, for the messages of hook outputs out of range."""
    return f"employee {employee.unique_id} at position {employee.node} ({employee.role})"


class Employee(mesa.Agent):
    """A person in a position: an internal customer of its providers and a single server.

    Attributes:
        node: The position (graph node) this employee holds.
        role: Job title, e.g. ``frontline`` or ``supervisor``.
        level: Hierarchy level, 0 = frontline.
        department: Department name.
        skill: Skill in (0, 1] at full proficiency and baseline morale.
        rate: Tasks per day at full speed.
        morale: Morale in [0, 1].
        tenure: Days in the organization.
        dependencies: Per-request inputs this position relies on.
        proficiency: Learning-curve proficiency in (0, 1]; new hires start lower.
        learning_gap: The proficiency a new hire lacked when hired (the learning curve's start).
        resources: Moving average of the satisfaction with internal service received (job
            resources).
        expectation: The value this employee expects of an internal service.
        load: Moving average of utilisation (job demands).
        experience_sum: Sum of today's experiences of internal service received.
        experience_count: How many services received today.
        present: Requests queued here or in service (Little's law: L).
        handed: Requests handed over on leaving (they left unfinished).
        backlog_until: When the busy period that began with a backlog taken over from a
            vacancy ended (inf while it lasts): waiting of work that joined the queue before
            then is blamed on the vacancy.
        area: Time integral of ``present`` up to ``last_change``.
        last_change: When ``present`` last changed.
        engine_row: This employee's row in the compiled engine (-1 on the Python path).
    """

    def __init__(
        self,
        model: ModelView,
        node: int,
        *,
        role: str,
        level: int,
        department: str,
        skill: float,
        rate: float,
        dependencies: list[Dependency],
        morale: float,
        proficiency: float = 1.0,
        tenure: float = 0.0,
    ) -> None:
        super().__init__(model)
        self.node = node
        self.role = role
        self.level = level
        self.department = department
        self.skill = skill
        self.rate = rate
        self.morale = morale
        self.tenure = tenure
        self.dependencies = dependencies
        self.proficiency = proficiency
        self.learning_gap = 1.0 - proficiency
        self.engine_row = -1
        self.tasks_done = 0
        self.active = True
        # the queue: (priority key, sequence, request); the request in service
        self.queue: list[tuple[float, int, Request]] = []
        self.current: Request | None = None
        self._token = 0
        # Little's law bookkeeping: requests present (queued or in service) and its time integral
        self.present = 0
        self.area = 0.0
        self.last_change = 0.0
        self.accepted = 0  # requests taken into the queue (arrivals, for lambda)
        self.handed = 0  # requests handed over on leaving (departures besides tasks_done)
        self.backlog_until = 0.0
        self.sojourn_sum = 0.0  # time present here of the requests that left (for W)
        self.busy_time = 0.0
        self._busy_snapshot = 0.0
        # job demands-resources state
        p = model.config.people
        self.resources = p.resource_ref
        self.expectation = p.internal_expectation
        self.load = 0.0
        self.experience_sum = 0.0
        self.experience_count = 0
        self._dynamic = p.enabled
        # service given: internal customers served, their response time and satisfaction
        self.internal_served = 0
        self.internal_response = 0.0
        self.internal_score = 0.0
        self.external_served = 0
        # delay (days) and quality lost on external customers' critical paths, attributed here
        self.blamed_wait = 0.0
        self.blamed_work = 0.0
        self.blamed_handoff = 0.0
        self.blamed_hold = 0.0  # waiting on others outside the chain, after this one's work
        self.blamed_overtaken = 0.0  # of blamed_wait: work that came later served first
        self.blamed_left = 0.0  # of blamed_wait: work this one left with (unavailable)
        self.blamed_off = 0.0  # of blamed_wait: off shift, waiting or paused (unavailable)
        self.blamed_steps = [0.0] * len(Step)  # all the above by step of the chain
        self.blamed_quality = 0.0
        self.hired = model.steps
        self.left: int | None = None
        self.refresh()

    # ---------------------------------------------------------------- decisions (override these)

    def priority(self, request: Request) -> float:
        """Which queued work to do next: the lowest key first (the design's discipline)."""
        return self.model.discipline.key(request)

    def needed_inputs(self, request: Request) -> list[Dependency]:
        """Which of this position's providers a request needs."""
        deps = (self.dependencies if request.node == self.node
                else self.model.chain.inputs_of[request.node])  # covering a vacant position
        return sample_inputs(deps, request, self.model.max_depth)

    def needs_review(self, request: Request) -> list[Dependency]:
        """Which reviewers check this finished work (it comes back for another pass after)."""
        chain = self.model.chain
        deps = chain.reviews_of[request.node]
        if request.depth >= self.model.max_depth:
            return []
        d = self.model.streams.decisions
        return [dep for dep in deps if d.random() < dep.probability
                and not request.on_chain(dep.provider)]

    def needs_approval(self, request: Request) -> list[Dependency]:
        """Which quality gates check this finished work (a defect found sends it back).

        Each with its probability; work sent back after a check is checked again by every gate.
        """
        deps = self.model.chain.gates_of[request.node]
        if request.depth >= self.model.max_depth:
            return []
        d = self.model.streams.decisions
        return [dep for dep in deps if (request.caught or d.random() < dep.probability)
                and not request.on_chain(dep.provider)]

    def work_time(self, request: Request) -> float:
        """How long the work takes, in days.

        Own speed times the request's work content, times the effort its inputs leave.
        """
        mean = self.mean_work * request.content
        if request.inputs:
            mean *= checked(self, "effort", self.effort(request), 0.0, FINITE, _where)
        model = self.model
        if request.size >= 0.0 and model.work_from_exponential is not None:
            return model.work_from_exponential(mean, request.size)  # drawn with the arrival
        return model.work_time.sample(mean, model.streams.work)

    def effort(self, request: Request) -> float:
        """Work multiplier from the inputs: poor inputs cause rework, assistance takes work off."""
        work = self.model.work_cfg
        inputs = request.inputs
        # twin of the input loop in the kernel's _work_time (tests/test_twins.py)
        mean_q = sum(q for q, _ in inputs) / len(inputs)
        relief = 0.0
        for (q, _), child in zip(inputs, request.children, strict=True):
            if child.need is Need.ASSISTANCE:
                relief = max(relief, rules.assistance(q, work.assistance_relief))
        return rules.effort(mean_q, relief, work.rework)

    def output_quality(self, request: Request) -> float:
        """Quality of the output from effective skill and the delivered inputs."""
        return self.model.quality_rule.combine(self.effective_skill, request.inputs)

    def judge_service(self, quality: float, delay: float) -> float:
        """Satisfaction, in (0, 1), with an internal service received.

        Its value (quality after the wait) against this employee's expectation
        (disconfirmation, Oliver 1980).
        """
        value = rules.discounted(quality, delay, self.model.work_cfg.internal_tolerance)
        return rules.disconfirmation(value, self.expectation,
                                     self.model.config.people.internal_sensitivity)

    def target_morale(self) -> float:
        """Morale the day's resources and demands pull toward (job demands-resources)."""
        p = self.model.config.people
        return rules.target_morale(p.baseline_morale, p.resource_effect, self.resources,
                                   p.resource_ref, p.demand_effect, self.load, p.demand_ref)

    def quit_probability(self) -> float:
        """Probability of quitting today: rises exponentially as morale falls."""
        p = self.model.config.people
        base = p.quit_rate_per_month / DAYS_PER_MONTH
        return rules.quit_probability(base, p.quit_sensitivity, p.quit_morale_ref, self.morale)

    def will_quit(self) -> bool:
        """Whether this employee quits today."""
        p = checked(self, "quit_probability", self.quit_probability(), 0.0, 1.0, _where)
        return self.model.quit_draw(self.node) < p

    # ---------------------------------------------------------------- daily dynamics

    def experience(self, quality: float, delay: float) -> float:
        """Record an internal service received (and adapt the expectation); returns the score."""
        score = checked(self, "judge_service", self.judge_service(quality, delay), 0.0, 1.0,
                        _where)
        self.experience_sum += score
        self.experience_count += 1
        model = self.model
        value = rules.discounted(quality, delay, model.work_cfg.internal_tolerance)
        self.expectation = rules.smoothed(self.expectation, value,
                                          model.config.people.internal_expectation_learning)
        return score

    def update_morale(self, utilisation: float) -> None:
        """Move morale toward the target set by internal service received and sustained load."""
        p = self.model.config.people
        if self.experience_count:
            day_mean = self.experience_sum / self.experience_count
            self.resources = rules.averaged(self.resources, day_mean, p.resource_memory)
        self.experience_sum, self.experience_count = 0.0, 0
        self.load = rules.averaged(self.load, utilisation, p.demand_memory)
        target = checked(self, "target_morale", self.target_morale(), 0.0, 1.0, _where)
        self.morale = rules.smoothed(self.morale, target, p.adjustment)

    def learn(self) -> None:
        """Wright's learning curve: the gap to full proficiency shrinks as tasks double."""
        if self.learning_gap > 0.0:
            exponent = math.log2(self.model.config.people.progress_ratio)
            self.proficiency = rules.proficiency(self.learning_gap, self.tasks_done, exponent)

    def refresh(self) -> None:
        """Recompute effective skill and mean work time from morale and proficiency."""
        if self._dynamic:
            p = self.model.config.people
            gap = self.morale - p.baseline_morale
            self.effective_skill = rules.effective_skill(self.skill, self.proficiency,
                                                         p.quality_effect, gap)
            speed = rules.speed(self.proficiency, p.speed_effect, gap)
        else:
            self.effective_skill = self.skill
            speed = 1.0
        self.mean_work = rules.mean_work(self.rate, speed)

    def step_day(self, utilisation: float) -> None:
        """Daily update: tenure, learning, morale, and the skill and speed that follow."""
        self.tenure += 1.0
        if self._dynamic:
            self.learn()
            self.update_morale(utilisation)
        else:  # today's experiences are read by nothing: cleared, as the compiled pass does
            self.experience_sum, self.experience_count = 0.0, 0
        self.refresh()

    # ---------------------------------------------------------------- the single server

    def accept(self, request: Request) -> None:
        """Take a ready request into the queue; start it at once if idle."""
        model = self.model
        now = model.clock.now
        self.area += self.present * (now - self.last_change)
        self.last_change = now
        self.present += 1
        self.accepted += 1
        request.server = self
        request.queued = now
        request.overtaken = 0.0
        if self.current is None:
            self._begin(request, now)
        else:
            heapq.heappush(self.queue, (self.priority(request), model.chain.next_seq(), request))

    def _begin(self, request: Request, now: float) -> float:
        """Take ``request`` in hand; returns its work time (twin: the kernel's ``_begin``).

        It begins now, or off shift at the next shift's start, and ends once its work time has
        been worked on this employee's calendar.
        """
        self.current = request
        self._token += 1
        took = checked(self, "work_time", self.work_time(request), 0.0, FINITE, _where)
        calendar = self.model.chain.calendar[self.node]
        if calendar is None:
            request.start, end = now, now + took
        else:
            request.start = rules.advance(now, 0.0, *calendar)
            end = rules.advance(now, took, *calendar)
        self.model.clock.schedule(end, self._finish, self._token)
        return took

    def _worked(self, a: float, b: float) -> float:
        """Time worked from ``a`` to ``b`` on this employee's calendar (none: ``b - a``)."""
        calendar = self.model.chain.calendar[self.node]
        if calendar is None:
            return b - a
        return max(0.0, rules.worked(b, *calendar) - rules.worked(a, *calendar))

    def _overtake(self, seq: int, took: float) -> None:
        """Work that joined as ``seq`` began before older work: ``took`` is prioritisation to it.

        Twin of the scan in the kernel's ``_finish``.
        """
        for _, s, r in self.queue:
            if s < seq:
                r.overtaken += took

    def _finish(self, token: int) -> None:
        if token != self._token or self.current is None:
            return  # the work was handed over when this employee left
        now = self.model.clock.now
        request = self.current
        self.current = None
        request.finish = now
        request.skill = self.effective_skill
        request.quality = checked(self, "output_quality", self.output_quality(request), 0.0,
                                  1.0, _where)
        self.busy_time += self._worked(request.start, now)
        self.tasks_done += 1
        self.area += self.present * (now - self.last_change)
        self.last_change = now
        self.present -= 1
        self.sojourn_sum += now - request.queued
        self.model.chain.complete(request)
        if self.queue and self.current is None:
            _, seq, nxt = heapq.heappop(self.queue)
            self._overtake(seq, self._begin(nxt, now))
        elif self.current is None and self.backlog_until == math.inf:
            self.backlog_until = now  # first idle: the vacancy's backlog is worked off

    def take_backlog(self, work: list[Request]) -> None:
        """A new hire takes over the work a vacancy held, in order.

        The busy period it begins is the vacancy's: waiting of work that joins the queue before
        this employee is first idle again is blamed on the vacancy, not on them.
        """
        if work:
            self.backlog_until = math.inf
        for request in work:
            self.accept(request)

    def give_back(self, k: int) -> list[Request]:
        """Give up the last ``k`` requests of this post's own work in the queue (moved to a peer).

        Work covered for another post stays. Their time here goes with them, as at a hand-over.
        """
        now = self.model.clock.now
        order = sorted(self.queue)
        own = [i for i, (_, _, r) in enumerate(order) if r.node == self.node]
        chosen = set(own[max(0, len(own) - k):])
        moved = [r for i, (_, _, r) in enumerate(order) if i in chosen]
        self.queue = [e for i, e in enumerate(order) if i not in chosen]  # sorted: a heap
        self.area += self.present * (now - self.last_change)
        self.last_change = now
        for r in moved:
            self.sojourn_sum += now - r.queued
            r.prior += now - r.queued
            r.prior_server = self
        self.present -= len(moved)
        self.handed += len(moved)
        return moved

    def busy_until_now(self) -> float:
        """Cumulative busy time including the work in progress."""
        if self.current is None:
            return self.busy_time
        return self.busy_until_now_of(self.busy_time, self.current.start)

    def busy_until_now_of(self, busy: float, start: float) -> float:
        """``busy`` plus the time worked on the work in hand since ``start``.

        Twin: the kernel's ``_busy_now``.
        """
        now = self.model.clock.now
        if self.model.chain.calendar[self.node] is None:
            return busy + now - start
        return busy + self._worked(start, now)

    def utilisation_since_last(self) -> float:
        """Share of time busy since the previous call (the day's utilisation)."""
        total = self.busy_until_now()
        used = total - self._busy_snapshot
        self._busy_snapshot = total
        return used

    def hand_over(self) -> list[Request]:
        """Leave: return all queued and in-progress work (in-progress work restarts elsewhere).

        The time each request spent here is carried with it, blamed on this employee if it
        ends up on a customer's critical path (``prior``), or on the vacancy (``vacant``) for
        work covered for a vacant post or waiting behind a vacancy's backlog.
        """
        now = self.model.clock.now
        self.area += self.present * (now - self.last_change)
        self.last_change = now
        work = [r for _, _, r in sorted(self.queue)]
        if self.current is not None:
            self.busy_time += self._worked(self.current.start, now)
            work.insert(0, self.current)
            self.current = None
        for r in work:
            self.sojourn_sum += now - r.queued
            if r.node != self.node or r.queued < self.backlog_until:
                r.vacant += now - r.queued  # covered for a vacant post, or behind its backlog
            else:
                r.prior += now - r.queued
                r.left += now - r.queued
                r.prior_server = self
        self.handed += len(work)
        self._token += 1
        self.queue = []
        self.present = 0
        self.active = False
        return work


class Vacancy:
    """An open position with nobody to cover it: work waits here until the hire."""

    def __init__(self, model: ModelView, node: int, dependencies: list[Dependency]) -> None:
        self.model = model
        self.node = node
        self.dependencies = dependencies
        self.waiting: list[Request] = []

    def needed_inputs(self, request: Request) -> list[Dependency]:
        """The position's inputs are still requested while it is vacant."""
        model = self.model
        return sample_inputs(self.dependencies, request, model.max_depth)

    def accept(self, request: Request) -> None:
        """Hold the work for the next occupant (the wait is blamed on the vacancy)."""
        request.queued = self.model.clock.now
        self.waiting.append(request)


Employee.__doc__ = (Employee.__doc__ or "") + docstring_section("Employee")
Vacancy.__doc__ = (Vacancy.__doc__ or "") + docstring_section("Vacancy")
