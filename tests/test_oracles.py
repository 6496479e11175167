"""The exact results the queueing checks compare with, and the equivalence verdict itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation.chain.metrics import DelayHistogram
from simulation.checks import oracles
from simulation.checks.queueing import histogram_quantile
from simulation.checks.result import FAIL, PASS, against_theory, contained, equivalence_power


def test_fork_join_two_branches_is_flatto_and_hahn() -> None:
    assert oracles.fork_join_2(0.5) == pytest.approx(2.875)
    assert oracles.fork_join_2(0.8) == pytest.approx(7.0)
    assert oracles.fork_join(2, 0.5) == pytest.approx(2.875)
    mean, low, high = oracles.fork_join(4, 0.8)
    assert low < mean < high and high - low < 0.005 * mean  # a converged reference
    assert not low <= 8.93 <= high  # Nelson & Tantawi's approximation is not it
    with pytest.raises(ValueError, match="no fork-join reference for K = 3"):
        oracles.fork_join(3, 0.5)


def test_pollaczek_khinchine_limits() -> None:
    assert oracles.pollaczek_khinchine(0.5, 1.0, 1.0) == pytest.approx(2.0)  # M/M/1
    assert oracles.pollaczek_khinchine(0.5, 1.0, 0.0) == pytest.approx(1.5)  # M/D/1
    with pytest.raises(ValueError, match="unstable"):
        oracles.pollaczek_khinchine(1.0, 1.0, 1.0)


def test_cobham_conserves_work_and_orders_classes() -> None:
    high, low = oracles.cobham([0.2, 0.2], [1.0, 1.0], [1.0, 1.0])
    assert high < oracles.pollaczek_khinchine(0.4, 1.0, 1.0) < low
    # Kleinrock's conservation law: the load-weighted mean wait equals first come first served
    assert (0.2 * high + 0.2 * low) / 0.4 == pytest.approx(
        oracles.pollaczek_khinchine(0.4, 1.0, 1.0))
    assert high == pytest.approx(1.5) and low == pytest.approx(1.0 + 0.4 / (0.8 * 0.6))


def test_tandem_sojourn_law_against_monte_carlo() -> None:
    rng = np.random.default_rng(3)
    draws = sum(rng.exponential(1 / r, 400_000) for r in (1.0, 2.0, 3.0))
    for q in (0.25, 0.5, 0.95):
        assert oracles.sojourn_quantile(q, (1.0, 2.0, 3.0)) == pytest.approx(
            np.quantile(draws, q), rel=0.01)
    assert oracles.sojourn_quantile(0.95, (0.5,)) == pytest.approx(-math.log(0.05) / 0.5)


def test_histogram_quantile_within_a_bin_of_numpy() -> None:
    rng = np.random.default_rng(4)
    x = rng.exponential(0.1, 50_000)
    h = DelayHistogram()
    h.add(x.tolist())
    for q in (0.25, 0.5, 0.95):
        assert histogram_quantile(h.counts, q) == pytest.approx(np.quantile(x, q), rel=0.003)


def test_equivalence_fails_a_small_bias_that_a_tolerance_passed() -> None:
    """The issue's case: 1.796 [1.774, 1.818] against 1.833 passed a 3% tolerance."""
    rng = np.random.default_rng(5)
    biased = 1.796 + 0.03 * rng.standard_normal(16)
    result = against_theory("x", "s", 1.833, biased, 0.02, "d")
    assert abs(result.simulated - 1.833) / 1.833 <= 0.03  # the old rule would pass it
    assert result.verdict == FAIL
    exact = 1.833 + 0.03 * rng.standard_normal(16)
    assert against_theory("x", "s", 1.833, exact, 0.02, "d").verdict == PASS
    vague = 1.833 + 0.3 * rng.standard_normal(4)  # right on average, too imprecise to tell
    assert against_theory("x", "s", 1.833, vague, 0.02, "d").verdict == FAIL


def test_a_reference_interval_widens_the_band() -> None:
    values = np.full(8, 9.20) + np.linspace(-0.01, 0.01, 8)
    assert against_theory("x", "s", (9.15, 9.13, 9.17), values, 0.005, "d").verdict == PASS
    assert against_theory("x", "s", 9.15, values, 0.005, "d").verdict == FAIL


@pytest.mark.parametrize("sd", [0.03, 0.05])
def test_power_is_the_pass_rate_of_a_correct_engine(sd: float) -> None:
    """The reported power and detectable bias against the rule itself, repeated 4,000 times."""
    from simulation.experiments.stats import mean_ci

    rng = np.random.default_rng(6)
    theory, n, margin = 2.0, 10, 0.02
    power, detectable = equivalence_power(theory, sd / math.sqrt(n), n - 1, margin)

    def passes(mean: float) -> float:
        draws = mean + sd * rng.standard_normal((4000, n))
        return float(np.mean([contained(*mean_ci(x)[1:], (theory, theory), margin)
                              for x in draws]))

    assert passes(theory) == pytest.approx(power, abs=0.03)
    assert 1 - passes(theory * (1 + detectable)) == pytest.approx(0.8, abs=0.03)
    values = theory + sd * rng.standard_normal(n)  # against_theory applies the same rule
    low, high = mean_ci(values)[1:]
    assert against_theory("x", "s", theory, values, margin, "d").passed == contained(
        low, high, (theory, theory), margin)


def test_vacancy_oracle_limits() -> None:
    """No quits: M/M/1; any quits: the server works exactly the offered load (conservation)."""
    w, busy = oracles.vacancy_queue(20.0, 40.0, 0.0, 0.2)
    assert w == pytest.approx(1 / 20, rel=1e-9) and busy == pytest.approx(0.5, rel=1e-9)
    w, busy = oracles.vacancy_queue(20.0, 40.0, 0.045, 0.2)
    assert busy == pytest.approx(0.5, rel=1e-9) and w > 0.09
    assert oracles.vacancy_queue(20.0, 40.0, 0.045, 1.0, n_max=500)[0] > 2 * w  # longer


def test_vacancy_oracle_against_a_direct_simulation_of_its_queue() -> None:
    """The matrix solution against a plain simulation of the queue length it describes."""
    lam, mu, a, m = 2.0, 4.0, 0.2, 0.5
    theory, _ = oracles.vacancy_queue(lam, mu, a, m, n_max=150)
    rng = np.random.default_rng(3)
    stay = math.exp(-1 / m)
    areas = []
    for _ in range(20):
        n, serving, area = 0, True, 0.0
        for _day in range(2000):
            t = 0.0
            while True:
                rate = lam + (mu if serving and n else 0.0)
                step = rng.exponential(1 / rate)
                if t + step >= 1.0:
                    area += n * (1.0 - t)
                    break
                area += n * step
                t += step
                n += 1 if rng.random() * rate < lam else -1
            serving = rng.random() >= a if serving else rng.random() >= stay
        areas.append(area / 2000 / lam)
    mean, sd = np.mean(areas), np.std(areas, ddof=1) / math.sqrt(len(areas))
    assert abs(mean - theory) < 3 * sd, (mean, sd, theory)
    assert sd < 0.03 * theory  # precise enough to tell a 10% error


def test_covering_reference_tool_is_an_m_m_1_when_nobody_leaves(monkeypatch) -> None:
    """The covering reference's event loop: no quits gives M/M/1; covering beats waiting."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "tools" / "covering_reference.py"
    spec = importlib.util.spec_from_file_location("covering_reference", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    covered = tool.replicate(np.random.default_rng(1), 3000, 30)
    monkeypatch.setattr(tool, "QUIT", 0.0)
    steady = tool.replicate(np.random.default_rng(1), 3000, 30)
    assert steady == pytest.approx(1 / 20, rel=0.03)
    waiting, _ = oracles.vacancy_queue(20.0, 40.0, 0.045, 0.2)
    assert steady < covered < waiting
    assert covered == pytest.approx(oracles.COVERING_REFERENCE[0], rel=0.15)  # one short run
