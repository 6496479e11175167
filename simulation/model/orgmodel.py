"""The organization model: wires positions, people, customers and the event loop, and runs days.

One model time unit is one working day. ``model.step()`` advances a day: requests flow in
continuous time inside it, then the daily dynamics run (morale, quits and hires, customer churn and
word of mouth, data collection).
"""

from __future__ import annotations

import math
from functools import partial
from itertools import compress
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from simulation.agents.customer import Customer, CustomerTable
from simulation.agents.employee import Employee
from simulation.chain.clock import Clock
from simulation.chain.metrics import Metrics
from simulation.chain.service_chain import ServiceChain
from simulation.compiled.engine import CompiledChain
from simulation.compiled.gate import (
    array_customers,
    array_people,
    load_kernel,
    why_not_compiled,
)
from simulation.config.scenario import Customers, Scenario
from simulation.core.streams import SeedLike, Streams
from simulation.core.units import DAYS_PER_MONTH

DAILY_SERIES = (
    "active_customers", "lost_customers", "new_customers", "arrivals", "completions",
    "mean_delay", "p95_delay", "mean_quality", "customer_satisfaction", "service_satisfaction",
    "revenue", "mean_morale", "quits", "hires", "vacancies", "backlog", "internal_service",
)


def _mean(values: np.ndarray) -> float:
    """``numpy.mean`` of a 1-D float array (its sum over its size), NaN when empty; cheaper."""
    return float(values.sum()) / values.size if values.size else math.nan


class DailyCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one reporter per column of the model's day row.

    The day's row holds floats only, so each value is appended as is, without the deep copy
    Mesa makes of every reporter's value (most of the collection's cost). Reporters a user adds
    are collected by Mesa's own ``collect``, as usual.
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__(model_reporters={key: partial(_today, key) for key in names})
        self._own = list(names)

    def collect(self, model: OrgModel) -> None:
        """Append the model's day row (``model.today``) to the model variables."""
        if (list(self.model_reporters) != self._own or self.agent_reporters
                or self.agenttype_reporters):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        today = model.today
        for var, values in self.model_vars.items():
            values.append(today[var])


def _today(key: str, model: OrgModel) -> float:
    """Model reporter reading one column of the day's row (picklable through ``partial``)."""
    return model.today.get(key, math.nan)


class OrgModel(mesa.Model):
    """An organization as a customer service chain.

    Args:
        scenario: What to simulate; ``Scenario()`` (the default pyramid) when omitted.
        rng: Seed (int, ``SeedSequence`` or ``Generator``); fresh entropy when omitted, recorded
            in ``seed_entropy``.
        employee_cls: Employee class to staff positions with (subclass ``Employee`` to change a
            behaviour).
        customer_cls: Customer class for external customers.
        compiled: Run the day's work in the compiled engine (same results, far faster): None
            (the default) whenever it can, True to insist (an error says why it cannot), False
            for the Python path. Overriding a within-day hook (``priority``,
            ``needed_inputs``, ``experience``, ...) needs the Python path; daily hooks
            (``target_morale``, ``will_quit``, ``word_of_mouth``, ...) do not.

    Attributes:
        graph: The dependency graph of positions (nodes relabelled 0..n-1; ``id`` keeps the
            original label).
        chain: The service chain moving requests.
        clock: The event loop; ``clock.now`` is the time in days.
        metrics: Counters, sums and (optionally) the service records.
        datacollector: Mesa ``DataCollector`` with one row per day.
    """

    @property
    def scenario(self) -> Scenario:
        """The scenario being simulated (replaces Mesa's experimental scenario slot)."""
        return self._scenario

    @scenario.setter
    def scenario(self, value: Scenario) -> None:
        self._scenario = value
        # plain attributes for the hot path (a property costs a call per look-up)
        if isinstance(value, Scenario):  # Mesa's own __init__ sets its experimental one first
            self.work_cfg = value.work
            self.people_cfg = value.people
            self.customers_cfg = value.customers

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: SeedLike = None,
        employee_cls: type[Employee] = Employee,
        customer_cls: type[Customer] = Customer,
        compiled: bool | None = None,
    ) -> None:
        scenario = Scenario() if scenario is None else scenario
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
        if not (isinstance(employee_cls, type) and issubclass(employee_cls, Employee)):
            raise TypeError("employee_cls must be Employee or a subclass of it")
        if not (isinstance(customer_cls, type) and issubclass(customer_cls, Customer)):
            raise TypeError("customer_cls must be Customer or a subclass of it")
        streams, generator = Streams.from_seed(rng)
        super().__init__(rng=generator)
        self.scenario = scenario
        self.streams = streams
        self.seed_entropy = streams.seed_sequence.entropy
        self.spawn_key = tuple(streams.seed_sequence.spawn_key)
        self.employee_cls = employee_cls
        self.customer_cls = customer_cls
        self.compiled, self.python_reason = self._choose_engine(compiled)
        # default daily behaviour of employees: computed over arrays (compiled) as well
        self._array_people = array_people(self.compiled, employee_cls)
        # default daily behaviour of customers: computed over arrays instead of one by one
        self._array_customers = array_customers(self.compiled, customer_cls)
        self.discipline = scenario.design.discipline
        self.quality_rule = scenario.work.quality_rule
        self.work_time = scenario.work.work_time
        self.work_from_exponential = getattr(self.work_time, "from_exponential", None)
        self.max_depth = scenario.work.max_depth
        self.clock = Clock(self._on_arrival)
        self.metrics = Metrics(scenario.keep_records)
        self.graph = self._build_graph()
        if self.compiled:
            self.chain: ServiceChain = CompiledChain(self, self.graph)
            self.engine = self.chain.engine
        else:
            self.chain = ServiceChain(self, self.graph)
        self.former_employees: list[Employee] = []
        self._vacancies: dict[int, float] = {}
        self._staff_key = -1  # chain.staffing when _staff_cache was built
        self._staff_cache: tuple[list[Employee], np.ndarray, np.ndarray | None] = (
            [], np.empty(0, dtype=np.int64), None)
        self._day_morale: tuple[int, np.ndarray] = (-1, np.empty(0))
        self.reputation = scenario.people.resource_ref
        self._hire_staff()
        self.customer_table = CustomerTable()
        self.customers: list[Customer] = []
        self._cids = np.empty(0, dtype=np.int64)  # customer-table rows of ``customers``
        self.lost_customers = 0
        self._frontline = [n for n, d in self.graph.nodes(data=True) if d["customer_facing"]]
        n_customers = scenario.customers.initial_count(len(self._frontline))
        if n_customers and not self._frontline:
            raise ValueError("the organization has customers but no customer-facing position")
        self._add_customers(n_customers)
        self.customers_initial = len(self.customers)
        self.market_size = max(1.0, scenario.customers.market * self.customers_initial)
        self.customers_acquired = 0
        self.today: dict[str, float] = {}
        self.datacollector = DailyCollector(self._series_names())
        self._schedule_arrivals()

    # ------------------------------------------------------------------ wiring

    def _choose_engine(self, compiled: bool | None) -> tuple[bool, str | None]:
        """Whether the compiled engine runs, and if not, why."""
        reason = (why_not_compiled(self.scenario, self.employee_cls, self.customer_cls)
                  if compiled is not False else "compiled=False")
        if compiled and reason:
            raise ValueError(f"compiled=True, but the compiled engine cannot run this model: "
                             f"{reason}")
        return reason is None, reason

    def _build_graph(self) -> nx.MultiDiGraph:
        graph = self.scenario.design.build(self.streams.structure)
        return nx.convert_node_labels_to_integers(graph, ordering="sorted",
                                                  label_attribute="id")

    def _hire_staff(self) -> None:
        people = self.scenario.people
        staff = []
        for node in range(self.graph.number_of_nodes()):
            attrs = self.graph.nodes[node]
            staff.append(self.employee_cls(
                self, node, role=attrs["role"], level=attrs["level"],
                department=attrs["department"], skill=attrs["skill"], rate=attrs["rate"],
                dependencies=self.chain.inputs_of[node], morale=people.initial_morale,
            ))
        self.chain.staff(staff)
        self._levels = sorted(set(self.chain.level))

    def _series_names(self) -> list[str]:
        return [*DAILY_SERIES, *(f"utilisation_level_{lv}" for lv in self._levels)]

    def _new_customer(self) -> Customer:
        c = self.scenario.customers
        d = self.streams.decisions
        home = self._frontline[int(d.random() * len(self._frontline))]
        # Beta-distributed expectation with the configured mean and spread
        mean, sd = c.expectation, c.expectation_spread
        if sd > 0:
            k = max(mean * (1 - mean) / (sd * sd) - 1.0, 1e-3)
            expectation = float(d.gen.beta(mean * k, (1 - mean) * k))
        else:
            expectation = mean
        customer = self.customer_cls(self, home, expectation, c.initial_satisfaction)
        self.customer_table.seat(customer)
        self.customers.append(customer)
        return customer

    def _add_customers(self, count: int) -> None:
        new = [self._new_customer()._cid for _ in range(count)]
        if new:
            self._cids = np.concatenate([self._cids, np.array(new, dtype=np.int64)])

    # ------------------------------------------------------------------ arrivals

    def _schedule_arrivals(self) -> None:
        """Draw the next day's customer requests and scheduled internal requests.

        Customer requests are drawn for every customer slot, active or not, so the arrival
        stream is consumed the same way in every design: replication r gives customer slot k the
        same requests, at the same times and with the same work, whatever the organization
        (common random numbers). Requests of empty slots are discarded.
        """
        gen = self.streams.arrivals.gen
        start = self.clock.now
        table = self.customer_table
        counts = gen.poisson(self.scenario.customers.request_rate, size=table.n_slots)
        total = int(counts.sum())
        times = start + gen.random(total)
        sizes = gen.standard_exponential(total)
        cids = np.repeat(table.slot_row[:table.n_slots], counts)
        keep = cids >= 0
        cids, sizes = cids[keep], sizes[keep]
        if not self.compiled:
            objects = table.objects
            self._day_requests = list(zip([objects[c] for c in cids.tolist()], sizes.tolist(),
                                          strict=True))
        times = times[keep]
        codes = np.arange(len(times))
        scheduled = self.chain.scheduled
        if scheduled:
            internal = self.streams.internal.gen
            n = internal.poisson(self.chain.scheduled_rates)
            times = np.concatenate([times, start + internal.random(int(n.sum()))])
            codes = np.concatenate([codes, -1 - np.repeat(np.arange(len(scheduled)), n)])
        order = np.argsort(times, kind="stable")
        if self.compiled:
            self.engine.set_arrivals(times[order], codes[order], cids, sizes)
        else:
            self.clock.set_arrivals(times[order].tolist(), codes[order].tolist())

    def _on_arrival(self, code: int) -> None:
        if code >= 0:
            customer, size = self._day_requests[code]
            self.chain.submit_external(customer, size)
        else:
            self.chain.submit_scheduled(-1 - code)

    def churn_draw(self, slot: int) -> float:
        """Today's leaving draw of a customer slot (drawn for every slot, in a fixed layout)."""
        return self._churn_draws[slot]

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        """Run one working day: the day's work, then the daily dynamics and data collection."""
        if self.compiled:
            self.engine.run_until(float(self.time))
            self.engine.sync_metrics(self.metrics)
        else:
            self.clock.run_until(float(self.time))
        flows = self.metrics.close_day(histogram=not self.compiled)
        utilisation = self._people_day()
        customers = self._customers_day()
        self.today = {**flows, **utilisation, **customers, **self._state()}
        self.datacollector.collect(self)
        self._schedule_arrivals()

    def _staff(self) -> tuple[list[Employee], np.ndarray, np.ndarray | None]:
        """Employees in position order, their levels and engine rows (None on the Python path).

        Cached until someone leaves or is hired (``chain.staffing`` changes).
        """
        if self._staff_key != self.chain.staffing:
            staff = [e for e in self.chain.occupant if e is not None]
            levels = np.fromiter((e.level for e in staff), dtype=np.int64, count=len(staff))
            pids = (np.fromiter((e._pid for e in staff), dtype=np.int64, count=len(staff))
                    if self.compiled else None)
            self._staff_cache = (staff, levels, pids)
            self._staff_key = self.chain.staffing
        return self._staff_cache

    def _people_day(self) -> dict[str, float]:
        people = self.scenario.people
        employees, levels, pids = self._staff()
        quitting = None
        if self._array_people:
            used, morale, quitting = self.engine.people_day(employees, pids)
            self._day_morale = (self.chain.staffing, morale)
        else:  # a daily hook is overridden: each employee's own methods
            used = (self.engine.day_of(employees) if self.compiled
                    else [e.utilisation_since_last() for e in employees])
            for e, u in zip(employees, used, strict=True):
                e.step_day(u)
            if self.compiled:
                self.engine.set_skills(employees)
        if self.metrics.day_internal_n and people.enabled:
            day_score = self.metrics.day_internal_score / self.metrics.day_internal_n
            self.reputation += (day_score - self.reputation) / people.resource_memory
        if people.enabled and quitting is not None:  # decided in the compiled pass
            for e in quitting:
                self._quit(e)
        elif people.enabled:
            for e in employees:
                if e.will_quit():
                    self._quit(e)
        if people.enabled:
            for node, due in sorted(self._vacancies.items()):
                if due <= self.steps:
                    self._hire(node)
        used = np.asarray(used)
        return {f"utilisation_level_{lv}": _mean(used[levels == lv]) for lv in self._levels}

    def _quit(self, employee: Employee) -> None:
        self.chain.vacate(employee)
        employee.left = self.steps
        self.former_employees.append(employee)
        employee.remove()
        self.metrics.quits += 1
        self.metrics.day_quits += 1
        delay = self.scenario.people.hiring_delay * self.streams.decisions.exponential()
        self._vacancies[employee.node] = self.steps + delay

    def _hire(self, node: int) -> None:
        people = self.scenario.people
        attrs = self.graph.nodes[node]
        attraction = 1.0 + people.reputation_effect * (self.reputation - people.resource_ref)
        skill = min(1.0, max(0.01, attrs["skill"] * attraction))
        employee = self.employee_cls(
            self, node, role=attrs["role"], level=attrs["level"], department=attrs["department"],
            skill=skill, rate=attrs["rate"], dependencies=self.chain.inputs_of[node],
            morale=people.initial_morale, proficiency=people.new_hire_proficiency,
        )
        del self._vacancies[node]
        self.chain.fill(employee)
        self.metrics.hires += 1
        self.metrics.day_hires += 1

    def _customers_day(self) -> dict[str, float]:
        c = self.scenario.customers
        gen = self.streams.decisions.gen
        left_today = 0
        positive = negative = 0.0
        draws = self.streams.churn.gen.random(self.customer_table.n_slots)
        stay = None
        if self._array_customers:
            self._churn_draws = draws
            left_today, positive, negative, stay = self._customers_day_arrays(c, draws)
        else:
            self._churn_draws = draws.tolist()
            for customer in list(self.customers):
                if c.churn and customer.will_leave():
                    self._lose(customer)
                    left_today += 1
                    continue
                if c.word_of_mouth:
                    pos, neg = customer.word_of_mouth()
                    positive += pos
                    negative += neg
        new = 0
        room = max(0.0, 1.0 - (len(self.customers) - left_today) / self.market_size)
        if c.word_of_mouth:
            negative += left_today * c.departure_messages
            pos_msgs = int(gen.poisson(positive))
            neg_msgs = int(gen.poisson(negative))
            rate = c.acquisition_per_day + c.recruits_per_message * pos_msgs \
                - c.deterred_per_message * neg_msgs
            new = int(gen.poisson(max(rate, 0.0) * room))
        elif c.acquisition_per_day > 0:
            new = int(gen.poisson(c.acquisition_per_day * room))
        if left_today:
            self.lost_customers += left_today
            if stay is None:
                stay = np.array([x.active for x in self.customers], dtype=bool)
            self.customers = list(compress(self.customers, stay.tolist()))
            self._cids = self._cids[stay]
        self._add_customers(new)
        self.customers_acquired += new
        return {"new_customers": float(new), "lost_today": float(left_today)}

    def _lose(self, customer: Customer) -> None:
        customer.leave()
        self.customer_table.unseat(customer)

    def _customers_day_arrays(self, c: Customers, draws: np.ndarray
                              ) -> tuple[int, float, float, np.ndarray]:
        """Churn and word of mouth in one compiled pass (customers with the default behaviour).

        The arithmetic of ``Customer.leave_probability``, ``will_leave`` and ``word_of_mouth``
        in the loop's order, so results equal the loop's. Returns those who left, the expected
        positive and negative messages, and who stays.
        """
        customers = self.customers
        n = len(customers)
        table = self.customer_table
        leaving = np.empty(n, dtype=np.int64)
        left_today, positive, negative = load_kernel().customers_day(
            table.cf, self._cids, table.slot[self._cids], draws, c.churn,
            c.churn_rate_per_month / DAYS_PER_MONTH, c.loyalty, c.word_of_mouth, c.talk_rate,
            c.negative_ratio, leaving)
        for i in leaving[:left_today].tolist():
            self._lose(customers[i])
        stay = np.ones(n, dtype=bool)
        stay[leaving[:left_today]] = False
        return left_today, positive, negative, stay

    def _state(self) -> dict[str, float]:
        active = self.customers
        if self._day_morale[0] == self.chain.staffing:  # as the compiled pass left it
            morale = self._day_morale[1]
        else:
            staff = self._staff()[0]
            morale = np.fromiter((e.morale for e in staff), float, len(staff))
        return {
            "active_customers": float(len(active)),
            "lost_customers": float(self.lost_customers),
            "customer_satisfaction": _mean(self.customer_table.cf[self._cids, 0]),
            "mean_morale": _mean(morale),
            "vacancies": float(len(self._vacancies)),
            "backlog": float(self.chain.in_progress()),
        }

    # ------------------------------------------------------------------ results

    @property
    def employees(self) -> list[Employee]:
        """Current employees in position order (their counters brought up to date)."""
        staff = [e for e in self.chain.occupant if e is not None]
        if self.compiled:
            self.engine.sync_people(staff)
        return staff

    def run(self, days: int | None = None) -> OrgModel:
        """Run ``days`` working days (the scenario's ``days`` when omitted); returns self."""
        self.run_for(self.scenario.days if days is None else days)
        return self

    def daily(self) -> pd.DataFrame:
        """One row per simulated day (index ``day``, from 1)."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index = pd.RangeIndex(1, len(df) + 1, name="day")
        return df

    def records(self) -> pd.DataFrame:
        """Every service record (only with ``Scenario.keep_records``)."""
        if not self.scenario.keep_records:
            raise RuntimeError("records were aggregated: build the scenario with keep_records=True")
        from simulation.core.requests import ServiceRecord

        return pd.DataFrame(self.metrics.records, columns=ServiceRecord._fields)

    def employee_summary(self) -> pd.DataFrame:
        """One row per employee (past and present): load, service given, blame attributed."""
        now = self.clock.now
        rows = []
        if self.compiled:
            self.engine.sync_people(self.former_employees)
        for e in [*self.former_employees, *self.employees]:
            span = ((e.left if e.left is not None else now) - e.hired) or math.nan
            n = e.internal_served
            rows.append({
                "employee_id": e.unique_id, "position": e.node,
                "name": self.graph.nodes[e.node]["name"], "role": e.role, "level": e.level,
                "department": e.department, "active": e.active, "hired": e.hired,
                "left": e.left, "morale": e.morale, "skill": e.skill,
                "utilisation": e.busy_until_now() / span,
                "internal_served": n, "external_served": e.external_served,
                "internal_response": e.internal_response / n if n else math.nan,
                "internal_satisfaction": e.internal_score / n if n else math.nan,
                "blamed_wait": e.blamed_wait, "blamed_work": e.blamed_work,
                "blamed_handoff": e.blamed_handoff,
                "blamed_delay": e.blamed_wait + e.blamed_work + e.blamed_handoff,
                "blamed_quality": e.blamed_quality,
            })
        return pd.DataFrame(rows)

    def structure(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The organization as tables: positions (nodes) and internal-service dependencies.

        ``nodes``: ``position``, ``name``, ``role``, ``level``, ``department``,
        ``customer_facing``. ``edges``: ``provider``, ``customer`` (positions), ``need``,
        ``purpose``, ``probability`` (per request), ``per_day`` (scheduled) and ``review``.
        """
        nodes = pd.DataFrame([
            {"position": n, "name": str(d["name"]), "role": str(d["role"]),
             "level": int(d["level"]), "department": str(d["department"]),
             "customer_facing": bool(d["customer_facing"])}
            for n, d in sorted(self.graph.nodes(data=True))])
        edges = pd.DataFrame([
            {"provider": v, "customer": u, "need": d["need"].value, "purpose": str(k),
             "probability": float(d["probability"]), "per_day": float(d["per_day"]),
             "review": bool(d.get("review", False))}
            for u, v, k, d in sorted(self.graph.edges(keys=True, data=True),
                                     key=lambda e: (e[0], e[1], str(e[2])))],
            columns=["provider", "customer", "need", "purpose", "probability", "per_day",
                     "review"])
        return nodes, edges

    def positions(self) -> pd.DataFrame:
        """One row per position: its occupants' service, load and blame summed over the run.

        Morale is the current occupant's (NaN while vacant); utilisation and internal
        satisfaction are weighted over the occupants.
        """
        people = self.employee_summary()
        people["busy"] = people.utilisation * (people.left.fillna(self.clock.now) - people.hired)
        people["score"] = people.internal_satisfaction.fillna(0.0) * people.internal_served
        sums = people.groupby("position")[[
            "busy", "score", "internal_served", "external_served", "blamed_wait", "blamed_work",
            "blamed_handoff", "blamed_delay", "blamed_quality"]].sum()
        table = pd.DataFrame({"position": range(self.graph.number_of_nodes())}).set_index(
            "position").join(sums)
        table["occupants"] = people.groupby("position").size()
        table["morale"] = people[people.active].set_index("position").morale
        table["utilisation"] = table.pop("busy") / self.clock.now if self.clock.now else math.nan
        served = table.internal_served.replace(0, math.nan)
        table["internal_satisfaction"] = table.pop("score") / served
        return table.reset_index()

    def flows(self) -> pd.DataFrame:
        """Services per provider and customer position (customer -1: external customers).

        ``services``, ``satisfaction`` (the customer's mean judgement) and ``response`` (mean
        days from request to delivery).
        """
        if self.compiled:
            self.metrics.flows = self.engine.flows()
        return pd.DataFrame(self.metrics.flow_table(), columns=[
            "provider", "customer", "services", "satisfaction", "response"])

    def attribution(self, by: str = "level") -> pd.DataFrame:
        """Where the chain breaks, summed by ``level``, ``role``, ``department`` or employee.

        Delay (days) and quality lost on external customers' critical paths, largest first;
        shares are of the total over all external requests completed so far.
        """
        allowed = ("level", "role", "department", "employee_id")
        if by not in allowed:
            raise ValueError(f"by = {by!r} is not allowed: one of {', '.join(allowed)}")
        cols = ["blamed_wait", "blamed_work", "blamed_handoff", "blamed_delay", "blamed_quality"]
        table = self.employee_summary().groupby(by)[cols].sum()
        for col in ("blamed_delay", "blamed_quality"):
            total = table[col].sum()
            table[col.replace("blamed_", "share_")] = table[col] / total if total else math.nan
        return table.sort_values("blamed_delay", ascending=False)

    def kpis(self) -> dict[str, Any]:
        """One flat dict of run-level results (the row an experiment stores)."""
        m = self.metrics
        n = m.external_completed
        ever = self.customers_initial + self.customers_acquired
        staff = self.employees
        little_l, little_lambda, little_w = m.little(self.clock.now)
        return {
            "days": self.steps,
            "seed_entropy": str(self.seed_entropy),
            "spawn_key": "/".join(map(str, self.spawn_key)),
            "employees": len(self.chain.occupant),
            "customers_active": len(self.customers),
            "customers_lost": self.lost_customers,
            "customers_acquired": self.customers_acquired,
            "retention": 1.0 - self.lost_customers / ever if ever else math.nan,
            "external_arrived": m.external_arrived,
            "external_completed": n,
            "internal_arrived": m.internal_arrived,
            "internal_completed": m.internal_completed,
            "in_progress": self.chain.in_progress(),
            "mean_delay": m.delay_sum / n if n else math.nan,
            "p95_delay": m.histogram.quantile(0.95),
            "mean_quality": m.quality_sum / n if n else math.nan,
            "service_satisfaction": m.satisfaction_sum / n if n else math.nan,
            "customer_satisfaction": (float(np.mean(self.customer_table.cf[self._cids, 0]))
                                      if self.customers else math.nan),
            "revenue": m.revenue,
            "internal_service": (m.internal_score_sum / m.internal_score_n
                                 if m.internal_score_n else math.nan),
            "mean_morale": float(np.mean([e.morale for e in staff])) if staff else math.nan,
            "quits": m.quits,
            "hires": m.hires,
            "turnover_per_month": (m.quits / len(self.chain.occupant) / self.steps * 21.0
                                   if self.steps else math.nan),
            "little_L": little_l,
            "little_lambda": little_lambda,
            "little_W": little_w,
            "events": self.clock.events,
        }
