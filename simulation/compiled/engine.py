"""The compiled engine's arrays and the calls into the kernel.

``OrgModel`` runs the day's work in :mod:`simulation.compiled.kernel` when every within-day
behaviour is the default one (no hook overridden, built-in strategies, no service records kept):
the same results as the Python path, draw for draw. The default daily dynamics (morale, learning,
quitting) run in a compiled array pass too; overriding a daily hook such as ``target_morale``
keeps the compiled engine and calls each employee's methods once a day. Which engine runs, and
why, is decided in :mod:`simulation.compiled.gate` from the table of hooks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.agents.employee import Employee, Vacancy
from simulation.chain.metrics import EDGES
from simulation.chain.service_chain import ServiceChain
from simulation.compiled.gate import DISCIPLINES, QUALITY_RULES, WORK_TIMES, load_kernel
from simulation.core.causes import ROW, need_index, step_of
from simulation.core.requests import Need

if TYPE_CHECKING:
    from simulation.chain.metrics import Metrics
    from simulation.chain.service_chain import ChainModel
    from simulation.config.scenario import Scenario

_MAX_TREE = 1 << 22


def _tree_bound(inputs_of: list[list[Any]], max_depth: int) -> list[int]:
    """Most requests one request at each position can create (depth 0).

    Every input needed, except that of exclusive inputs only one is (the largest).
    """
    n = len(inputs_of)
    size = [[1] * n for _ in range(max_depth + 1)]
    for d in range(max_depth - 1, -1, -1):
        for node in range(n):
            deps = inputs_of[node]
            total = 1 + sum(size[d + 1][dep.provider] for dep in deps if not dep.exclusive)
            total += max([size[d + 1][dep.provider] for dep in deps if dep.exclusive] or [0])
            size[d][node] = min(total, _MAX_TREE + 1)
    return size[0] if max_depth > 0 else [1] * n


def _grow_rows(a: np.ndarray, rows: int, fill: float | int = 0) -> np.ndarray:
    out = np.full((rows, *a.shape[1:]), fill, dtype=a.dtype)
    out[:len(a)] = a
    return out


class Engine:
    """Arrays of the compiled engine and the calls into the kernel.

    Persons are numbered as hired (``employee.engine_row``), customers as they join
    (``customer.row``), so a person who left and a customer who churned keep their rows while
    their last work ends.
    """

    def __init__(self, model: ChainModel, chain: ServiceChain) -> None:
        k = load_kernel()
        self.k = k
        self.model = model
        self.n = n = len(chain.level)
        self.lvl = np.asarray(chain.level, dtype=np.int64)
        self.calendar = chain.calendar
        self._edges(chain)
        self._parameters(model.config, chain)
        self._margins(chain, model.config.work.max_depth)
        self.ic = np.zeros(k.NI, dtype=np.int64)
        self.ic[k.I_INKEY] = np.array([model.streams.inputs], dtype=np.uint64).view(np.int64)[0]
        self.g = np.zeros(k.NG)
        self.g[k.G_WINDOW] = math.inf
        self._pool(1024 + 2 * self.margin_pool)
        self.pos = np.full((n, 6), -1, dtype=np.int64)
        self.pos[:, k.S_MANAGER] = chain.manager
        for i, group in enumerate(chain.group_of):  # each team a ring, in position order
            self.pos[i, k.S_TNEXT] = group[(group.index(i) + 1) % len(group)]
        self.sv = np.zeros((n, k.NV))  # vacancy wait; the latest report's time, load and skill;
        self.sv[:, k.V_REPORTED] = -1.0  # the position's mean hold and its variation
        self.sv[:, k.V_HOLD] = chain.hold
        self.sv[:, k.V_HOLDCV] = chain.hold_cv
        self.vacancy_wait = self.sv[:, k.V_VACANT]  # a view: the kernel adds to it
        self.vacancy_steps = self.sv[:, k.V_VSTEP:]
        self.pi = np.zeros((max(16, 2 * n), k.NPI), dtype=np.int64)
        self.pf = np.zeros((max(16, 2 * n), k.NPF))
        self.snapshot = np.zeros(len(self.pi))
        self.n_persons = 0
        # each counted customer delivered today: delay (and with customer causes its arrival
        # and causes, kernel.D_*)
        self.delays = np.zeros((1024, 2 + ROW if model.metrics.customer_causes else 1))
        held = model.metrics.position_counts  # the kernel counts into the metrics' own array
        self.ph = held if held is not None else np.zeros((1, 1), dtype=np.int64)
        self.fk = np.full(1024, -1, dtype=np.int64)
        self.fv = np.zeros((1024, 3))
        self.set_arrivals(np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))

    def _edges(self, chain: ServiceChain) -> None:
        """Inputs, reviews and scheduled dependencies as CSR arrays of edges."""
        rows_i: list[tuple[int, ...]] = []
        rows_w: list[tuple[float, float, float, float]] = []

        def add(dep: Any) -> int:
            rows_i.append((dep.provider, int(dep.handoff), int(dep.need is Need.ASSISTANCE),
                           int(dep.directed), int(dep.exclusive), int(step_of(dep)),
                           need_index(dep.need)))
            rows_w.append((dep.probability, dep.weight, dep.work, dep.thoroughness))
            return len(rows_i) - 1

        def csr(groups: list[list[Any]]) -> list[int]:
            ptr = [len(rows_i)]
            for deps in groups:
                for dep in deps:
                    add(dep)
                ptr.append(len(rows_i))
            return ptr

        lo = csr(chain.inputs_of)
        rlo = csr(chain.reviews_of)
        glo = csr(chain.gates_of)
        sch = [(node, d.provider, add(d)) for node, d in chain.scheduled]
        self.ei = np.array(rows_i or [(0,) * 7], dtype=np.int64).reshape(-1, 7)
        self.ew = np.array(rows_w or [(0.0, 0.0, 1.0, 0.0)], dtype=float).reshape(-1, 4)
        self.lo = np.array(lo, dtype=np.int64)
        self.rlo = np.array(rlo, dtype=np.int64)
        self.glo = np.array(glo, dtype=np.int64)
        self.sch = np.array(sch or [(0, 0, 0)], dtype=np.int64).reshape(-1, 3)

    def _parameters(self, scenario: Scenario, chain: ServiceChain) -> None:
        """The strategies' codes (``kp``) and the numbers the kernel needs (``xp``)."""
        k = self.k
        work, c = scenario.work, scenario.customers
        self.kp = np.zeros(k.NK, dtype=np.int64)
        self.kp[[k.K_MAXDEPTH, k.K_DISCIPLINE, k.K_QUALITY, k.K_WORKTIME, k.K_ERLANG,
                 k.K_DEFECTS]] = (
            work.max_depth, DISCIPLINES[type(scenario.design.discipline)],
            QUALITY_RULES[type(work.quality_rule)], WORK_TIMES[type(work.work_time)],
            getattr(work.work_time, "k", 1), int(chain.defects))
        self.xp = np.zeros(k.NX)
        self.xp[[k.X_D, k.X_HMEAN, k.X_HKEEP, k.X_ITOL, k.X_REWORK, k.X_RELIEF, k.X_PATIENCE,
                 k.X_SENS, k.X_SATW, k.X_LEARN, k.X_PRICE]] = (
            getattr(work.quality_rule, "input_dependence", 0.0), chain.handoff_mean,
            chain.handoff_keep, work.internal_tolerance, work.rework, work.assistance_relief,
            c.patience, c.sensitivity, c.satisfaction_weight, c.expectation_learning, c.price)
        p = scenario.people
        self.xp[[k.X_IEXPECT, k.X_ISENS, k.X_ILEARN, k.X_FAILURE]] = (
            p.internal_expectation, p.internal_sensitivity, p.internal_expectation_learning,
            c.failure_demand)

    def _margins(self, chain: ServiceChain, max_depth: int) -> None:
        """Room one event may need (requests, heap slots, draws) and the dispatch scratch."""
        bound = _tree_bound(chain.inputs_of, max_depth)
        review = max([sum(bound[d.provider] for d in deps)
                      for deps in [*chain.reviews_of, *chain.gates_of]] + [0])
        self.margin_pool = max([*bound, review]) + 1
        if self.margin_pool > _MAX_TREE:
            raise ValueError("one request could fan out into more than 4 million sub-requests; "
                             "lower work.max_depth or run with compiled=False")
        self.margin_heap = self.margin_pool + 4
        degree = max([len(d) for d in chain.inputs_of] + [1])
        reviews = max([len(d) for d in [*chain.reviews_of, *chain.gates_of]] + [0])
        # work-stream draws one event may take: each piece of work begun draws its time (k
        # phases for Erlang), plus a handoff delay
        phases = int(self.kp[self.k.K_ERLANG])
        # decisions-stream draws one event may take: one per probabilistic input of each request
        # it creates, one per review or gate of the work it finishes, a defect per finish, and a
        # gate's catch per check delivered up the chain
        uniforms = self.margin_pool * (degree + reviews) + reviews + max_depth + 6
        holds = 2 * (self.margin_pool + 2) if any(h > 0.0 for h in chain.hold) else 0  # two a
        # pass-on at most
        self.mg = np.array([self.margin_pool, self.margin_heap,
                            (self.margin_pool + 2) * phases + 1 + holds, uniforms],
                           dtype=np.int64)
        self.nb = np.zeros((max_depth + 2) * (degree + 1) + reviews + 1, dtype=np.int64)
        self.fr = np.zeros((max_depth + 3, 3), dtype=np.int64)

    def _pool(self, capacity: int) -> None:
        """Allocate (or enlarge to) ``capacity`` request rows, heap slots and scratch stacks."""
        k = self.k
        old = getattr(self, "ri", None)
        if old is None:
            self.ri = np.zeros((capacity, k.NRI), dtype=np.int64)
            self.rf = np.zeros((capacity, k.NRF))
            self.free = np.arange(capacity - 1, -1, -1, dtype=np.int64)
            self.ic[k.I_NFREE] = capacity
            self.ht = np.empty(capacity + self.margin_heap)
            self.hi = np.zeros((capacity + self.margin_heap, 4), dtype=np.int64)
        else:
            before = len(old)
            self.ri = _grow_rows(self.ri, capacity)
            self.rf = _grow_rows(self.rf, capacity)
            nfree = int(self.ic[k.I_NFREE])
            free = np.empty(capacity, dtype=np.int64)
            free[:nfree] = self.free[:nfree]
            added = np.arange(capacity - 1, before - 1, -1, dtype=np.int64)
            free[nfree:nfree + len(added)] = added
            self.free = free
            self.ic[k.I_NFREE] = nfree + len(added)
        self.sk = np.empty(capacity, dtype=np.int64)
        self.skf = np.empty(capacity)
        self.shares = np.empty(capacity)

    # ------------------------------------------------------------------ people and customers

    def add_person(self, employee: Employee) -> int:
        """Give a new employee a row (their counters start at zero); returns the person id."""
        k = self.k
        pid = self.n_persons
        if pid == len(self.pi):
            self.pi = _grow_rows(self.pi, 2 * pid)
            self.pf = _grow_rows(self.pf, 2 * pid)
            self.snapshot = _grow_rows(self.snapshot, 2 * pid)
        self.n_persons += 1
        self.pi[pid] = 0
        self.pf[pid] = 0.0
        self.pi[pid, k.P_NODE] = employee.node
        self.pi[pid, k.P_QROOT] = -1
        self.pi[pid, k.P_CURRENT] = -1
        self.pf[pid, k.Q_SKILL] = employee.effective_skill
        self.pf[pid, k.Q_MEANWORK] = employee.mean_work
        self.pf[pid, k.Q_EXPECT] = employee.expectation
        calendar = self.calendar[employee.node]  # the person's working calendar
        if calendar is not None:
            start, end, mask, period = calendar
            self.pf[pid, [k.Q_SHIFT0, k.Q_SHIFT1]] = start, end
            self.pi[pid, [k.P_MASK, k.P_PERIOD]] = mask, period
        self.snapshot[pid] = 0.0
        employee.engine_row = pid
        return pid

    def present(self, employee: Employee) -> int:
        """Requests queued at or in service with an employee."""
        return int(self.pi[employee.engine_row, self.k.P_PRESENT])

    def set_server(self, position: int, server: Employee | Vacancy) -> None:
        """Who serves a position now (an employee's person id, or -1 for a vacancy)."""
        row = server.engine_row if isinstance(server, Employee) else -1
        self.pos[position, self.k.S_SERVER] = row

    def set_occupant(self, position: int, employee: Employee | None) -> None:
        """Who holds a position (scheduled requests need somebody in it to ask)."""
        self.pos[position, self.k.S_OCCUPANT] = -1 if employee is None else employee.engine_row

    def hand_over(self, employee: Employee) -> np.ndarray:
        """The leaver's work in progress then queue, in order (they restart elsewhere)."""
        k = self.k
        p = employee.engine_row
        out = np.empty(int(self.pi[p, k.P_PRESENT]) + 1, dtype=np.int64)
        m = k.hand_over(p, self.model.clock.now, self.ri, self.rf, self.pi, self.pf, out)
        return out[:m]

    def take_waiting(self, position: int) -> np.ndarray:
        """The work a vacant position held, in arrival order."""
        out = np.empty(len(self.ri), dtype=np.int64)
        m = self.k.take_waiting(position, self.pos, self.ri, self.rf, self.model.clock.now, out)
        return out[:m]

    def take_backlog(self, employee: Employee, work: np.ndarray) -> None:
        """A new hire takes over a vacancy's work (as ``Employee.take_backlog``)."""
        if len(work):
            self.pf[employee.engine_row, self.k.Q_BACKLOG] = np.inf
        self.accept_all(work)

    def give_back(self, employee: Employee, k: int, node: int) -> int:
        """Move the last ``k`` requests of an employee's queue to position ``node``'s server."""
        kk = self.k
        out = np.empty(int(self.pi[employee.engine_row, kk.P_PRESENT]) + 1, dtype=np.int64)
        m = kk.give_back(employee.engine_row, k, self.model.clock.now, self.ri, self.rf,
                         self.pi, self.pf, out)
        self.ri[out[:m], kk.R_NODE] = node
        self.accept_all(out[:m])
        return m

    def accept_all(self, work: np.ndarray) -> None:
        """Accept requests in order at their positions' current servers."""
        k = self.k
        while int(self.ic[k.I_HSIZE]) + len(work) + 1 > len(self.ht):
            self._grow_heap()
        wrk = self.model.streams.work
        wrk.reserve(exponentials=(len(work) + 1) * int(self.kp[k.K_ERLANG]))
        self.ic[k.I_IE] = wrk.ie
        k.accept_all(work, len(work), self.model.clock.now, self.ri, self.rf, self.pi, self.pf,
                     self.pos, self.ht, self.hi, self.ic, self.kp, self.xp, wrk.e)
        wrk.ie = int(self.ic[k.I_IE])

    # ------------------------------------------------------------------ the day

    def set_arrivals(self, times: np.ndarray, codes: np.ndarray, cids: np.ndarray,
                     sizes: np.ndarray) -> None:
        """The next day's arrivals.

        Sorted times and codes: ``>= 0`` a row of ``cids``/``sizes``, else ``-1 - scheduled``.
        """
        k = self.k
        if self.ic[k.I_ARR] < self.ic[k.I_NARR]:
            raise RuntimeError("set_arrivals called before the previous batch was consumed")
        self.arr_t = np.ascontiguousarray(times, dtype=float)
        self.arr_c = np.ascontiguousarray(codes, dtype=np.int64)
        self.day_cust = np.ascontiguousarray(cids, dtype=np.int64)
        self.day_size = np.ascontiguousarray(sizes, dtype=float)
        self.ic[k.I_ARR] = 0
        self.ic[k.I_NARR] = len(times)

    def run_until(self, end: float) -> None:
        """Run the day's events up to ``end``, enlarging the arrays whenever the kernel asks."""
        k = self.k
        model = self.model
        dec, wrk = model.streams.decisions, model.streams.work
        table = model.customer_table
        self.ic[k.I_IU] = dec.iu
        self.ic[k.I_IE] = wrk.ie
        while True:
            status = k.run_until(
                end, self.ri, self.rf, self.free, self.pi, self.pf, self.pos, self.sv,
                self.lvl,
                self.ht, self.hi, self.ic, self.g, self.kp, self.xp, self.ei, self.ew, self.lo,
                self.rlo, self.glo, self.sch, dec.u, wrk.e, table.cf, table.home,
                self.fk, self.fv, self.delays, self.arr_t, self.arr_c, self.day_cust,
                self.day_size, self.nb, self.fr, self.sk, self.skf, self.shares,
                self.mg, self.ph, EDGES)
            if status == k.DONE:
                break
            if status == k.NEED_UNIFORMS:  # lent: what the day does not read goes back below
                dec.iu = int(self.ic[k.I_IU])
                dec.lend(int(self.mg[k.M_U]))
                self.ic[k.I_IU] = dec.iu
            elif status == k.NEED_DRAWS:
                wrk.ie = int(self.ic[k.I_IE])
                wrk.reserve(exponentials=int(self.mg[k.M_E]))
                self.ic[k.I_IE] = wrk.ie
            elif status == k.GROW_POOL:
                self._pool(2 * len(self.ri))
            elif status == k.GROW_HEAP:
                self._grow_heap()
            elif status == k.GROW_DELAYS:
                self.delays = _grow_rows(self.delays, 2 * len(self.delays))
            else:
                self._grow_flows()
        dec.iu = int(self.ic[k.I_IU])
        dec.settle()
        wrk.ie = int(self.ic[k.I_IE])
        model.clock.now = end
        model.clock.events = int(self.ic[k.I_EVENTS])

    def _grow_heap(self) -> None:
        size = 2 * len(self.ht)
        self.ht = _grow_rows(self.ht, size)
        self.hi = _grow_rows(self.hi, size)

    def _grow_flows(self) -> None:
        used = self.fk >= 0
        keys, values = self.fk[used], self.fv[used]
        self.fk = np.full(2 * len(self.fk), -1, dtype=np.int64)
        self.fv = np.zeros((len(self.fk), 3))
        self.ic[self.k.I_NFLOWS] = 0
        self.k.insert_flows(self.fk, self.fv, self.ic, keys, values)

    def sync_metrics(self, metrics: Metrics) -> None:
        """Copy the run's counters and the day's flows into ``metrics``; clear the day's.

        The day's delays are counted into the run's histogram here (``close_day`` then skips
        it).
        """
        k = self.k
        ic = self.ic.tolist()
        g = self.g.tolist()
        metrics.services = ic[k.I_SERVICES]
        metrics.requests_created = ic[k.I_CREATED]
        metrics.requests_completed = ic[k.I_COMPLETED]
        metrics.defects_delivered = ic[k.I_DEFECTS]
        metrics.complaints = ic[k.I_COMPLAINTS]
        metrics.external_arrived = ic[k.I_EXT_ARR]
        metrics.external_completed = ic[k.I_EXT_DONE]
        metrics.internal_arrived = ic[k.I_INT_ARR]
        metrics.internal_completed = ic[k.I_INT_DONE]
        metrics.present = ic[k.I_PRESENT]
        metrics.internal_score_n = ic[k.I_INTN]
        metrics.area = g[k.G_AREA]
        metrics.last_change = g[k.G_TLAST]
        metrics.delay_sum = g[k.G_DELAY]
        metrics.quality_sum = g[k.G_QUALITY]
        metrics.satisfaction_sum = g[k.G_SAT]
        metrics.revenue = g[k.G_REVENUE]
        metrics.internal_score_sum = g[k.G_ISCORE]
        n_delays = ic[k.I_NDELAYS]
        day = self.delays[:n_delays]
        metrics.day_delays = day[:, k.D_DELAY].tolist()
        k.histogram_add(EDGES, metrics.histogram.counts, self.delays[:, k.D_DELAY], n_delays)
        if metrics.customer_causes:  # as ServiceChain.attribute's rows
            for r in day.tolist():
                metrics.cause_rows.append((r[k.D_ARRIVAL], r[k.D_DELAY], *r[k.D_CAUSES:]))
        metrics.causes = self.g[k.G_CAUSES:].reshape(metrics.causes.shape).copy()
        metrics.day_quality = g[k.G_DAY_QUALITY]
        metrics.day_satisfaction = g[k.G_DAY_SAT]
        metrics.day_revenue = g[k.G_DAY_REVENUE]
        metrics.day_internal_score = g[k.G_DAY_ISCORE]
        metrics.day_arrivals = ic[k.I_DAY_ARR]
        metrics.day_completed = ic[k.I_DAY_DONE]
        metrics.day_internal_n = ic[k.I_DAY_INTN]
        for i in (k.I_NDELAYS, k.I_DAY_ARR, k.I_DAY_DONE, k.I_DAY_INTN):
            self.ic[i] = 0
        for i in (k.G_DAY_QUALITY, k.G_DAY_SAT, k.G_DAY_REVENUE, k.G_DAY_ISCORE):
            self.g[i] = 0.0

    def flows(self) -> dict[tuple[int, int], list[float]]:
        """Services per (provider position, customer position or -1), as ``Metrics.flows``."""
        used = np.flatnonzero(self.fk >= 0)
        out = {}
        width = self.n + 2
        for key, row in zip(self.fk[used].tolist(), self.fv[used].tolist(), strict=True):
            out[(key // width, key % width - 1)] = row
        return out

    def close_window(self, end: float) -> None:
        """Count only the external requests that arrived before ``end`` from now on."""
        self.g[self.k.G_WINDOW] = end

    def census(self) -> tuple[int, list[float]]:
        """Count requests where they are, not by the counters (for conservation checks).

        Returns the requests present (queued, in service, held at a vacancy, or waiting for
        inputs) and the arrival times of the external requests open (present or in transit).
        """
        k = self.k
        ri = self.ri
        located: list[int] = []
        for p in range(self.n_persons):
            if self.pi[p, k.P_CURRENT] >= 0:
                located.append(int(self.pi[p, k.P_CURRENT]))
            stack = [int(self.pi[p, k.P_QROOT])] if self.pi[p, k.P_QROOT] >= 0 else []
            while stack:  # the pairing heap: each node's children and next sibling
                r = stack.pop()
                located.append(r)
                for nxt in (int(ri[r, k.R_QCHILD]), int(ri[r, k.R_QSIB])):
                    if nxt >= 0:
                        stack.append(nxt)
        for node in range(self.n):
            r = int(self.pos[node, k.S_WHEAD])
            while r >= 0:
                located.append(r)
                r = int(ri[r, k.R_QSIB])
        size = int(self.ic[k.I_HSIZE])
        in_transit = [int(a) for kind, a in self.hi[:size, 1:3].tolist()
                      if kind in (k.DELIVER, k.RELEASE)]
        waiting = set()
        for r in located + in_transit:
            parent = int(ri[r, k.R_PARENT])
            while parent >= 0:
                if ri[parent, k.R_PENDING] > 0:
                    waiting.add(parent)
                parent = int(ri[parent, k.R_PARENT])
        roots = {int(ri[r, k.R_ROOT]) for r in [*located, *in_transit, *waiting]}
        arrivals = [float(self.rf[r, k.F_ARRIVAL]) for r in sorted(roots)
                    if ri[r, k.R_CUST] >= 0]
        return len(located) + len(waiting), arrivals
