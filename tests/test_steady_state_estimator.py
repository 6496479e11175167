"""Steady-state means over requests, with intervals that contain queueing theory.

Two M/M/1 stations in series (service rates 2 and 3 a day, one request a day): the mean sojourn
is 1/(2-1) + 1/(3-1) = 1.5 days. At one request a day most days complete zero, one or two
requests, and busy days are the slow ones, so the mean of daily means is biased low (1.43 on the
main of before); the mean over requests is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import OrgModel
from simulation.checks.result import seeds
from simulation.config.presets import queueing_network, tandem_graph
from simulation.experiments.results import ExperimentResult
from simulation.experiments.stats import batch_means_ci, drift_p_value

THEORY = 1.5
REPS, DAYS = 8, 400


def tandem_experiment(folder, seed: int) -> ExperimentResult:
    scenario = queueing_network(tandem_graph((2.0, 3.0)), 1.0)
    runs, daily = [], []
    for r, child in enumerate(seeds(seed, REPS)):
        model = OrgModel(scenario, rng=child).run(DAYS)
        runs.append({"scenario": "tandem", "replication": r, "status": "ok",
                     "spawn_key": str(r)})
        table = model.daily().reset_index()
        table.insert(0, "replication", r)
        table.insert(0, "scenario", "tandem")
        daily.append(table)
    return ExperimentResult(folder, {"scenarios": ["tandem"]}, pd.DataFrame(runs),
                            pd.concat(daily, ignore_index=True))


@pytest.fixture(scope="module")
def repetitions(tmp_path_factory) -> list[ExperimentResult]:
    return [tandem_experiment(tmp_path_factory.mktemp(f"t{seed}"), seed) for seed in range(20)]


def test_the_steady_state_interval_contains_theory_in_18_of_20(repetitions) -> None:
    covered = 0
    for result in repetitions:
        row = result.steady_state(["mean_delay"]).iloc[0]
        covered += row.ci_low <= THEORY <= row.ci_high
    assert covered >= 18


def test_the_mean_of_daily_means_is_biased_and_would_fail(repetitions) -> None:
    """The check can fail: unweighted daily means (the estimator of before) miss theory."""
    estimates = []
    for result in repetitions:
        cut = int(result.warmup(["mean_delay"]).warmup_days.iloc[0])
        kept = result.daily[result.daily.day > cut]
        estimates.append(kept.groupby("replication").mean_delay.mean().mean())
    weighted = [r.steady_state(["mean_delay"]).iloc[0]["mean"] for r in repetitions]
    assert np.mean(estimates) < THEORY - 0.04
    assert abs(np.mean(weighted) - THEORY) < 0.02


def test_batch_means_of_one_run_cover_a_known_mean() -> None:
    rng = np.random.default_rng(5)
    covered = 0
    for _ in range(200):
        x = np.empty(400)  # an AR(1) series with mean 2 (autocorrelated, like daily queues)
        x[0] = 2.0
        for t in range(1, len(x)):
            x[t] = 2.0 + 0.5 * (x[t - 1] - 2.0) + rng.normal()
        _, low, high = batch_means_ci(x)
        covered += low <= 2.0 <= high
    assert 180 <= covered <= 198  # about 95%


def test_a_single_run_gets_a_batch_means_interval(tmp_path) -> None:
    result = tandem_experiment(tmp_path, 3)
    one = ExperimentResult(tmp_path, result.manifest, result.runs.iloc[:1],
                           result.daily[result.daily.replication == 0])
    row = one.steady_state(["mean_delay"]).iloc[0]
    assert row.n == 1 and row.ci_low < row["mean"] < row.ci_high


def test_drift_is_detected_and_a_flat_series_passes() -> None:
    rng = np.random.default_rng(1)
    assert drift_p_value(np.linspace(0, 1, 200) + rng.normal(0, 0.1, 200)) < 1e-6
    assert drift_p_value(rng.normal(0, 0.1, 200)) > 0.01
    assert np.isnan(drift_p_value(np.ones(15)))  # under two days a batch: cannot say
    assert drift_p_value(np.ones(30)) == 1.0  # flat
