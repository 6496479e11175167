"""The day's work in the compiled engine, behind the interface of :class:`DayEngine`."""

from __future__ import annotations

import functools
import math
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.compiled.chain import CompiledChain
from simulation.compiled.gate import load_kernel
from simulation.core.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import networkx as nx

    from simulation.agents.employee import Employee
    from simulation.chain.metrics import Metrics
    from simulation.chain.service_chain import ChainModel

# what the compiled daily dynamics read from each employee (rows Y_MORALE..Y_RATE)
_DAILY_STATE = operator.attrgetter("morale", "resources", "load", "proficiency",
                                   "learning_gap", "tenure", "skill", "rate")


class CompiledDay:
    """The compiled engine as the model's day engine (:class:`simulation.chain.day.DayEngine`).

    Args:
        model: The model.
        graph: The organization's dependency graph.
        array_people: Run the employees' default daily dynamics in the compiled array pass.
        array_customers: Run the customers' churn and word of mouth in the compiled array pass.
    """

    compiled = True

    def __init__(self, model: ChainModel, graph: nx.MultiDiGraph, *, array_people: bool,
                 array_customers: bool) -> None:
        self.model = model
        self.chain = CompiledChain(model, graph)
        self.engine = self.chain.engine
        self.array_people = array_people
        self.array_customers = array_customers

    def set_arrivals(self, times: np.ndarray, codes: np.ndarray, cids: np.ndarray,
                     sizes: np.ndarray) -> None:
        """The next day's arrivals, into the engine's arrays."""
        self.engine.set_arrivals(times, codes, cids, sizes)

    def run_day(self, end: float, metrics: Metrics) -> dict[str, float]:
        """Run the day in the kernel, copy its counters into ``metrics``, close the day."""
        self.engine.run_until(end)
        self.engine.sync_metrics(metrics)
        return metrics.close_day(histogram=False)  # the kernel counted the day's delays

    def rows(self, staff: list[Employee]) -> np.ndarray:
        """The employees' engine rows."""
        return np.fromiter((e.engine_row for e in staff), dtype=np.int64, count=len(staff))

    def people_pass(self, staff: list[Employee], rows: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, list[Employee]] | None:
        """The compiled daily dynamics, or None when a daily hook is overridden."""
        if not self.array_people or rows is None:
            return None
        return self._people_day(staff, rows)

    def customers_pass(self, table: Any, cids: np.ndarray, draws: np.ndarray, churn: bool,
                       base: float, loyalty: float, talk: bool, talk_rate: float,
                       negative_ratio: float) -> tuple[np.ndarray, float, float] | None:
        """Churn and word of mouth in one compiled pass (customers with the default behaviour).

        The arithmetic of ``Customer.leave_probability``, ``will_leave`` and ``word_of_mouth``
        in the loop's order, so results equal the loop's. None when a customer's daily hook is
        overridden.
        """
        if not self.array_customers:
            return None
        leaving = np.empty(len(cids), dtype=np.int64)
        left, positive, negative = load_kernel().customers_day(
            table.cf, cids, table.slot[cids], draws, churn, base, loyalty, talk, talk_rate,
            negative_ratio, leaving)
        return leaving[:left], positive, negative

    def flows(self, metrics: Metrics) -> dict[tuple[int, int], list[float]]:
        """The engine's flows."""
        return self.engine.flows()

    def close_window(self, end: float) -> None:
        """The kernel and the metrics stop counting external requests arriving from ``end``."""
        self.engine.close_window(end)
        self.model.metrics.window_end = end

    def census(self) -> tuple[int, list[float]]:
        """The engine's census."""
        return self.engine.census()

    def skills_changed(self, employees: list[Employee]) -> None:
        """Copy effective skill and mean work time after the daily dynamics changed them."""
        eng = self.engine
        if not employees:
            return
        pids = np.fromiter((e.engine_row for e in employees), dtype=np.int64, count=len(employees))
        eng.pf[pids, eng.k.Q_SKILL] = [e.effective_skill for e in employees]
        eng.pf[pids, eng.k.Q_MEANWORK] = [e.mean_work for e in employees]

    def utilisations(self, employees: list[Employee]) -> list[float]:
        """Each employee's utilisation since the last call; hands over the day's experiences.

        Sets ``tasks_done``, ``experience_sum`` and ``experience_count`` on the employees (what
        the daily dynamics read) and clears the engine's experience sums. For employees whose
        daily hooks are overridden (the others go through :meth:`people_pass`).
        """
        eng = self.engine
        k = eng.k
        pids = np.fromiter((e.engine_row for e in employees), dtype=np.int64, count=len(employees))
        now = self.model.clock.now
        current = eng.pi[pids, k.P_CURRENT]
        busy = eng.pf[pids, k.Q_BUSY]
        working = current >= 0
        total = busy.copy()
        total[working] = (busy[working] + now) - eng.rf[current[working], k.F_START]
        shifted = np.flatnonzero(working & (eng.pi[pids, k.P_PERIOD] > 0))
        for i in shifted.tolist():  # on a working calendar: the time worked (busy_until_now)
            total[i] = employees[i].busy_until_now_of(float(busy[i]),
                                                      float(eng.rf[current[i], k.F_START]))
        used = total - eng.snapshot[pids]
        eng.snapshot[pids] = total
        exp_sum = eng.pf[pids, k.Q_EXPSUM].tolist()
        exp_n = eng.pi[pids, k.P_EXPN].tolist()
        tasks = eng.pi[pids, k.P_TASKS].tolist()
        for e, s, m, t in zip(employees, exp_sum, exp_n, tasks, strict=True):
            e.experience_sum = s
            e.experience_count = m
            e.tasks_done = t
        eng.pf[pids, k.Q_EXPSUM] = 0.0
        eng.pi[pids, k.P_EXPN] = 0
        return used.tolist()

    def _people_day(self, employees: list[Employee], pids: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, list[Employee]]:
        """The default daily dynamics of every employee, compiled.

        ``pids`` are the employees' engine rows. Returns the utilisations, the morale after the
        day and who quits (in order). Equal to calling
        ``utilisation_since_last``, ``step_day`` and ``will_quit`` on each: the employees'
        attributes are read, updated in arrays and written back, so changes a user makes to
        them between days count.
        """
        eng = self.engine
        k = eng.k
        n = len(employees)
        y = np.empty((k.NY, n))
        if n:
            y[:k.Y_RATE + 1] = np.array([_DAILY_STATE(e) for e in employees]).T
        quitting = np.empty(n, dtype=np.int64)
        enabled = self.model.config.people.enabled
        nodes = np.fromiter((e.node for e in employees), dtype=np.int64, count=n)
        draws = self.model.workforce.quit_draws[nodes]  # each position's quit draw today
        m = k.people_day(y, pids, eng.pi, eng.pf, eng.rf, eng.snapshot,
                         self.model.clock.now, enabled, self._dp, draws, quitting)
        # one list per attribute (floats are not tracked by the garbage collector; a list per
        # employee was, and cost 1.2 us an employee in collections at 2,000 positions)
        columns = [y[c].tolist() for c in (k.Y_TENURE, k.Y_PROF, k.Y_RESOURCES, k.Y_LOAD,
                                           k.Y_MORALE)]
        skills = eng.pf[pids, k.Q_SKILL].tolist()
        work = eng.pf[pids, k.Q_MEANWORK].tolist()
        tasks = y[k.Y_TASKS].astype(np.int64).tolist()
        for e, tenure, prof, resources, load, morale, skill, mean_work, done in zip(
                employees, *columns, skills, work, tasks, strict=True):
            e.tenure, e.proficiency, e.resources, e.load, e.morale = (tenure, prof, resources,
                                                                      load, morale)
            e.effective_skill, e.mean_work, e.tasks_done = skill, mean_work, done
            e.experience_sum, e.experience_count = 0.0, 0
        return y[k.Y_USED], y[k.Y_MORALE], [employees[i] for i in quitting[:m].tolist()]

    @functools.cached_property
    def _dp(self) -> np.ndarray:
        return daily_parameters(self.engine.k, self.model.config.people)

    def sync_people(self, employees: list[Employee]) -> None:
        """Write the engine's counters into the employees' attributes (for reading)."""
        eng = self.engine
        k = eng.k
        now = self.model.clock.now
        for e in employees:
            p = e.engine_row
            row_i = eng.pi[p].tolist()
            row_f = eng.pf[p].tolist()
            cur = row_i[k.P_CURRENT]
            e.tasks_done = row_i[k.P_TASKS]
            e.accepted = row_i[k.P_ACCEPTED]
            e.handed = row_i[k.P_HANDED]
            e.backlog_until = row_f[k.Q_BACKLOG]
            e.expectation = row_f[k.Q_EXPECT]
            e.present = row_i[k.P_PRESENT]
            e.internal_served = row_i[k.P_ISERVED]
            e.external_served = row_i[k.P_ESERVED]
            e.area = row_f[k.Q_AREA]
            e.last_change = row_f[k.Q_TLAST]
            busy = row_f[k.Q_BUSY]
            if cur < 0:
                e.busy_time = busy
            elif row_i[k.P_PERIOD] == 0:
                e.busy_time = (busy + now) - float(eng.rf[cur, k.F_START])
            else:
                e.busy_time = e.busy_until_now_of(busy, float(eng.rf[cur, k.F_START]))
            e.sojourn_sum = row_f[k.Q_SOJOURN]
            e.internal_response = row_f[k.Q_IRESP]
            e.internal_score = row_f[k.Q_ISCORE]
            e.blamed_wait = row_f[k.Q_BWAIT]
            e.blamed_work = row_f[k.Q_BWORK]
            e.blamed_handoff = row_f[k.Q_BHAND]
            e.blamed_hold = row_f[k.Q_BHOLD]
            e.blamed_overtaken = row_f[k.Q_BPRIO]
            e.blamed_left = row_f[k.Q_BLEFT]
            e.blamed_off = row_f[k.Q_BOFF]
            e.blamed_steps = row_f[k.Q_BSTEP:k.Q_BSTEP + k.NSTEP]
            e.blamed_quality = row_f[k.Q_BQUAL]
            e.current = None
            e.queue = []


def daily_parameters(k: Any, p: Any) -> np.ndarray:
    """``people_day``'s parameters from ``People`` ``p``, in the kernel ``k``'s layout."""
    dp = np.zeros(k.ND)
    dp[k.D_RES_MEMORY] = p.resource_memory
    dp[k.D_DEM_MEMORY] = p.demand_memory
    dp[k.D_ADJUST] = p.adjustment
    dp[k.D_BASELINE] = p.baseline_morale
    dp[k.D_RES_EFFECT] = p.resource_effect
    dp[k.D_RES_REF] = p.resource_ref
    dp[k.D_DEM_EFFECT] = p.demand_effect
    dp[k.D_DEM_REF] = p.demand_ref
    dp[k.D_Q_EFFECT] = p.quality_effect
    dp[k.D_S_EFFECT] = p.speed_effect
    dp[k.D_EXPONENT] = math.log2(p.progress_ratio)
    dp[k.D_QUIT_BASE] = p.quit_rate_per_month / DAYS_PER_MONTH
    dp[k.D_QUIT_SENS] = p.quit_sensitivity
    dp[k.D_QUIT_REF] = p.quit_morale_ref
    return dp
