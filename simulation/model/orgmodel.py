"""The organization model: wires positions, people, customers and the day's engine, and runs days.

One model time unit is one working day. ``model.step()`` advances a day: requests flow in
continuous time inside it (in the day's engine, Python or compiled, behind one interface), then
the daily dynamics run (morale, quits and hires, customer churn and word of mouth, data
collection).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from simulation.agents.customer import Customer, CustomerTable
from simulation.agents.employee import Employee
from simulation.chain.clock import Clock
from simulation.chain.day import DayEngine, PythonDay
from simulation.chain.metrics import Metrics
from simulation.chain.service_chain import ServiceChain
from simulation.compiled.gate import array_customers, array_people, why_not_compiled
from simulation.config import bounds
from simulation.config.knobs import design_config, with_knobs
from simulation.config.scenario import Scenario
from simulation.core.streams import SeedLike, Streams
from simulation.model import results
from simulation.model.collector import DAILY_SERIES, DailyCollector, TimeAverages, mean_of
from simulation.model.market import Market, profile_times
from simulation.model.mesa_scenario import ModelScenario
from simulation.model.workforce import Workforce


class OrgModel(mesa.Model):
    """An organization as a customer service chain.

    Args:
        config: What to simulate (a :class:`~simulation.config.Scenario`); the bundled scenario
            named ``design``, or the default pyramid, when omitted.
        design: A bundled scenario by name (``"pyramid"``, ``"inverted_pyramid"``, ``"silos"``
            ...), instead of ``config``.
        communication, manager_rate, reporting_rate, approval_prob, quit_sensitivity: The
            common knobs (:data:`simulation.config.knobs.KNOBS`), set on the scenario; None
            keeps its own value. A knob the design has no parameter for is refused.
        rng: Seed (int, ``SeedSequence`` or ``Generator``); fresh entropy when omitted, recorded
            in ``seed_entropy``.
        scenario: Mesa's scenario slot (a ``mesa.experimental.scenarios.Scenario``, as SolaraViz
            passes on Reset); its ``rng`` seeds the model when ``rng`` is omitted. Passing the
            project's ``Scenario`` here is deprecated: pass it as ``config``.
        employee_cls: Employee class to staff positions with (subclass ``Employee`` to change a
            behaviour).
        customer_cls: Customer class for external customers.
        compiled: Run the day's work in the compiled engine (same results, far faster): None
            (the default) whenever it can, True to insist (an error says why it cannot), False
            for pure Python throughout. Overriding a within-day hook (``priority``,
            ``needed_inputs``, ``experience``, ...) needs the Python path; daily hooks
            (``target_morale``, ``will_quit``, ``word_of_mouth``, ...) do not
            (:mod:`simulation.agents.hooks` lists them all).
        position_histograms: Keep a sojourn histogram per position (4,001 counts each), for
            per-position quantiles in :meth:`positions`, on either engine.
        customer_causes: Keep each counted customer's delay by kind of time and step of the
            chain (:meth:`customer_causes`), on either engine.

    Attributes:
        config: The scenario being simulated (the project's configuration).
        scenario: Mesa's scenario slot (its seed); not the configuration.
        graph: The dependency graph of positions (nodes relabelled 0..n-1; ``id`` keeps the
            original label).
        day: The engine that runs the day's work (``day.compiled`` says which).
        chain: The service chain moving requests.
        clock: The event loop; ``clock.now`` is the time in days.
        metrics: Counters, sums and (optionally) the service records.
        workforce: The people: staffing, daily dynamics, quits and hires.
        market: The customers: churn, word of mouth, acquisition.
        datacollector: Mesa ``DataCollector`` with one row per day.
    """

    @property
    def config(self) -> Scenario:
        """The scenario being simulated: the project's configuration."""
        return self._config

    @config.setter
    def config(self, value: Scenario) -> None:
        self._config = value
        # plain attributes for the hot path (a property costs a call per look-up)
        self.work_cfg = value.work
        self.people_cfg = value.people
        self.customers_cfg = value.customers
        self.discipline = value.design.discipline
        self.quality_rule = value.work.quality_rule
        self.work_time = value.work.work_time
        self.work_from_exponential = getattr(self.work_time, "from_exponential", None)
        self.max_depth = value.work.max_depth

    def __init__(
        self,
        config: Scenario | None = None,
        *,
        design: str | None = None,
        communication: float | None = None,
        manager_rate: float | None = None,
        reporting_rate: float | None = None,
        approval_prob: float | None = None,
        quit_sensitivity: float | None = None,
        rng: SeedLike = None,
        scenario: Any = None,
        employee_cls: type[Employee] = Employee,
        customer_cls: type[Customer] = Customer,
        compiled: bool | None = None,
        position_histograms: bool = False,
        customer_causes: bool = False,
    ) -> None:
        knobs = {"communication": communication, "manager_rate": manager_rate,
                 "reporting_rate": reporting_rate, "approval_prob": approval_prob,
                 "quit_sensitivity": quit_sensitivity}
        config, mesa_scenario, rng = _configuration(config, design, knobs, scenario, rng)
        _check_classes(config, employee_cls, customer_cls)
        config = with_knobs(config, **knobs)
        _check_flags(compiled=compiled, position_histograms=position_histograms,
                     customer_causes=customer_causes)
        streams, generator = Streams.from_seed(rng)
        super().__init__(rng=generator)
        self.scenario = mesa_scenario
        mesa_scenario.bind(self)
        self.config = config
        self.streams = streams
        self.seed_entropy = streams.seed_sequence.entropy
        self.spawn_key = tuple(streams.seed_sequence.spawn_key)
        self.employee_cls = employee_cls
        self.customer_cls = customer_cls
        self.clock = Clock()
        self._build(compiled, position_histograms, customer_causes)

    def _build(self, compiled: bool | None, histograms: bool, customer_causes: bool) -> None:
        """The organization, its engine, its people and its customers."""
        config = self.config
        known = bounds.check(config, days=1)  # refused before building when too large
        self.graph = self._build_graph()
        facing = [d["rate"] for d in self.graph.nodes.values() if d["customer_facing"]]
        self.footprint = bounds.Footprint(self.graph.number_of_nodes(), len(facing),
                                          float(sum(facing)))
        if known is None:  # a design that could not say its size: checked once built
            bounds.check(config, days=1, footprint=self.footprint)
        self.metrics = Metrics(config.keep_records,
                               self.graph.number_of_nodes() if histograms else 0,
                               customer_causes)
        self.day = self._day_engine(compiled)
        self.workforce = Workforce(self)
        self.workforce.hire_staff()
        facing = [n for n, d in self.graph.nodes(data=True) if d["customer_facing"]]
        self.market = Market(self, facing, [self.graph.nodes[n].get("demand") for n in facing])
        self.market.open()
        self.today: dict[str, float] = {}
        self.averages = TimeAverages(("mean_morale", "customer_satisfaction"))
        self.running_out = False
        self.run_out_start = 0
        self.datacollector = DailyCollector(
            [*DAILY_SERIES, *(f"utilisation_level_{lv}" for lv in self.workforce.levels)])
        self._schedule_arrivals()

    # ------------------------------------------------------------------ wiring

    def _day_engine(self, compiled: bool | None) -> DayEngine:
        """The compiled engine when it may run (and was not refused), else the Python path."""
        reason = (why_not_compiled(self.config, self.employee_cls, self.customer_cls)
                  if compiled is not False else "compiled=False")
        if compiled and reason:
            raise ValueError(f"compiled=True, but the compiled engine cannot run this model: "
                             f"{reason}")
        self.python_reason = reason
        if reason is not None:
            return PythonDay(self, self.graph)
        from simulation.compiled.day import CompiledDay

        return CompiledDay(self, self.graph,
                           array_people=array_people(True, self.employee_cls),
                           array_customers=array_customers(True, self.customer_cls))

    def _build_graph(self) -> nx.MultiDiGraph:
        graph = self.config.design.build(self.streams.structure)
        graph = nx.convert_node_labels_to_integers(graph, ordering="sorted",
                                                   label_attribute="id")
        number = {data["id"]: node for node, data in graph.nodes(data=True)}
        for data in graph.nodes.values():  # reporting lines follow the relabelling
            data["manager"] = number.get(data.get("manager"), -1)
        if not any(d["customer_facing"] for d in graph.nodes.values()):
            raise ValueError(f"scenario {self.config.name!r}: no position of its "
                             f"{type(self.config.design).__name__} faces customers; mark at "
                             "least one customer_facing")
        return graph

    @property
    def compiled(self) -> bool:
        """Whether the day's work runs in the compiled engine."""
        return self.day.compiled

    @property
    def chain(self) -> ServiceChain:
        """The service chain moving requests."""
        return self.day.chain

    @property
    def engine(self) -> Any:
        """The compiled engine's arrays (None on the Python path)."""
        return getattr(self.day, "engine", None)

    @property
    def customer_table(self) -> CustomerTable:
        """Customers' state as arrays."""
        return self.market.table

    @property
    def customers(self) -> list[Customer]:
        """The active customers."""
        return self.market.customers

    @property
    def former_employees(self) -> list[Employee]:
        """Employees who left, in the order they left.

        Their counters are brought up to date: blame for work they held can arrive later.
        """
        self.day.sync_people(self.workforce.former)
        return self.workforce.former

    def quit_draw(self, node: int) -> float:
        """Today's quit draw of a position (drawn for every position, in a fixed layout)."""
        return float(self.workforce.quit_draws[node])

    def churn_draw(self, slot: int) -> float:
        """Today's leaving draw of a customer slot (drawn for every slot, in a fixed layout)."""
        return self.market.churn_draw(slot)

    # ------------------------------------------------------------------ the day

    def _schedule_arrivals(self) -> None:
        """Draw the next day's customer requests and scheduled internal requests.

        Customer requests are drawn for every customer slot, active or not, so the arrival
        stream is consumed the same way in every design: replication r gives customer slot k the
        same requests, at the same times and with the same work, whatever the organization
        (common random numbers). Requests of empty slots are discarded.
        """
        gen = self.streams.arrivals.gen
        start = self.clock.now
        table = self.market.table
        customers = self.config.customers
        rate = customers.request_rate
        if customers.weekly is not None:  # the day's share of the week's demand
            weekly = customers.weekly
            rate = rate * weekly[round(start) % len(weekly)] * len(weekly) / sum(weekly)
        factor = self.market.rate_factor
        if factor is None:
            counts = gen.poisson(rate, size=table.n_slots)
        else:  # each position exactly its share of the demand (Market.rate_factor)
            rows = table.slot_row[:table.n_slots]
            counts = gen.poisson(rate * np.where(rows >= 0, factor[table.home[rows]], 1.0))
        total = int(counts.sum())
        times = start + profile_times(gen.random(total), customers.hourly)
        sizes = gen.standard_exponential(total)
        cids = np.repeat(table.slot_row[:table.n_slots], counts)
        keep = cids >= 0
        cids, sizes, times = cids[keep], sizes[keep], times[keep]
        codes = np.arange(len(times))
        scheduled = self.chain.scheduled
        if scheduled:
            internal = self.streams.internal.gen
            n = internal.poisson(self.chain.scheduled_rates)
            times = np.concatenate([times, start + internal.random(int(n.sum()))])
            codes = np.concatenate([codes, -1 - np.repeat(np.arange(len(scheduled)), n)])
        order = np.argsort(times, kind="stable")
        self.day.set_arrivals(times[order], codes[order], cids, sizes)

    def step(self) -> None:
        """Run one working day: the day's work, then the daily dynamics and data collection."""
        flows = self.day.run_day(float(self.time), self.metrics)
        if self.chain.rebalancing:
            self.chain.rebalance()
        utilisation = self.workforce.day()
        customers = self.market.day()
        self.today = {**flows, **utilisation, **customers, **self._state()}
        if not self.running_out:
            self.datacollector.collect(self)
            self.averages.add(self.today)
        self._schedule_arrivals()

    def _state(self) -> dict[str, float]:
        return {
            "active_customers": float(len(self.market.customers)),
            "lost_customers": float(self.market.lost),
            "customer_satisfaction": mean_of(self.market.satisfaction()),
            "mean_morale": mean_of(self.workforce.morale()),
            "vacancies": float(len(self.workforce.vacancies)),
            "backlog": float(self.chain.in_progress()),
        }

    def run_for(self, duration: float | int) -> None:
        """Run ``duration`` working days (Mesa's ``run_for``), refused beforehand if too long."""
        if isinstance(duration, bool) or not isinstance(duration, numbers.Real) or not (
                math.isfinite(duration) and duration >= 0):
            raise ValueError(f"days = {duration!r} is not allowed: a number of days >= 0")
        bounds.check(self.config, math.ceil(duration), footprint=self.footprint)
        super().run_for(duration)

    def run(self, days: int | None = None) -> OrgModel:
        """Run ``days`` working days (the scenario's ``days`` when omitted); returns self."""
        self.run_for(self.config.days if days is None else days)
        return self

    def run_out(self, max_days: int | None = None) -> dict[str, float]:
        """Follow every customer request open now to its delivery; the delays of all then.

        The organization runs on as before (customers keep arriving, people keep quitting and
        being hired) but only the requests that arrived before now are counted, and no daily
        rows are collected, until none of them is open or ``max_days`` days of run-out have
        passed (as many as the run had days when omitted). A request still open then counts at
        its age (``delay_open`` says how many). Read the other tables first: they go on
        changing.

        Returns:
            ``mean_delay``, ``p95_delay`` and ``delay_open`` over every request that arrived
            before the run-out, ``run_out_days``, and Little's law for those requests:
            ``little_L`` (the days they spent open, their run-out included, per day of the
            run), ``little_lambda`` (their arrivals per day of the run) and ``little_W``
            (``mean_delay``); ``delivered``, the requests of the window delivered by the end
            of the run-out, and the causes of their delay (``cause_*`` and ``via_*``, days
            per request delivered, :func:`simulation.model.results.cause_kpis`).
        """
        if not self.running_out:
            self.running_out = True
            self.day.close_window(self.clock.now)
            self.run_out_start = self.steps
        limit = self.run_out_start if max_days is None else int(max_days)
        while self.metrics.present > 0 and self.steps - self.run_out_start < limit:
            self.step()
        figures = results.delays(self)
        m, window = self.metrics, self.metrics.window_end
        area = m.area + m.present * (self.clock.now - m.last_change)
        return {"mean_delay": figures["mean_delay"], "p95_delay": figures["p95_delay"],
                "delay_open": figures["delay_open"],
                "run_out_days": self.steps - self.run_out_start,
                "little_L": area / window if window > 0 else math.nan,
                "little_lambda": m.external_arrived / window if window > 0 else math.nan,
                "little_W": figures["mean_delay"], "delivered": m.external_completed,
                **results.cause_kpis(self)}

    def final_kpis(self, max_days: int | None = None) -> dict[str, Any]:
        """The run's KPIs with every customer request followed to delivery.

        :meth:`kpis` now, its delay figures then replaced by :meth:`run_out`'s. It runs the
        model on: call it once, at the end, after reading any other table.
        """
        kpis = self.kpis()
        kpis.update(self.run_out(max_days))
        return kpis

    # ------------------------------------------------------------------ results

    @property
    def employees(self) -> list[Employee]:
        """Current employees in position order (their counters brought up to date)."""
        staff = [e for e in self.chain.occupant if e is not None]
        self.day.sync_people(staff)
        return staff

    def daily(self) -> pd.DataFrame:
        """One row per simulated day (index ``day``, from 1)."""
        return results.daily(self)

    def records(self) -> pd.DataFrame:
        """Every service record (only with ``Scenario.keep_records``)."""
        return results.records(self)

    def employee_summary(self) -> pd.DataFrame:
        """One row per employee (past and present): load, service given, blame attributed."""
        return results.employee_summary(self)

    def structure(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The organization as tables: positions and internal-service dependencies."""
        return results.structure(self)

    def positions(self) -> pd.DataFrame:
        """One row per position: its occupants' service, load and blame summed over the run."""
        return results.positions(self)

    def flows(self) -> pd.DataFrame:
        """Services per provider and customer position (customer -1: external customers)."""
        return results.flows(self)

    def attribution(self, by: str = "level") -> pd.DataFrame:
        """Where the chain breaks, by ``level``, ``role``, ``department``, post or employee.

        ``by`` is one of ``level``, ``role``, ``department``, ``position_id`` (the post) or
        ``employee_id`` (the person).
        """
        return results.attribution(self, by)

    def causes(self, by: str = "kind") -> pd.DataFrame:
        """Why customers waited: days per request delivered by ``kind``, ``step`` or ``need``.

        See :func:`simulation.model.results.causes`.
        """
        return results.causes(self, by)

    def customer_causes(self) -> pd.DataFrame:
        """Each counted customer request delivered, its delay by kind and by step.

        Needs ``OrgModel(..., customer_causes=True)``.
        """
        return results.customer_causes(self)

    def kpis(self) -> dict[str, Any]:
        """One flat dict of run-level results (the row an experiment stores)."""
        return results.kpis(self)


def _configuration(config: Any, design: Any, knobs: dict[str, Any], scenario: Any,
                   rng: SeedLike) -> tuple[Any, ModelScenario, SeedLike]:
    """The configuration, Mesa's scenario and the seed from what the caller passed.

    A Mesa scenario may carry ``design`` and the knobs (they join ``knobs``, which is updated in
    place) and the seed; any other parameter in it is refused, not ignored.
    """
    if isinstance(scenario, Scenario):  # the old name of the configuration
        if config is not None:
            raise TypeError("OrgModel got both config and a project Scenario as scenario; "
                            "pass the configuration once, as config")
        warnings.warn("OrgModel(scenario=...) with the project's Scenario is deprecated: pass "
                      "it as config= (or first); scenario= is Mesa's scenario slot",
                      DeprecationWarning, stacklevel=3)
        config, scenario = scenario, None
    if scenario is not None and not isinstance(scenario, MesaScenario):
        raise TypeError(f"scenario must be Mesa's Scenario (mesa.experimental.scenarios), got "
                        f"{type(scenario).__name__}; the configuration goes in config")
    carried = {} if scenario is None else {k: v for k, v in scenario if k != "rng"}
    for key, value in carried.items():
        if key != "design" and key not in knobs:
            raise TypeError(f"scenario parameter {key!r} is not one of the model's: design, "
                            f"{', '.join(knobs)}")
        given = design if key == "design" else knobs[key]
        if given is not None and given != value:
            raise ValueError(f"{key} = {given!r} and scenario.{key} = {value!r} differ: give it "
                             "once")
        if key == "design":
            design = value
        else:
            knobs[key] = value
    if design is not None:
        if config is not None:
            raise TypeError(f"OrgModel got both config and design = {design!r}; pass one: "
                            "design names a bundled scenario")
        config = design_config(design)
    if scenario is not None:
        given = scenario.rng
        if rng is not None and given is not None and not _same_seed(rng, given):
            raise ValueError(f"rng = {rng!r} and scenario.rng = {given!r} differ: give the "
                             "seed once")
        rng = given if rng is None else rng
    seed = None if isinstance(rng, np.random.Generator) else rng  # a generator is no record
    if not (isinstance(scenario, ModelScenario) and scenario.model is None
            and _same_seed(scenario.rng, seed)):
        scenario = ModelScenario(rng=seed, **carried)  # one scenario per model
    return (Scenario() if config is None else config), scenario, rng


def _same_seed(a: Any, b: Any) -> bool:
    return a is b or (_plain_seed(a) and _plain_seed(b) and a == b)


def _plain_seed(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_flags(**flags: Any) -> None:
    """Refuse engine switches that are not True or False (``compiled`` may also be None)."""
    for key, value in flags.items():
        if value not in (None, True, False) or (value is None and key != "compiled"):
            raise TypeError(f"{key} = {value!r} is not allowed: True or False"
                            + (" (or None: compiled when it can be)" if key == "compiled"
                               else ""))


def _check_classes(config: Any, employee_cls: Any, customer_cls: Any) -> None:
    """Refuse a configuration that is not a Scenario, or agent classes that are not the agents'."""
    if not isinstance(config, Scenario):
        raise TypeError(f"config must be a Scenario (simulation.config.Scenario), got "
                        f"{type(config).__name__}")
    if not (isinstance(employee_cls, type) and issubclass(employee_cls, Employee)):
        raise TypeError("employee_cls must be Employee or a subclass of it")
    if not (isinstance(customer_cls, type) and issubclass(customer_cls, Customer)):
        raise TypeError("customer_cls must be Customer or a subclass of it")
