"""Checks against queueing theory: Little's law, Jackson networks, fork-join, span of control."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from simulation.checks.result import (  # noqa: F401
    FAIL,
    PASS,
    REFERENCES,
    CheckResult,
    against_theory,
    seeds,
    verdict,
)
from simulation.config.presets import (
    approval_graph,
    fork_join_graph,
    queueing_network,
    random_forest_graph,
    rework_graph,
    speed_up,
    tandem_graph,
)
from simulation.experiments.stats import mean_ci
from simulation.model.orgmodel import OrgModel


def _sojourns(graph: nx.DiGraph, arrival: float, days: int, reps: int, seed: int,
              k: float = 1.0) -> tuple[np.ndarray, list[OrgModel]]:
    """Mean external sojourn per replication, in units of the unscaled network's time."""
    out, models = [], []
    for child in seeds(seed, reps):
        model = OrgModel(queueing_network(speed_up(graph, k), arrival * k), rng=child)
        model.run(days)
        out.append(model.run_out()["mean_delay"] * k)
        models.append(model)
    return np.array(out), models


def check_little(scale: float = 1.0, seed: int = 11) -> CheckResult:
    """Little's law per employee, per department and for the organization (silos, people off)."""
    from simulation.config.files import load_scenario

    days = max(50, int(600 * scale))
    scenario = load_scenario("silos").with_people(enabled=False).with_customers(
        churn=False, word_of_mouth=False, acquisition_per_day=0.0)
    model = OrgModel(scenario, rng=seed)
    model.run(days)
    t = model.clock.now
    errors = []
    groups: dict[str, list[Any]] = {}
    for e in model.employees:
        groups.setdefault(e.department, []).append(e)
        if e.tasks_done:
            area = e.area + e.present * (t - e.last_change)
            errors.append(_little_error(area / t, e.accepted / t, e.sojourn_sum / e.tasks_done))
    for staff in groups.values():
        area = sum(e.area + e.present * (t - e.last_change) for e in staff)
        done = sum(e.tasks_done for e in staff)
        errors.append(_little_error(area / t, sum(e.accepted for e in staff) / t,
                                    sum(e.sojourn_sum for e in staff) / done))
    errors.append(_little_error(*model.metrics.little(t)))
    worst = max(errors)
    return CheckResult(
        "Little's law L = lambda W (employees, departments, organization)", "queueing",
        "Little 1961", "relative error < 1%", worst, math.nan, math.nan,
        verdict(worst < 0.01),
        f"bundled silos with people dynamics and churn off, {days} days, seed {seed}; "
        f"largest |L - lambda W| / L over {len(errors)} subsystems (time-average L measured "
        "independently of W)")


def _little_error(big_l: float, lam: float, w: float) -> float:
    return abs(big_l - lam * w) / big_l if big_l else 0.0


def check_tandem(scale: float = 1.0, seed: int = 12) -> CheckResult:
    """Jackson: three M/M/1 stations in series, mu = (2, 3, 4), lambda = 1."""
    theory = 1 / (2 - 1) + 1 / (3 - 1) + 1 / (4 - 1)
    reps, days = max(3, int(8 * scale)), 500
    values, _ = _sojourns(tandem_graph((2.0, 3.0, 4.0)), 1.0, days, reps, seed, k=20)
    return against_theory("Jackson tandem line, mean sojourn", "Jackson 1957", theory, values,
                           0.03, f"{reps} replications x {days} days x 20 customers a day")


def check_rework(scale: float = 1.0, seed: int = 13) -> CheckResult:
    """Jackson: the rework loop, gamma = 1, mu = (3, 1), p12 = 0.4, p21 = 1: W = 3.25."""
    lam = np.array([5 / 3, 2 / 3])  # traffic equations: l1 = 1 + l2, l2 = 0.4 l1
    rho = lam / np.array([3.0, 1.0])
    theory = float((rho / (1 - rho)).sum() / 1.0)
    reps, days = max(3, int(8 * scale)), 2500
    values, _ = _sojourns(rework_graph((3.0, 1.0), 0.4), 1.0, days, reps, seed, k=20)
    return against_theory("Jackson rework loop (40% returned), mean sojourn",
                           "Jackson 1963", theory, values, 0.03,
                           f"{reps} replications x {days} days x 20 customers a day; "
                           "lambda = (5/3, 2/3)")


def check_random_network(scale: float = 1.0, seed: int = 14) -> CheckResult:
    """A random acyclic network: mean sojourn from the traffic equations."""
    rng = np.random.default_rng(seed)
    graph, links = random_forest_graph(rng, n=8, front=2)
    rho = rng.uniform(0.3, 0.7, size=8)
    # traffic equations with the customer split each replication realises
    reps, days, k = max(3, int(8 * scale)), 1200, 20
    values, theories = [], []
    for child in seeds(seed, reps):
        probe = OrgModel(queueing_network(graph, 1.0), rng=child)
        homes = np.bincount([c.home for c in probe.customers], minlength=8) / len(
            probe.customers)
        lam = homes.astype(float).copy()
        for i in range(8):  # nodes are in topological order (providers come later)
            if i in links:
                provider, p = links[i]
                lam[provider] += p * lam[i]
        mu = lam / rho
        g = graph.copy()
        for i in range(8):
            g.nodes[i]["rate"] = float(mu[i]) * k if lam[i] > 0 else 1.0
        model = OrgModel(queueing_network(g, k), rng=child)
        assert [c.home for c in model.customers] == [c.home for c in probe.customers]
        model.run(days)
        values.append(model.run_out()["mean_delay"] * k)
        theories.append(float(((lam > 0) * rho / (1 - rho)).sum()))
    theory = float(np.mean(theories))
    return against_theory("Random acyclic network (8 positions), mean sojourn", "Jackson 1963",
                           theory, np.array(values), 0.03,
                           f"{reps} replications x {days} days x {k} customers a day; "
                           "utilisations 0.3 to 0.7 drawn at random")


def _fork_join_theory(k: int, rho: float, mu: float = 1.0) -> float:
    r2 = (12 - rho) / 8 / (mu - rho * mu)
    h_k = sum(1 / i for i in range(1, k + 1))
    h_2 = 1.5
    return (h_k / h_2 + (1 - h_k / h_2) * 4 * rho / 11) * r2


def check_fork_join(k: int, rho: float, scale: float = 1.0, seed: int = 15) -> CheckResult:
    """Fork-join of K M/M/1 queues: Flatto & Hahn exact (K = 2), Nelson & Tantawi (K = 4)."""
    theory = _fork_join_theory(k, rho)
    reps = max(3, int(8 * scale))
    days = 1500 if rho < 0.7 else 4000
    values, _ = _sojourns(fork_join_graph(k, 1.0), rho, days, reps, seed + 10 * k, k=20)
    source = "Flatto & Hahn 1984" if k == 2 else "Nelson & Tantawi 1988"
    tol = 0.03 if k == 2 else 0.05
    return against_theory(f"Fork-join, K = {k} parallel M/M/1, rho = {rho}", source, theory,
                           values, tol, f"{reps} replications x {days} days x 20 customers a "
                           "day" + ("" if k == 2 else "; the approximation's own error is "
                                    "under 5%"))


def check_span_of_control(scale: float = 1.0, seed: int = 16) -> list[CheckResult]:
    """A manager approving work: delay 1 / (mu_m - s e), relieved by empowerment at the neck."""
    span, mu_m, mu_f, k = 6, 1.0, 2.0, 20
    results = []
    reliefs = []
    for load, days in ((0.5, 400), (0.8, 800), (0.9, 2400)):
        frontline = 1.0  # requests per day per frontliner
        approval = load * mu_m / (span * frontline)  # s e / mu_m = load
        rows = {}
        for label, a in (("pyramid", approval), ("empowered", approval / 6)):
            values, theories = [], []
            for child in seeds(seed, max(3, int(5 * scale))):
                g = approval_graph(span, a, mu_m * k, mu_f * k)
                model = OrgModel(queueing_network(g, span * frontline * k), rng=child)
                homes = np.bincount([c.home for c in model.customers], minlength=span + 1)
                lam = homes / homes.sum() * span * frontline
                model.run(days)
                values.append(model.run_out()["mean_delay"] * k)
                manager = a * lam.sum()
                theories.append(a / (mu_m - manager) + float(
                    (lam[1:] / lam.sum() / (mu_f - lam[1:])).sum()))
            rows[label] = (np.array(values), float(np.mean(theories)))
        values, theory = rows["pyramid"]
        results.append(against_theory(
            f"Span of control: frontline delay at manager load {load}",
            "Kleinrock 1975", theory, values, 0.05,
            f"{span} frontliners, {approval:.3f} of their work approved by one manager, "
            f"{len(values)} replications x {days} days x 20 requests a day per frontliner; "
            "theory a / (mu_m - s e) + the frontline M/M/1 sojourn"))
        relief = rows["pyramid"][0] - rows["empowered"][0]
        reliefs.append((load, relief, rows["pyramid"][1] - rows["empowered"][1]))
    low_load, high_load = reliefs[0], reliefs[-1]
    mean, low, high = mean_ci(high_load[1])
    ok = (mean_ci(low_load[1])[0] < 0.25 * mean
          and abs(mean - high_load[2]) <= 0.1 * high_load[2])
    results.append(CheckResult(
        "Span of control: empowerment relieves the bottleneck", "queueing", "Kleinrock 1975",
        f"relief {high_load[2]:.3g} at 0.9 vs {low_load[2]:.3g} at 0.5", mean, low, high,
        verdict(ok),
        f"simulated relief at load 0.5: {mean_ci(low_load[1])[0]:.3g}; at 0.9 (shown): within "
        "10% of theory and over 4 times the relief at 0.5"))
    return results
