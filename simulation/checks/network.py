"""A researcher's own queueing network against Jackson's product form, position by position.

:func:`as_network` reduces a scenario to the queueing network inside it (people, churn, quality
effects and hand-off delays off; each customer-facing position gets exactly its share of
demand) or says why the product form cannot hold. :func:`jackson` solves the traffic equations
of that network: visits, utilisation, mean and quantiles of the sojourn at each position, and
the external customers' mean delay. :func:`check_network` simulates replications and sets each
figure beside its prediction as an equivalence test (``service-chain check-network FILE``).

Routing in the model: a request at a position needs at most one input (an *exclusive* choice,
or a single input edge with its probability), which is produced before the position's own work;
a *review* edge sends each finished pass to the reviewer with its probability and back for
another pass (a rework loop). With Poisson demand, exponential work of one task per visit and
first-come-first-served single servers, every position is then an M/M/1 queue at its total
visit rate (Jackson 1963; Kelly 1979 for routes chosen on arrival): the reversed order in which
inputs are produced does not change the visit rates.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from simulation.checks.result import CheckResult, against_theory, seeds
from simulation.config.custom_graph import CustomGraph
from simulation.config.scenario import People, Scenario
from simulation.config.strategies import Exponential, FirstComeFirstServed
from simulation.core.shifts import shift_calendar

#: Equivalence margins by the position's load (as the validation battery's queueing checks).
MARGINS = ((0.6, 0.02), (0.85, 0.03), (1.0, 0.06))
#: Sojourn quantiles compared per position (its law is exponential under the product form).
QUANTILES = (0.5, 0.95)


class ProductFormError(ValueError):
    """The scenario's network has no product-form solution; the message says why."""


@dataclass(frozen=True)
class Jackson:
    """The product-form prediction for each position (arrays in position order) and overall.

    Attributes:
        names: Position names.
        external: Requests arriving from outside per day (customers' and scheduled).
        visits: Visits per day (each pass of reworked work is a visit).
        rate: Service rate per visit (tasks per day; inf: no work time).
        utilisation: ``visits / rate``.
        sojourn: Mean time per visit, queue and work: ``1 / (rate - visits)``.
        per_customer: Visits per external customer request.
        delay: The external customers' mean delay: ``sum(per_customer * sojourn)``.
    """

    names: list[str]
    external: np.ndarray
    visits: np.ndarray
    rate: np.ndarray
    utilisation: np.ndarray
    sojourn: np.ndarray
    per_customer: np.ndarray
    delay: float

    def quantile(self, q: float) -> np.ndarray:
        """The ``q``-quantile of the sojourn per visit at each position (exponential)."""
        return -math.log1p(-q) * self.sojourn


def jackson(graph: nx.MultiDiGraph, customers_per_day: float, max_depth: int = 50) -> Jackson:
    """Solve the traffic equations of a model graph (nodes 0..n-1) with per-position demand.

    ``customers_per_day`` is the external demand, split by the nodes' ``demand`` shares (equal
    over customer-facing positions when none is given); scheduled dependencies add their
    ``per_day`` at the provider.

    Raises:
        ProductFormError: naming the position or edge that breaks the product form.
    """
    n = graph.number_of_nodes()
    names = [str(graph.nodes[i].get("name", i)) for i in range(n)]
    facing = [i for i in range(n) if graph.nodes[i]["customer_facing"]]
    weights = np.array([graph.nodes[i].get("demand") or 1.0 for i in facing], dtype=float)
    customer = np.zeros(n)
    customer[facing] = customers_per_day * weights / weights.sum()
    scheduled = np.zeros(n)
    routing = np.zeros((n, n))  # requests at the provider per request at the customer
    returned = np.zeros(n)  # probability that a pass goes for review (and comes back)
    reviewer = np.full(n, -1)
    inputs: dict[int, list[str]] = {}  # per customer: its independent inputs, "exclusive"
    for i in range(n):
        node = graph.nodes[i]
        if shift_calendar(float(node.get("shift_start", 0.0)), float(node.get("shift_end", 1.0)),
                          str(node.get("workdays", ""))) is not None:
            raise ProductFormError(f"{names[i]!r} works a calendar (shift or workdays): its "
                                   "service stops off shift (no product form)")
    for u, v, key, d in graph.edges(keys=True, data=True):
        where = f"{names[u]!r} -> {names[v]!r} ({key})"
        if d.get("gate", False):
            raise ProductFormError(f"{where} is a quality gate: whether work returns depends on "
                                   "its defects (no product form)")
        if d.get("directed", False):
            raise ProductFormError(f"{where} is directed coaching: its provider depends on the "
                                   "latest reports (no product form)")
        if float(d.get("work", 1.0)) != 1.0 and (d["probability"] > 0 or d["per_day"] > 0):
            raise ProductFormError(f"{where} has work {d['work']:g}: a first-come-first-served "
                                   "position needs one service law for all its work (work = 1)")
        if d["per_day"] > 0:
            scheduled[v] += float(d["per_day"])
        if d["probability"] <= 0:
            continue
        if d.get("review", False):
            if reviewer[u] >= 0:
                raise ProductFormError(f"{names[u]!r} has two reviewers: its work would wait for "
                                       "both at once (a fork-join, no product form)")
            reviewer[u], returned[u] = v, float(d["probability"])
            continue
        routing[u, v] += float(d["probability"])
        kinds = inputs.setdefault(u, [])
        if not d.get("exclusive", False):
            kinds.append(f"input {names[v]!r} ({key})")  # two edges to one provider: two inputs
        elif "exclusive alternatives" not in kinds:
            kinds.append("exclusive alternatives")
    for u, kinds in inputs.items():
        if len(kinds) > 1:
            raise ProductFormError(
                f"{names[u]!r} may need several inputs at once ({', '.join(kinds)}): a "
                "fork-join, no product form; make its inputs exclusive alternatives")
    _check_acyclic(graph, names, max_depth)
    forward = routing.copy()
    for u in range(n):
        if reviewer[u] >= 0:
            forward[u, reviewer[u]] += returned[u] / (1.0 - returned[u])
    solve = np.linalg.inv(np.eye(n) - forward.T)
    requests = solve @ (customer + scheduled)
    visits = requests / (1.0 - returned)
    rate = np.array([float(graph.nodes[i]["rate"]) for i in range(n)])
    utilisation = np.where(np.isinf(rate), 0.0, visits / rate)
    busy = [names[i] for i in range(n) if utilisation[i] >= 1.0]
    if busy:
        raise ProductFormError(f"no steady state: {', '.join(busy)} would be busy "
                               f"{max(utilisation):.0%} of the time or more (load >= 1)")
    with np.errstate(divide="ignore"):
        sojourn = np.where(np.isinf(rate), 0.0, 1.0 / (rate - visits))
    total = customer.sum()
    per_customer = (solve @ customer) / (1.0 - returned) / total if total else np.zeros(n)
    return Jackson(names, customer + scheduled, visits, rate, utilisation, sojourn,
                   per_customer, float(per_customer @ sojourn))


def _check_acyclic(graph: nx.MultiDiGraph, names: list[str], max_depth: int) -> None:
    """Inputs, reviews and scheduled requests form no cycle and no chain beyond the depth cap.

    The model skips a provider already on the request's chain unless the input is exclusive (a
    returning Markov route), and stops at ``max_depth``: either would cut the routing the
    equations assume.
    """
    links = nx.DiGraph()
    links.add_nodes_from(graph.nodes)
    links.add_edges_from((u, v) for u, v, d in graph.edges(data=True)
                         if d["probability"] > 0 or d["per_day"] > 0)
    try:
        cycle = nx.find_cycle(links)
    except nx.NetworkXNoCycle:
        chained = nx.DiGraph()  # a scheduled request starts a chain of its own (depth 0)
        chained.add_nodes_from(graph.nodes)
        chained.add_edges_from((u, v) for u, v, d in graph.edges(data=True)
                               if d["probability"] > 0)
        longest = nx.dag_longest_path_length(chained)
        if longest > max_depth:
            raise ProductFormError(f"a chain of {longest} requests, each needing the next, "
                                   f"passes work.max_depth = {max_depth}, where the model "
                                   "stops asking") from None
        return
    path = " -> ".join(names[u] for u, _ in cycle) + f" -> {names[cycle[0][0]]}"
    raise ProductFormError(f"the dependencies form a cycle ({path}): work comes back to a "
                           "position on its chain only by exclusive inputs, and the model stops "
                           "such a route at work.max_depth where the equations assume none; "
                           "give a rework loop as a review edge instead")


def as_network(scenario: Scenario, seed: int = 0,
               speed: float = 1.0) -> tuple[Scenario, list[str]]:
    """The queueing network inside ``scenario``, and what was switched off to get it.

    With ``speed`` k, every rate (work, demand, scheduled requests) is k times higher: the same
    network on a clock k times faster, so a simulated day carries k days' traffic (multiply its
    times by k to compare).

    Raises:
        ProductFormError: work times are not exponential, the queues not first come first served,
            or the routing not Markov (:func:`jackson` says which position breaks it).
    """
    work_time, discipline = scenario.work.work_time, scenario.design.discipline
    if not isinstance(work_time, Exponential):
        raise ProductFormError(f"work times are {type(work_time).__name__}: the product form "
                               "needs exponential work (validate checks M/D/1 and M/E_k/1 "
                               "against Pollaczek-Khinchine)")
    if not isinstance(discipline, FirstComeFirstServed):
        raise ProductFormError(f"queues are {type(discipline).__name__}: the product form needs "
                               "first come first served (validate checks priorities against "
                               "Cobham)")
    from simulation.model.orgmodel import OrgModel

    probe = OrgModel(scenario, rng=seed)  # the graph as the model builds it (nodes 0..n-1)
    jackson(probe.graph, demand_per_day(scenario, probe.graph), scenario.work.max_depth)
    graph = nx.MultiDiGraph(probe.graph)
    notes = ["people dynamics off (no learning, morale, quits or vacancies)",
             "customers stay (no churn, word of mouth, acquisition or complaints)",
             "no hand-off delays and no quality effect on work time"]
    if not any(d.get("demand") is not None for _, d in graph.nodes(data=True)):
        notes.append("each customer-facing position gets an equal share of demand, exactly")
        facing = sum(1 for _, d in graph.nodes(data=True) if d["customer_facing"])
        count = scenario.customers.initial_count(facing)
        if 0 < count < facing:
            raise ProductFormError(f"customers.count = {count} is below the {facing} "
                                   "customer-facing positions: each needs a customer to receive "
                                   "its share of demand")
    for _, d in graph.nodes(data=True):
        d.pop("id", None)
        d["manager"] = None
        d["rate"] = d["rate"] * speed
        if d["customer_facing"] and d.get("demand") is None:
            d["demand"] = 1.0
    for _, _, d in graph.edges(data=True):
        d.pop("handoff", None)
        d["per_day"] = d["per_day"] * speed
    work = dataclasses.replace(scenario.work, handoff_delay=0.0, handoff_loss=0.0,
                               communication=0.0, rework=0.0, assistance_relief=0.0)
    customers = dataclasses.replace(scenario.customers, churn=False, word_of_mouth=False,
                                    acquisition_per_day=0.0, failure_demand=0.0,
                                    request_rate=scenario.customers.request_rate * speed)
    reduced = Scenario(name=scenario.name, description=scenario.description,
                       design=CustomGraph(discipline=discipline, graph=graph), work=work,
                       people=People(enabled=False), customers=customers, days=scenario.days,
                       replications=scenario.replications)
    return reduced, notes


def demand_per_day(scenario: Scenario, graph: nx.MultiDiGraph) -> float:
    """External customer requests per day: the initial customers times their request rate."""
    facing = sum(1 for _, d in graph.nodes(data=True) if d["customer_facing"])
    return scenario.customers.initial_count(facing) * scenario.customers.request_rate


@dataclass(frozen=True)
class Replication:
    """One replication's measurements after its warm-up (arrays in position order)."""

    visits: np.ndarray
    utilisation: np.ndarray
    sojourn: np.ndarray
    quantiles: np.ndarray  # (len(QUANTILES), positions)
    delay: float


def replicate(scenario: Scenario, days: int, warmup: int, seed: np.random.SeedSequence,
              speed: float = 1.0) -> Replication:
    """Run one replication; measure from ``warmup`` to ``days`` (delay: followed to delivery).

    ``speed``: the scenario's clock runs that many times faster (:func:`as_network`); the
    measurements are returned in the network's own time.
    """
    from simulation.chain.metrics import histogram_quantile
    from simulation.model.orgmodel import OrgModel

    model = OrgModel(scenario, rng=seed, position_histograms=True)
    model.run(warmup)
    before = _counters(model)
    model.run(days - warmup)
    after = _counters(model)
    model.run_out()
    span = after["time"] - before["time"]
    tasks = after["tasks"] - before["tasks"]
    with np.errstate(divide="ignore", invalid="ignore"):
        sojourn = (after["sojourn"] - before["sojourn"]) / tasks
    counts = after["counts"] - before["counts"]
    quantiles = np.array([[histogram_quantile(c, q) for c in counts] for q in QUANTILES])
    done = model.metrics.external_completed - before["completed"]  # followed to delivery
    delay = (model.metrics.delay_sum - before["delay"]) / done if done else math.nan
    return Replication(tasks / span / speed, (after["busy"] - before["busy"]) / span,
                       sojourn * speed, quantiles * speed, float(delay) * speed)


def _counters(model) -> dict:
    staff = model.employees  # people are off: one person per position all run
    return {"time": model.clock.now,
            "tasks": np.array([e.tasks_done for e in staff], dtype=float),
            "sojourn": np.array([e.sojourn_sum for e in staff]),
            "busy": np.array([e.busy_until_now() for e in staff]),
            "counts": model.metrics.position_counts.copy(),
            "completed": model.metrics.external_completed,
            "delay": model.metrics.delay_sum}


def margin_for(load: float) -> float:
    """The equivalence margin of a figure at a position with this load."""
    return next(m for limit, m in MARGINS if load < limit)


def compare(theory: Jackson, reps: list[Replication], detail: str) -> list[CheckResult]:
    """Each position's visits, utilisation, mean and quantile sojourns, then the overall delay."""
    out = []
    worked = [i for i in range(len(theory.names))
              if theory.visits[i] > 0 and math.isfinite(theory.rate[i])]
    source = "Jackson 1963"
    for i in worked:
        name, load = theory.names[i], float(theory.utilisation[i])
        m = margin_for(load)
        rows = [("visits per day", theory.visits[i], [r.visits[i] for r in reps], 0.02),
                ("utilisation", load, [r.utilisation[i] for r in reps], 0.02),
                ("mean sojourn", theory.sojourn[i], [r.sojourn[i] for r in reps], m)]
        for k, q in enumerate(QUANTILES):
            rows.append((f"sojourn p{round(q * 100)}", float(theory.quantile(q)[i]),
                         [r.quantiles[k, i] for r in reps], m + 0.01))
        for what, value, values, margin in rows:
            out.append(against_theory(f"{name}: {what}", source, float(value),
                                      np.array(values, dtype=float), margin,
                                      f"{detail}; load {load:.2f}"))
    if theory.per_customer.any():  # customers arrive
        worst = max(float(theory.utilisation.max()), 0.0)
        out.append(against_theory("external customers: mean delay", source, theory.delay,
                                  np.array([r.delay for r in reps]), margin_for(worst), detail))
    return out


#: Visits per simulated day the check aims at: a faster clock for slow networks (see
#: :func:`as_network`), since a simulated day's bookkeeping costs as much as many visits.
VISITS_PER_DAY = 200.0


def check_network(scenario: Scenario, runs: int = 10, days: int = 1000, seed: int = 2026,
                  workers: int = 1, max_runs: int | None = None, power: float = 0.9,
                  progress: Callable[[int, int], None] | None = None,
                  ) -> tuple[Jackson, list[CheckResult], list[str]]:
    """Simulate the scenario's queueing network and set it beside Jackson's product form.

    The network runs on a clock fast enough for about ``VISITS_PER_DAY`` visits a simulated day
    (never slower than the scenario's own); figures are in the scenario's days. Replications
    are added ``runs`` at a time, up to ``max_runs`` (default: ``runs``), until every figure's
    power reaches ``power``: a correct engine then fails a figure only by chance.

    Returns:
        The prediction, one equivalence test per figure (per position, then overall), and the
        notes on what :func:`as_network` switched off.

    Raises:
        ProductFormError: saying why the product form does not apply.
    """
    if runs < 1 or (max_runs is not None and max_runs < 1):
        raise ValueError(f"runs = {runs}, max_runs = {max_runs}: each must be 1 or more")
    if days < 10:
        raise ValueError(f"days = {days} is not allowed: at least 10 (a tenth is the warm-up)")
    reduced, notes = as_network(scenario, seed)
    graph = reduced.design.build(np.random.default_rng(0))
    graph = nx.convert_node_labels_to_integers(graph, ordering="sorted")
    theory = jackson(graph, demand_per_day(reduced, graph), reduced.work.max_depth)
    speed = max(1.0, VISITS_PER_DAY / max(float(theory.visits.sum()), 1e-9))
    fast, _ = as_network(scenario, seed, speed)
    warmup = max(1, days // 10)
    limit = max(runs, max_runs or runs)
    children = seeds(seed, limit)  # replication k's seed whatever the batches
    reps: list[Replication] = []
    while True:
        batch = children[len(reps):len(reps) + runs]
        reps += _replicate_all(fast, days, warmup, batch, speed, workers)
        detail = (f"{len(reps)} replications x {days} days (the first {warmup} a warm-up) on "
                  f"a clock {speed:.3g} times faster, seed {seed}")
        results = compare(theory, reps, detail)
        if progress:
            progress(len(reps), sum(r.power < power for r in results))
        if len(reps) >= limit or all(r.power >= power for r in results):
            return theory, results, notes


def _replicate_all(scenario: Scenario, days: int, warmup: int,
                   children: list[np.random.SeedSequence], speed: float,
                   workers: int) -> list[Replication]:
    if workers <= 1 or len(children) == 1:
        return [replicate(scenario, days, warmup, child, speed) for child in children]
    from simulation.experiments.pool import process_pool

    n = len(children)
    with process_pool(min(workers, n)) as pool:
        return list(pool.map(replicate, [scenario] * n, [days] * n, [warmup] * n, children,
                             [speed] * n))
