"""The service chain: routing, fork-join, delivery, vacancies and critical-path attribution.

A request arriving at a position asks the server there which inputs it needs, sends those
sub-requests in parallel, waits for all of them (fork-join), then joins the server's queue.
Finished work is delivered to the parent request, across a department boundary with a handoff
delay and quality loss, or, at the root, to the external customer or internal requester.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

import networkx as nx
import numpy as np

from simulation.agents.employee import Employee, Vacancy
from simulation.agents.protocol import ClockView, ModelView
from simulation.chain.metrics import EXTERNAL, Metrics
from simulation.core import keyed, rules
from simulation.core.causes import ROW, Kind, Step, need_index, step_of
from simulation.core.requests import Dependency, Need, Request, ServiceRecord
from simulation.core.shifts import shift_calendar

if TYPE_CHECKING:
    from simulation.agents.customer import Customer


class ChainModel(ModelView, Protocol):
    """What the chain reads from its model: the agents' view, the run's counters, the clock."""

    metrics: Metrics
    clock: ClockView


class ServiceChain:
    """Moves requests between positions; the model wires it, employees call ``complete``.

    Attributes:
        servers: Who serves each position now: its occupant, a covering peer, or a ``Vacancy``.
        occupant: The employee holding each position, or None while vacant.
        inputs_of: Per-request dependencies of each position.
        scheduled: ``(internal customer position, dependency)`` for every scheduled dependency.
        manager: Each position's manager position (-1: none), who acts up when it falls vacant.
        vacancy_wait: Delay to external customers blamed on each position while it was vacant.
        vacancy_steps: ``vacancy_wait`` by step of the chain (:class:`simulation.core.causes.Step`).
        calendar: Each position's working calendar (None: always at work;
            :mod:`simulation.core.shifts`).
    """

    def __init__(self, model: ChainModel, graph: nx.MultiDiGraph) -> None:
        self.model = model
        self.clock = model.clock
        self.metrics = model.metrics
        n = graph.number_of_nodes()
        nodes = [graph.nodes[i] for i in range(n)]  # each position's attributes, read once
        self.level = [int(nodes[i]["level"]) for i in range(n)]
        self.role = [str(nodes[i]["role"]) for i in range(n)]
        self.department = [str(nodes[i]["department"]) for i in range(n)]
        self.manager = [int(nodes[i].get("manager", -1)) for i in range(n)]
        self.hold = [float(nodes[i].get("hold", 0.0)) for i in range(n)]
        self.hold_cv = [float(nodes[i].get("hold_cv", 1.0)) for i in range(n)]
        self.calendar = [shift_calendar(float(nodes[i].get("shift_start", 0.0)),
                                        float(nodes[i].get("shift_end", 1.0)),
                                        str(nodes[i].get("workdays", "")))
                         for i in range(n)]
        self.vacancy_wait = [0.0] * n
        self.vacancy_steps = [[0.0] * len(Step) for _ in range(n)]  # vacancy_wait by step
        # the latest report each position made to its manager: when (-1: none yet), its load
        self.report_time = [-1.0] * n
        self.report_load = [0.0] * n
        self.report_skill = [0.0] * n  # inf: coached since that report
        self.rebalancing = bool(graph.graph.get("rebalancing", False))
        # manager -> direct reports by role (roles in the order their first report comes)
        reports: dict[int, dict[str, list[int]]] = {}
        for i in range(n):  # one pass: a loop over every position per manager was quadratic
            if self.manager[i] != -1:
                reports.setdefault(self.manager[i], {}).setdefault(self.role[i], []).append(i)
        self.teams: dict[int, list[list[int]]] = {
            boss: list(reports[boss].values()) for boss in sorted(reports)}
        self.group_of: list[list[int]] = [[i] for i in range(n)]  # i's team (same boss, role)
        for groups in self.teams.values():
            for group in groups:
                for i in group:
                    self.group_of[i] = group
        self.inputs_of: list[list[Dependency]] = [[] for _ in range(n)]
        self.reviews_of: list[list[Dependency]] = [[] for _ in range(n)]
        self.gates_of: list[list[Dependency]] = [[] for _ in range(n)]
        self.scheduled: list[tuple[int, Dependency]] = []
        for u, v, key, data in sorted(graph.edges(keys=True, data=True),
                                      key=lambda e: (e[0], e[1], str(e[2]))):
            dep = Dependency(provider=v, need=data["need"], probability=data["probability"],
                             per_day=data["per_day"], weight=data["weight"],
                             handoff=bool(data["handoff"]), purpose=str(key),
                             review=bool(data.get("review", False)),
                             work=float(data.get("work", 1.0)),
                             gate=bool(data.get("gate", False)),
                             thoroughness=float(data.get("thoroughness", 0.0)),
                             directed=bool(data.get("directed", False)),
                             exclusive=bool(data.get("exclusive", False)))
            if dep.review:
                self.reviews_of[u].append(dep)
            elif dep.gate:
                self.gates_of[u].append(dep)
            elif dep.probability > 0:
                self.inputs_of[u].append(dep)
            if dep.per_day > 0:
                self.scheduled.append((u, dep))
        self.failure_demand = model.config.customers.failure_demand
        # defects are drawn only where gates look for them or customers complain about them
        self.defects = any(self.gates_of) or self.failure_demand > 0.0
        self.scheduled_rates = np.array([dep.per_day for _, dep in self.scheduled], dtype=float)
        self.by_role: dict[str, list[int]] = {}
        for i in range(n):
            self.by_role.setdefault(self.role[i], []).append(i)
        self.servers: list[Employee | Vacancy] = []
        self.occupant: list[Employee | None] = []
        self.staffing = 0  # counts changes of ``occupant`` (for caches of the staff)
        self.covers: dict[int, list[int]] = {}
        self._rid = 0
        self._seq = 0
        work = model.config.work
        self.handoff_mean = work.handoff_delay * (1.0 - work.communication)
        self.handoff_keep = 1.0 - work.handoff_loss * (1.0 - work.communication)
        self.price = model.config.customers.price

    # ------------------------------------------------------------------ arrivals

    def next_seq(self) -> int:
        """A sequence number for first-come-first-served ties."""
        self._seq += 1
        return self._seq

    def _new(self, node: int, need: Need, parent: Request | None, requester_id: int,
             requester_level: int, weight: float = 1.0,
             customer: Customer | None = None) -> Request:
        self._rid += 1
        self.metrics.requests_created += 1
        request = Request(self._rid, node, need, self.clock.now, parent, requester_id,
                          requester_level, weight, customer)
        if parent is None:
            request.key = keyed.root_key(self.model.streams.inputs, request.arrival,
                                         customer is None)
        else:
            parent.spawned += 1
            request.key = keyed.child_key(parent.key, parent.spawned)
        return request

    def submit_external(self, customer: Customer, size: float = -1.0) -> Request:
        """An external customer's request arrives at the customer's home position.

        ``size`` is a standard exponential drawn with the arrival: the home position's own work
        on it, so a design change does not change how much work the customer brings.
        """
        self.metrics.on_external_arrival(self.clock.now)
        request = self._new(customer.home, Need.SERVICE, None, customer.unique_id, -1,
                            customer=customer)
        request.size = size
        self.dispatch(request)
        return request

    def submit_scheduled(self, index: int) -> Request | None:
        """A scheduled internal request (a report, a coaching session, a payroll run)."""
        node, dep = self.scheduled[index]
        if self.occupant[node] is None:
            return None  # nobody in the position to ask
        if dep.directed:
            node = self.coached(node)
        requester = self.occupant[node]
        assert requester is not None
        self.metrics.internal_arrived += 1
        request = self._new(dep.provider, dep.need, None, requester.unique_id,
                            self.level[node], dep.weight)
        request.origin = node
        request.content = dep.work
        self.dispatch(request)
        return request

    def dispatch(self, request: Request) -> None:
        """Fork the needed sub-requests, or queue the work at once if it needs none."""
        server = self.servers[request.node]
        needed = server.needed_inputs(request)
        if not needed:
            server.accept(request)
            return
        request.pending = len(needed)
        requester_id = server.unique_id if isinstance(server, Employee) else -1
        level = self.level[request.node]
        for dep in needed:
            child = self._new(dep.provider, dep.need, request, requester_id, level, dep.weight)
            child.handoff = dep.handoff
            child.content = dep.work
            child.step = step_of(dep)
            self.dispatch(child)

    # ------------------------------------------------------------------ completion

    def complete(self, request: Request) -> None:
        """Called by the server when the work is done: record it, then review it or pass it on."""
        metrics = self.metrics
        parent = request.parent
        metrics.services += 1
        if metrics.position_counts is not None:  # twin: the kernel's _finish
            metrics.on_visit(request.node, self.clock.now - request.ready)
        if metrics.keep_records:
            inputs = request.inputs
            metrics.records.append(ServiceRecord(
                request.id,
                parent.id if parent is not None else -1,
                request.root.id,
                request.requester_id,
                request.server.unique_id,
                request.node,
                request.need,
                request.root.customer is not None,
                request.depth,
                request.arrival,
                request.ready,
                request.start,
                request.finish,
                sum(q for q, _ in inputs) / len(inputs) if inputs else math.nan,
                request.quality,
            ))
        if self.defects:
            request.defective = self.model.streams.decisions.random() < 1.0 - request.quality
        if self.reviews_of[request.node] and self._send_for_review(request):
            return
        if self.gates_of[request.node] and self._send_to_gates(request):
            return
        self._pass_on(request)

    def _pass_on(self, request: Request) -> None:
        """The work is done for good: to its requester or its customer.

        First it waits on others outside the chain (the position's ``hold``), then, crossing a
        department, the handoff (twin: the kernel's ``_pass_on``).
        """
        parent = request.parent
        self.metrics.requests_completed += 1
        node = request.node
        hold = self.hold[node]
        delay = 0.0
        if hold > 0.0:  # twin: the kernel's _held
            work = self.model.streams.work
            e1 = work.exponential()
            delay = (rules.hyperexponential(hold, self.hold_cv[node], e1, work.exponential())
                     if self.hold_cv[node] > 1.0 else hold * e1)
            request.hold_delay = delay
        if self.metrics.keep_records:  # passed on now, out of the position after its hold
            self.metrics.releases.append((request.id, self.clock.now, self.clock.now + delay))
        if parent is None:
            if delay > 0.0:
                self.clock.schedule(self.clock.now + delay, self._release, request)
            else:
                self._finish_root(request)
            return
        if request.handoff and self.handoff_mean > 0.0:
            delay += self.handoff_mean * self.model.streams.work.exponential()
        if delay > 0.0:
            self.clock.schedule(self.clock.now + delay, self._deliver, request)
        else:
            self._deliver(request)

    def _release(self, root: Request) -> None:
        """A root's hold is over: it reaches its customer or internal requester."""
        self._finish_root(root)

    def _send_to_gates(self, request: Request) -> bool:
        """Fork the quality gates' checks of the finished work (``Employee.needs_approval``)."""
        checks = request.server.needs_approval(request)
        if not checks:
            return False
        request.caught = False
        self._fork_after(request, checks, check=True)
        return True

    def _fork_after(self, request: Request, deps: list[Dependency], check: bool) -> None:
        """The pass just finished waits for these reviews (or gates' checks): fork them."""
        self._next_pass(request, len(deps))
        server = request.server
        for dep in deps:
            child = self._new(dep.provider, dep.need, request, server.unique_id,
                              self.level[request.node], dep.weight)
            child.handoff = dep.handoff
            child.content = dep.work
            child.step = step_of(dep)
            if check:
                child.check = True
                child.thoroughness = dep.thoroughness
            self.dispatch(child)

    def _next_pass(self, request: Request, pending: int) -> None:
        """The pass just finished waits for ``pending`` reviews or checks (its blame kept)."""
        request.pending = pending
        request.size = -1.0  # a next pass is new work: a fresh work time
        request.segment = self._segment(request)
        request.passes += 1
        request.prior, request.prior_server, request.vacant = 0.0, None, 0.0
        request.left = 0.0

    def _checked(self, check: Request, quality: float) -> None:
        """A gate's check reaches the work it checked: a defect found sends the work back."""
        work = check.parent
        assert work is not None
        work.checks.append(check)
        if work.defective and self.model.streams.decisions.random() < (
                check.thoroughness * check.skill):
            work.caught = True
        work.pending -= 1
        if work.pending:
            return
        if work.caught:
            work.ready = self.clock.now
            self.servers[work.node].accept(work)
        else:
            work.passed = True
            work.finish = self.clock.now  # released by its gates
            self._pass_on(work)

    def _send_for_review(self, request: Request) -> bool:
        """Fork the reviews the finished work needs; it returns for another pass after them."""
        reviews = request.server.needs_review(request)
        if not reviews:
            return False
        self._fork_after(request, reviews, check=False)
        return True

    def _deliver(self, child: Request) -> None:
        now = self.clock.now
        child.delivered = now
        child.handoff_delay = (max(0.0, now - child.finish - child.hold_delay)
                               if child.handoff and self.handoff_mean > 0.0 else 0.0)
        quality = (rules.handed_over(child.quality, self.handoff_keep) if child.handoff
                   else child.quality)
        parent = child.parent
        assert parent is not None
        if child.check:  # a gate's check: no input to the work's quality
            self._judged(child.server, parent.node, quality, now - child.arrival)
            self._checked(child, quality)
            return
        parent.inputs.append((quality, child.weight))
        parent.children.append(child)
        self._judged(child.server, parent.node, quality, now - child.arrival)
        parent.pending -= 1
        if parent.pending == 0:
            parent.ready = now
            self.servers[parent.node].accept(parent)

    def _judged(self, provider: Employee, customer_node: int, quality: float,
                response: float) -> None:
        """The internal customer judges a service; the provider's record is updated."""
        requester = self.servers[customer_node]
        if isinstance(requester, Employee):
            score = requester.experience(quality, response)
        else:  # nobody in post: judged against the default expectation
            people = self.model.config.people
            value = rules.discounted(quality, response, self.model.work_cfg.internal_tolerance)
            score = rules.disconfirmation(value, people.internal_expectation,
                                          people.internal_sensitivity)
        provider.internal_served += 1
        provider.internal_response += response
        provider.internal_score += score
        self.metrics.on_internal_experience(score)
        self.metrics.on_flow(provider.node, customer_node, score, response)

    def _finish_root(self, root: Request) -> None:
        now = self.clock.now
        customer = root.customer
        if customer is None:
            self.metrics.internal_completed += 1
            if self.manager[root.node] == root.origin:  # a report: the manager's picture
                self.report_time[root.node] = now
                self.report_load[root.node] = root.server.present
                self.report_skill[root.node] = root.server.effective_skill
            self._judged(root.server, root.origin, root.quality, now - root.arrival)
            return
        delay = now - root.arrival
        failed = False
        if root.defective:
            if root.arrival < self.metrics.window_end:
                self.metrics.defects_delivered += 1
            failed = (self.failure_demand > 0.0
                      and self.model.streams.decisions.random() < self.failure_demand)
        satisfaction = customer.experience(0.0 if failed else root.quality, delay)
        self.metrics.on_external_done(now, root.arrival, root.quality, satisfaction,
                                      0.0 if root.complaint else self.price)
        self.metrics.on_flow(root.server.node, EXTERNAL, satisfaction, delay)
        root.server.external_served += 1
        self.attribute(root)
        if failed:  # the customer comes back with a complaint: failure demand
            self.clock.schedule(now, self._complain, customer)

    def _complain(self, customer: Customer) -> None:
        if self.clock.now < self.metrics.window_end:
            self.metrics.complaints += 1
        request = self.submit_external(customer)
        request.complaint = True

    def attribute(self, root: Request) -> None:
        """Blame an external request's delay and quality lost on the people who caused them.

        Delay follows the critical path (at each fork-join, the input delivered last); each
        employee on it is blamed for its queueing wait, its work, its hold (waiting on others
        outside the chain) and its handoff, which add up exactly to the customer's delay.
        Waiting that a vacancy causes is blamed on the vacant post (``vacancy_wait``), never on
        a successor: work held at the empty post, work waiting at whoever covers it, and work
        that joined a new hire's queue during the busy period the backlog they took over began.
        Work a leaver handed over blames the leaver for its time with them. Quality lost
        (``1 - q``) is split at each step by the quality rule's ``blame`` between own skill and
        inputs, and passed down the tree. Each moment of the delay is tallied by kind of time
        and step of the chain for the customer and the run (:mod:`simulation.core.causes`).
        Requests that arrived in the run-out are not counted, so not blamed.
        """
        metrics = self.metrics
        if root.arrival >= metrics.window_end:
            return  # not counted (it arrived in the run-out): not blamed either
        row = [0.0] * ROW
        stack = [root]
        while stack:  # the critical path: each pass of the work, and before it the last
            r = stack.pop()  # input, review or check delivered (twin: the kernel's _attribute)
            need = need_index(r.need)
            if not r.passed:  # else the last pass is the one its gates' checks kept
                self._blame_pass(r.node, self._segment(r), r.step, need, row)
            server = r.server
            server.blamed_hold += r.hold_delay
            server.blamed_steps[r.step] += r.hold_delay
            self._tally(row, need, r.step, Kind.HOLD, r.hold_delay)
            if r is not root:
                server.blamed_handoff += r.handoff_delay
                server.blamed_steps[r.step] += r.handoff_delay
                self._tally(row, need, r.step, Kind.HANDOFF, r.handoff_delay)
            for children in (r.children, r.checks):
                for i, child in enumerate(children):  # in delivery order: last of each batch
                    if any(later.batch == child.batch for later in children[i + 1:]):
                        continue
                    if child.pred is not None:  # the pass it checked
                        self._blame_pass(r.node, child.pred, r.step, need, row)
                    stack.append(child)
        if metrics.customer_causes:
            metrics.cause_rows.append((root.arrival, self.clock.now - root.arrival, *row))
        blame = self.model.quality_rule.blame
        stack = [(root, 1.0 - root.quality)]
        while stack:
            r, deficit = stack.pop()
            if deficit <= 0.0:
                continue
            shares = blame(r.skill, r.inputs)
            r.server.blamed_quality += deficit * shares[0]
            for (delivered, _), child, share in zip(r.inputs, r.children, shares[1:],
                                                    strict=True):
                part = deficit * share
                lost_delivered = 1.0 - delivered
                if part <= 0.0 or lost_delivered <= 0.0:
                    continue
                own = part * (1.0 - child.quality) / lost_delivered
                child.server.blamed_quality += part - own  # lost in the handoff
                stack.append((child, own))

    def _segment(self, r: Request) -> tuple:
        """Blame of the pass ``r`` last finished.

        Its server's wait (and of it the time overtaken) and work, its leaver's time (and of it
        the time with people who left), the vacancy's (covered for a vacant post, or behind a
        new hire's backlog), and which pass it was.
        """
        server = r.server
        wait = r.start - r.queued
        over = r.overtaken
        vacant = r.vacant
        off_work = self.off_shift(server.node, r.start, r.finish)
        off_wait = self.off_shift(server.node, r.queued, r.start)
        if r.node != server.node or r.queued < server.backlog_until:
            vacant, wait, over, off_wait = vacant + wait, 0.0, 0.0, 0.0
        return (server, wait, over, r.finish - r.start, r.prior_server, r.prior, r.left,
                vacant, r.passes, off_wait, off_work)

    def off_shift(self, node: int, a: float, b: float) -> float:
        """Time in ``[a, b]`` that the holder of ``node`` is off shift.

        Twin: the kernel's ``_off_shift``.
        """
        calendar = self.calendar[node]
        if calendar is None:
            return 0.0
        return max(0.0, (b - a) - (rules.worked(b, *calendar) - rules.worked(a, *calendar)))

    def _blame_pass(self, node: int, segment: tuple, step: int, need: int,
                    row: list[float]) -> None:
        """Blame one pass on its server, leaver and vacancy, and tally it for its customer.

        Twin of the kernel's ``_blame_pass``.
        """
        server, wait, over, work, leaver, prior, left, vacant, index, off_wait, off_work = segment
        step = rules.pass_step(step, index)
        server.blamed_wait += wait + off_work  # all but the work done on shift
        server.blamed_overtaken += over
        server.blamed_off += off_wait + off_work
        server.blamed_work += work - off_work
        server.blamed_steps[step] += wait + work
        if leaver is not None:
            leaver.blamed_wait += prior
            leaver.blamed_left += left
            leaver.blamed_steps[step] += prior
        self.vacancy_wait[node] += vacant
        self.vacancy_steps[node][step] += vacant
        self._tally(row, need, step, Kind.WORK, work - off_work)
        self._tally(row, need, step, Kind.CONTENTION, (wait - off_wait - over) + (prior - left))
        self._tally(row, need, step, Kind.PRIORITISATION, over)
        self._tally(row, need, step, Kind.UNAVAILABLE, left + vacant + (off_wait + off_work))

    def _tally(self, row: list[float], need: int, step: int, kind: int, days: float) -> None:
        """Add ``days`` of a counted customer's delay to its row and the run's causes."""
        row[kind] += days
        row[len(Kind) + step] += days
        self.metrics.causes[need, step, kind] += days

    def rebalance(self) -> None:
        """Managers move waiting work between their people, as the latest reports show them.

        In each role a manager's direct reports hold, ``k = (most - least) // 2`` queued
        requests go from the most to the least loaded (ties: the lowest position), by the loads
        the latest reports gave, however old; the picture is then updated by what was moved.
        Positions vacant or covered, or with no report yet, are left alone.
        """
        for boss in self.teams:
            for group in self.teams[boss]:
                seen = [p for p in group if self.report_time[p] >= 0.0
                        and self.occupant[p] is not None and self.servers[p] is self.occupant[p]]
                if len(seen) < 2:
                    continue
                most = max(seen, key=lambda p: (self.report_load[p], -p))
                least = min(seen, key=lambda p: (self.report_load[p], p))
                k = int(self.report_load[most] - self.report_load[least]) // 2
                if k > 0:
                    moved = self.move(self.occupant[most], k, least)
                    self.report_load[most] -= moved
                    self.report_load[least] += moved

    def coached(self, position: int) -> int:
        """Who gets a directed session scheduled for ``position``: by the latest reports.

        Among the direct reports of the position's manager in its role (``teams``) that are
        in post, not covered, and reported since they were last coached, the least skilled
        by their report (ties: the lowest position); that report is then used up. With nobody
        to choose, the session stays with ``position``.
        """
        chosen = self._least_skilled(self.group_of[position])
        if chosen < 0:
            return position
        self.report_skill[chosen] = math.inf
        return chosen

    def _least_skilled(self, group: list[int]) -> int:
        best, skill = -1, math.inf
        for p in group:
            if (self.report_time[p] >= 0.0 and self.report_skill[p] < skill
                    and self.occupant[p] is not None and self.servers[p] is self.occupant[p]):
                best, skill = p, self.report_skill[p]
        return best

    def move(self, employee: Employee, k: int, position: int) -> int:
        """The last ``k`` queued requests of ``employee`` go to ``position``; returns how many."""
        work = employee.give_back(k)
        for request in work:
            request.node = position
            self.servers[position].accept(request)
        return len(work)

    # ------------------------------------------------------------------ people come and go

    def staff(self, employees: list[Employee]) -> None:
        """Put the first occupants in place (one per position, in position order)."""
        self.occupant = list(employees)
        self.servers = list(employees)
        self.staffing += 1

    def vacate(self, employee: Employee) -> None:
        """An employee leaves: cover the position by a peer, or hold its work until the hire."""
        node = employee.node
        work = employee.hand_over()
        covered = self.covers.pop(node, [])
        self.occupant[node] = None
        self.staffing += 1
        for position in [node, *covered]:
            self._reroute(position)
        for request in work:
            self.servers[request.node].accept(request)

    def _reroute(self, position: int) -> None:
        peer = self.cover(position)
        if peer is not None:
            self.servers[position] = peer
            self.covers.setdefault(peer.node, []).append(position)
        else:
            self.servers[position] = Vacancy(self.model, position, self.inputs_of[position])

    def cover(self, position: int) -> Employee | None:
        """Who covers a vacant position until the hire: a peer, else an interim.

        The least busy peer in its role, its department first; with no peer, the position's
        manager; with no manager in post (the top), the least busy of its direct reports acts
        up (unless ``People.interim`` is off). None when none of them is in post.
        """
        peer = self.peer(position)
        if peer is not None or not self.model.config.people.interim:
            return peer
        return self.interim(position)

    def interim(self, position: int) -> Employee | None:
        """The manager of ``position`` if in post, else the least busy direct report in post."""
        boss = self.manager[position]
        if boss >= 0 and self.occupant[boss] is not None:
            return self.occupant[boss]
        reports = [self.occupant[i] for group in self.teams.get(position, []) for i in group]
        reports = [p for p in reports if p is not None]
        if not reports:
            return None
        return min(reports, key=lambda p: (self.present(p), p.node))

    def peer(self, position: int) -> Employee | None:
        """The least busy peer in the role of ``position``, its department first (ties: lowest).

        None when nobody else holds the role.
        """
        dept = self.department[position]
        peers = [self.occupant[i] for i in self.by_role[self.role[position]]]
        peers = [p for p in peers if p is not None]
        if not peers:
            return None
        same_dept = [p for p in peers if p.department == dept] or peers
        return min(same_dept, key=lambda p: (self.present(p), p.node))

    def present(self, employee: Employee) -> int:
        """Requests queued at or in service with an employee (who covers a vacated position)."""
        return employee.present

    def forget_report(self, node: int) -> None:
        """A new hire: the manager has no report of them yet (the post's last was another's)."""
        self.report_time[node] = -1.0

    def fill(self, employee: Employee) -> None:
        """A new hire takes the position (and any work that waited for it)."""
        node = employee.node
        previous = self.servers[node]
        self.forget_report(node)
        self.occupant[node] = employee
        self.staffing += 1
        self.servers[node] = employee
        if isinstance(previous, Vacancy):
            now = self.clock.now
            for request in previous.waiting:
                request.vacant += now - request.queued
            employee.take_backlog(previous.waiting)
        else:
            self.covers[previous.node].remove(node)

    def census(self) -> tuple[int, list[float]]:
        """Count requests where they are, not by the counters.

        Returns the requests present (queued, in service, held at a vacancy, or waiting for
        inputs) and the arrival times of the external requests open (present or in transit).
        """
        located: list[Request] = []
        for server in {id(s): s for s in self.servers}.values():
            if isinstance(server, Vacancy):
                located.extend(server.waiting)
            else:
                located.extend(r for _, _, r in server.queue)
                if server.current is not None:
                    located.append(server.current)
        in_transit = [arg for fn, arg in self.clock.scheduled()
                      if getattr(fn, "__name__", "") in ("_deliver", "_release")]
        waiting: dict[int, Request] = {}
        for r in located + in_transit:
            parent = r.parent
            while parent is not None:
                if parent.pending > 0:
                    waiting[id(parent)] = parent
                parent = parent.parent
        present = located + list(waiting.values())
        roots = {r.root.id: r.root for r in present + in_transit}
        return len(present), [roots[k].arrival for k in sorted(roots)
                              if roots[k].customer is not None]

    def in_progress(self) -> int:
        """Requests created and not yet completed (queued, in service or waiting for inputs)."""
        return self.metrics.requests_created - self.metrics.requests_completed
