"""Checks against queueing theory: Little's law, Jackson networks, fork-join, span of control."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import networkx as nx
import numpy as np

from simulation.chain.metrics import histogram_mean, histogram_quantile
from simulation.checks import oracles
from simulation.checks.result import (  # noqa: F401
    FAIL,
    PASS,
    REFERENCES,
    CheckResult,
    against_theory,
    contained,
    equivalence_power,
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
    vacancy_graph,
)
from simulation.config.strategies import (
    CustomerFirst,
    Deterministic,
    Erlang,
    Exponential,
    RankFirst,
)
from simulation.core.causes import Kind
from simulation.core.units import DAYS_PER_MONTH
from simulation.experiments.stats import mean_ci
from simulation.model.orgmodel import OrgModel

#: Equivalence margins, relative to theory, by the busiest station's load: below 0.6, up to
#: 0.85, and near saturation (where 2% would take hours of runs); quantiles are noisier. Each
#: check's replications and days are set so that a correct engine passes with probability at
#: least 0.95 at its margin (the power each result reports; ``tests/test_validation_queueing.py``).
MEAN_MARGIN = 0.02
HEAVY_MARGIN = 0.03
SATURATED_MARGIN = 0.06
QUANTILE_MARGIN = 0.03
#: The quantiles a distribution check compares.
QUANTILES = (0.25, 0.5, 0.75, 0.9, 0.95)


def _sojourns(graph: nx.DiGraph, arrival: float, days: int, reps: int, seed: int,
              k: float = 1.0, **network) -> tuple[np.ndarray, list[np.ndarray]]:
    """Mean external sojourn per replication (in the unscaled network's time) and its histogram.

    Only the delay histograms are kept, not the models, so memory stays that of one run.
    """
    out, histograms, _ = _replications(graph, arrival, days, reps, seed, k, **network)
    return out, histograms


def _replications(graph: nx.DiGraph, arrival: float, days: int, reps: int, seed: int,
                  k: float = 1.0, **network) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """As :func:`_sojourns`, and each replication's mean delay per customer by kind of time.

    The kinds are :class:`simulation.core.causes.Kind`'s, in the unscaled network's time.
    """
    out, histograms, kinds = [], [], []
    for child in seeds(seed, reps):
        model = OrgModel(queueing_network(speed_up(graph, k), arrival * k, **network), rng=child)
        model.run(days)
        out.append(model.run_out()["mean_delay"] * k)
        histograms.append(model.metrics.histogram.counts.copy())
        m = model.metrics
        kinds.append(m.causes.sum(axis=(0, 1)) * k / max(m.external_completed, 1))
    return np.array(out), histograms, np.array(kinds)


def _quantile_band(check: str, source: str, histograms: list[np.ndarray], k: float,
                   rates: tuple[float, ...], detail: str) -> CheckResult:
    """Each quantile of the sojourn (per replication) against the exact law, within the margin.

    Passes when every quantile's 95% interval over replications lies within
    ``QUANTILE_MARGIN`` of the exact quantile; shows the largest relative deviation.
    """
    rows, worst, power = [], 0.0, 1.0
    ok = True
    for q in QUANTILES:
        theory = oracles.sojourn_quantile(q, rates)
        values = np.array([histogram_quantile(counts, q) * k for counts in histograms])
        mean, low, high = mean_ci(values)
        ok &= contained(low, high, (theory, theory), QUANTILE_MARGIN)
        se = float(values.std(ddof=1) / math.sqrt(len(values)))
        power *= equivalence_power(theory, se, len(values) - 1, QUANTILE_MARGIN)[0]
        worst = max(worst, abs(mean / theory - 1))
        rows.append(f"{q:g}: {mean:.3f} [{low:.3f}, {high:.3f}] vs {theory:.3f}")
    return CheckResult(check, "queueing", source, f"every quantile within {QUANTILE_MARGIN:.0%}",
                       worst, math.nan, math.nan, verdict(bool(ok)),
                       f"{detail}; quantiles over replications (simulated value: the largest "
                       f"relative deviation of a mean quantile): {'; '.join(rows)}; power "
                       "the product of the quantiles' powers", QUANTILE_MARGIN, power)


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


def check_tandem(scale: float = 1.0, seed: int = 12) -> list[CheckResult]:
    """Jackson: three M/M/1 stations in series, mu = (2, 3, 4), lambda = 1: mean and law."""
    rates = (2.0 - 1.0, 3.0 - 1.0, 4.0 - 1.0)
    theory = sum(1 / r for r in rates)
    reps, days = max(3, int(16 * scale)), 1000
    values, histograms = _sojourns(tandem_graph((2.0, 3.0, 4.0)), 1.0, days, reps, seed, k=20)
    detail = f"{reps} replications x {days} days x 20 customers a day"
    return [against_theory("Jackson tandem line, mean sojourn", "Jackson 1957", theory, values,
                           MEAN_MARGIN, detail),
            _quantile_band("Jackson tandem line, sojourn distribution (quantiles 0.25 to 0.95)",
                           "Reich 1957", histograms, 20, rates,
                           detail + "; the sojourn is a sum of independent exponentials of "
                           "rates 1, 2, 3")]


def check_single_server(scale: float = 1.0, seed: int = 17) -> list[CheckResult]:
    """One server at load 0.5: M/M/1 (mean and law), M/D/1 and M/E4/1 (Pollaczek-Khinchine)."""
    lam, reps, days, k = 0.5, max(3, int(16 * scale)), 2500, 20
    graph = tandem_graph((1.0,))
    out = []
    for law, cv2, name in ((Exponential(), 1.0, "M/M/1"), (Deterministic(), 0.0, "M/D/1"),
                           (Erlang(k=4), 0.25, "M/E4/1")):
        theory = oracles.pollaczek_khinchine(lam, 1.0, cv2)
        n = reps * 2 if cv2 == 1.0 else reps  # the exponential sojourn varies most
        values, histograms = _sojourns(graph, lam, days, n, seed, k=k, work_time=law)
        detail = (f"{n} replications x {days} days x {lam * k:g} customers a day; work "
                  f"{law.kind}, cv^2 {cv2:g}")
        out.append(against_theory(f"{name} at load {lam:g}, mean sojourn", "Pollaczek 1930",
                                  theory, values, MEAN_MARGIN, detail))
        if name == "M/M/1":
            out.append(_quantile_band(f"M/M/1 at load {lam:g}, sojourn distribution (quantiles "
                                      "0.25 to 0.95)", "Kleinrock 1975", histograms, k,
                                      (1.0 - lam,),
                                      detail + f"; the sojourn is exponential of rate {1 - lam:g}"))
    return out


def check_priority(scale: float = 1.0, seed: int = 18) -> list[CheckResult]:
    """Non-preemptive priority at one server (Cobham): rank first and customer first.

    A frontline server (rate 1) serves customers (0.2 per unit time) and a manager's scheduled
    requests (0.2, Poisson): ranked first, the manager's work goes ahead of customers; customer
    first, the other way round. The customers' mean sojourn is Cobham's for their class (first
    come first served would give 1.667 to both).

    Ranked after the manager, a customer's wait splits into prioritisation, the manager's work
    that arrives while it waits (``rho_m W_q``: Poisson arrivals see time averages), and
    contention, the rest; both are checked (``simulation.core.causes``). Served first, a
    customer is never overtaken.
    """
    lam_c, lam_m, k = 0.2, 0.2, 20
    reps, days = max(3, int(16 * scale)), 2500
    g = nx.DiGraph()
    g.add_node(0, rate=1.0, level=0, customer_facing=True)
    g.add_node(1, rate=math.inf, level=1, customer_facing=False, role="manager")
    g.add_edge(1, 0, per_day=lam_m * k)
    out = []
    for discipline, first in ((RankFirst(), False), (CustomerFirst(), True)):
        classes = [lam_c, lam_m] if first else [lam_m, lam_c]
        sojourns = oracles.cobham(classes, [1.0, 1.0], [1.0, 1.0])
        theory = sojourns[0] if first else sojourns[1]
        n = reps if first else reps * 2  # the low-priority class varies most
        values, _, kinds = _replications(g, lam_c, days, n, seed, k=k, discipline=discipline)
        detail = (f"{n} replications x {days} days; one server at load {lam_c + lam_m:g}: "
                  f"customers {lam_c:g} and a manager's scheduled requests {lam_m:g} per unit "
                  f"time, customers {'first' if first else 'after the manager'}")
        out.append(against_theory(
            f"Priority ({discipline.kind.replace('_', ' ')}): customers' mean sojourn",
            "Cobham 1954", theory, values, MEAN_MARGIN, detail))
        if not first:  # the wait's causes: overtaken by the manager's work, and the rest
            wait = theory - 1.0
            for kind, share in ((Kind.PRIORITISATION, lam_m), (Kind.CONTENTION, 1.0 - lam_m)):
                part = share * wait  # held to the sojourn's precision: 2% of the sojourn
                out.append(against_theory(
                    f"Priority (rank first): customers' mean {kind.name.lower()} wait",
                    "Wolff 1982", part, kinds[:, kind], MEAN_MARGIN * theory / part,
                    detail + f"; the manager's load {lam_m:g} times the customers' mean wait "
                    f"{wait:.4g}" + (" is the time overtaken" if kind == Kind.PRIORITISATION
                                     else ": the rest of the wait")
                    + f"; the margin is {MEAN_MARGIN:.0%} of the mean sojourn"))
        else:
            over = float(np.abs(kinds[:, Kind.PRIORITISATION]).max())
            out.append(CheckResult(
                "Priority (customer first): customers never overtaken", "queueing",
                "Cobham 1954", "0", over, math.nan, math.nan, verdict(over == 0.0),
                detail + "; the largest mean time overtaken of any replication", 0.0, 1.0))
    return out


def check_handoff(scale: float = 1.0, seed: int = 19) -> CheckResult:
    """The tandem across three departments: each hand-off adds its mean delay (M/G/infinity).

    A hand-off delays delivery by an independent exponential time; the next station's
    arrivals stay Poisson (the output of an infinite-server stage fed by Poisson), so the mean
    sojourn is Jackson's plus the two hand-offs' means.
    """
    h, k = 0.25, 20
    reps, days = max(3, int(16 * scale)), 1000
    graph = tandem_graph((2.0, 3.0, 4.0))
    for node in graph.nodes:
        graph.nodes[node]["department"] = f"department {node}"
    theory = 1 / 1 + 1 / 2 + 1 / 3 + 2 * h
    values, _ = _sojourns(graph, 1.0, days, reps, seed, k=k, handoff_delay=h / k)
    return against_theory("Hand-offs across departments, mean sojourn", "Jackson 1957",
                          theory, values, MEAN_MARGIN,
                          f"{reps} replications x {days} days; the tandem line with each station "
                          f"in its own department, hand-off delay exponential of mean {h:g}")


def check_rework(scale: float = 1.0, seed: int = 13) -> CheckResult:
    """Jackson: the rework loop, gamma = 1, mu = (3, 1), p12 = 0.4, p21 = 1: W = 3.25."""
    lam = np.array([5 / 3, 2 / 3])  # traffic equations: l1 = 1 + l2, l2 = 0.4 l1
    rho = lam / np.array([3.0, 1.0])
    theory = float((rho / (1 - rho)).sum() / 1.0)
    reps, days = max(3, int(16 * scale)), 4000
    values, _ = _sojourns(rework_graph((3.0, 1.0), 0.4), 1.0, days, reps, seed, k=20)
    return against_theory("Jackson rework loop (40% returned), mean sojourn",
                           "Jackson 1963", theory, values, HEAVY_MARGIN,
                           f"{reps} replications x {days} days x 20 customers a day; "
                           "lambda = (5/3, 2/3)")


def check_random_network(scale: float = 1.0, seed: int = 14) -> CheckResult:
    """A random acyclic network: mean sojourn from the traffic equations."""
    rng = np.random.default_rng(seed)
    graph, links = random_forest_graph(rng, n=8, front=2)
    rho = rng.uniform(0.3, 0.7, size=8)
    # traffic equations with the customer split each replication realises
    reps, days, k = max(3, int(16 * scale)), 2000, 20
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
                           theory, np.array(values), MEAN_MARGIN,
                           f"{reps} replications x {days} days x {k} customers a day; "
                           "utilisations 0.3 to 0.7 drawn at random")


def check_fork_join(k: int, rho: float, scale: float = 1.0, seed: int = 15) -> CheckResult:
    """Fork-join of K M/M/1 queues: Flatto & Hahn exact (K = 2), a converged reference (K = 4)."""
    theory = oracles.fork_join(k, rho)
    reps = max(3, int(16 * scale))
    days = 2000 if rho < 0.7 else 4000
    values, _ = _sojourns(fork_join_graph(k, 1.0), rho, days, reps, seed + 10 * k, k=20)
    source = "Flatto & Hahn 1984" if k == 2 else "Lindley recursion"
    return against_theory(f"Fork-join, K = {k} parallel M/M/1, rho = {rho}", source, theory,
                          values, MEAN_MARGIN if rho < 0.6 else HEAVY_MARGIN,
                          f"{reps} replications x {days} days x 20 "
                          "customers a day" + ("" if k == 2 else "; the reference and its 95% "
                                               "CI from tools/fork_join_reference.py (20 x 4 "
                                               "million arrivals)"))


def check_fork_join_subset(scale: float = 1.0, seed: int = 20) -> CheckResult:
    """A fork to a random subset: each of 3 servers needed with probability 0.5 (load 0.5 each).

    The join waits for the servers a request needs (none: no wait); the reference is the
    Lindley recursion of the same network (``tools/fork_join_reference.py``).
    """
    reps, days, k = max(3, int(16 * scale)), 2000, 20
    values, _ = _sojourns(fork_join_graph(3, 1.0, 0.5), 1.0, days, reps, seed, k=k)
    return against_theory("Fork-join to a random subset (3 servers, each with p = 0.5)",
                          "Lindley recursion", oracles.FORK_JOIN_SUBSET_REFERENCE, values,
                          MEAN_MARGIN, f"{reps} replications x {days} days x {k} customers a "
                          "day; the reference and its 95% CI from tools/fork_join_reference.py "
                          "(20 x 4 million arrivals)")


def check_jackson_network(scale: float = 1.0, seed: int = 21) -> list[CheckResult]:
    """A network given as a scenario file: Markov routing, a rework loop, per-position demand.

    ``scenarios/examples/jackson_network.toml`` through ``check_network`` (the command
    ``check-network``): each position's utilisation and mean sojourn, and the customers' mean
    delay, against the product form.
    """
    from simulation.checks.network import check_network
    from simulation.config.files import bundled_dir, load_scenario

    scenario = load_scenario(str(bundled_dir() / "examples" / "jackson_network.toml"))
    runs = max(3, int(32 * scale))
    _, results, _ = check_network(scenario, runs=runs, days=1000, seed=seed)
    kept = [r for r in results if r.check.endswith(("utilisation", "mean sojourn", "mean delay"))]
    return [dataclasses.replace(r, check=f"Jackson network from a file, {r.check}",
                                detail=r.detail.replace("; pass when", "; exclusive routing, a "
                                                        "rework loop and demand 2 : 1 between "
                                                        "two desks; pass when", 1))
            for r in kept]


#: The vacancy check's server: arrivals and work rate a day, quit probability a day, mean
#: hiring delay (days); the scenario and the oracle both read them.
VACANCY = {"lam": 20.0, "mu": 40.0, "quit_per_day": 0.045, "hiring_mean": 0.2}


def vacancy_scenario(quit_per_day: float = VACANCY["quit_per_day"],
                     hiring_mean: float = VACANCY["hiring_mean"], lam: float = VACANCY["lam"],
                     mu: float = VACANCY["mu"], groups: int = 10, peers: int = 1):
    """Independent groups of servers whose holders quit and are replaced (people model on).

    Quits at a constant daily probability (no morale sensitivity), work at full speed whoever
    holds the post (no morale or learning effect on speed), no manager to act up: with
    ``peers`` 1 nobody covers (the vacancy oracle's assumptions), with 2 the two servers of a
    group cover each other; the people model's own quit, cover and hire machinery throughout.
    """
    scenario = queueing_network(vacancy_graph(groups, mu, peers), lam * groups * peers,
                                days=2000)
    people = dataclasses.replace(
        scenario.people, enabled=True, quit_rate_per_month=quit_per_day * DAYS_PER_MONTH,
        quit_sensitivity=0.0, speed_effect=0.0, new_hire_proficiency=1.0,
        hiring_delay=hiring_mean)
    return dataclasses.replace(scenario, people=people)


def _server_sojourns(scenario: Any, reps: int, days: int, warmup: int,
                     seed: int) -> np.ndarray:
    """Mean sojourn at the servers (positions with work time) per replication, after warm-up."""
    values = []
    for child in seeds(seed, reps):
        model = OrgModel(scenario, rng=child, position_histograms=True)
        servers = [i for i, d in model.graph.nodes(data=True) if math.isfinite(d["rate"])]
        model.run(warmup)
        before = model.metrics.position_counts[servers].sum(axis=0)
        model.run(days - warmup)
        counts = model.metrics.position_counts[servers].sum(axis=0) - before
        values.append(histogram_mean(counts))
    return np.array(values)


def check_vacancy(scale: float = 1.0, seed: int = 22,
                  scenario: Any = None) -> CheckResult:
    """A server whose holder quits (4.5% a day) and is replaced after ceil(Exp(0.2)) days.

    Mean sojourn at the ten servers (histograms of each visit, after a 200-day warm-up) against
    the Markov-modulated queue solved exactly (:func:`oracles.vacancy_queue`): 0.0990 days,
    against 0.05 with nobody ever leaving. ``scenario``: a deliberately different one.
    """
    theory, _ = oracles.vacancy_queue(**VACANCY)
    reps, days, warmup = max(3, int(8 * scale)), 2000, 200
    values = _server_sojourns(scenario or vacancy_scenario(), reps, days, warmup, seed)
    return against_theory("Vacancies: M/M/1 whose holder quits and is replaced, mean sojourn",
                          "Neuts 1981", theory, values, HEAVY_MARGIN,
                          f"{reps} replications x {days} days (the first {warmup} a warm-up) x "
                          "10 servers at load 0.5, quits 4.5% a day, vacancies of ceil(Exp(0.2)) "
                          "days, no cover; theory solved over day boundaries (expm), exact")


def check_covering(scale: float = 1.0, seed: int = 23,
                   scenario: Any = None) -> CheckResult:
    """Two peers who cover each other's vacancies, against a direct simulation of the rules.

    As :func:`check_vacancy`, with the servers in pairs of one role: a leaver's work and the
    post's new work go to the peer while the post is vacant. The reference is
    ``tools/covering_reference.py`` (an event loop over queue lengths, not the model).
    """
    reps, days, warmup = max(3, int(8 * scale)), 2000, 200
    values = _server_sojourns(scenario or vacancy_scenario(groups=5, peers=2), reps, days,
                              warmup, seed)
    return against_theory("Vacancies covered by a peer, mean sojourn", "covering reference",
                          oracles.COVERING_REFERENCE, values, HEAVY_MARGIN,
                          f"{reps} replications x {days} days (the first {warmup} a warm-up) x "
                          "5 pairs of peer servers at load 0.5, quits 4.5% a day, vacancies of "
                          "ceil(Exp(0.2)) days, each covering the other's; the reference and its "
                          "95% CI from tools/covering_reference.py")


def check_span_of_control(scale: float = 1.0, seed: int = 16) -> list[CheckResult]:
    """A manager approving work: delay 1 / (mu_m - s e), relieved by empowerment at the neck."""
    span, mu_m, mu_f, k = 6, 1.0, 2.0, 20
    results = []
    reliefs = []
    # margins widen towards saturation, where 1% would take hours of runs (power reported)
    for load, days, margin in ((0.5, 800, MEAN_MARGIN), (0.8, 2400, HEAVY_MARGIN),
                               (0.9, 3600, SATURATED_MARGIN)):
        frontline = 1.0  # requests per day per frontliner
        approval = load * mu_m / (span * frontline)  # s e / mu_m = load
        rows = {}
        for label, a in (("pyramid", approval), ("empowered", approval / 6)):
            values, theories = [], []
            for child in seeds(seed, max(3, int(10 * scale))):
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
            "Kleinrock 1975", theory, values, margin,
            f"{span} frontliners, {approval:.3f} of their work approved by one manager, "
            f"{len(values)} replications x {days} days x 20 requests a day per frontliner; "
            "theory a / (mu_m - s e) + the frontline M/M/1 sojourn"))
        relief = rows["pyramid"][0] - rows["empowered"][0]
        reliefs.append((load, relief, rows["pyramid"][1] - rows["empowered"][1]))
    low_load, high_load = reliefs[0], reliefs[-1]
    relief = against_theory("", "", high_load[2], high_load[1], 0.10, "")
    ok = relief.passed and mean_ci(low_load[1])[0] < 0.25 * relief.simulated
    results.append(dataclasses.replace(
        relief, check="Span of control: empowerment relieves the bottleneck",
        source="Kleinrock 1975",
        expected=f"relief {high_load[2]:.3g} at 0.9 vs {low_load[2]:.3g} at 0.5",
        verdict=verdict(ok),
        detail=f"paired runs (same seeds) with and without the approvals moved to the "
        f"frontline; simulated relief at load 0.5: {mean_ci(low_load[1])[0]:.3g}; at 0.9 "
        "(shown): the 95% CI within 10% of theory, and over 4 times the relief at 0.5"))
    return results
