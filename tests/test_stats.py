"""Statistics against known answers: warm-up, stopping rule, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.experiments.stats import look_ahead, mean_ci, mser5, replications_needed


def test_mser5_removes_an_initial_transient_and_nothing_from_a_stationary_series() -> None:
    rng = np.random.default_rng(1)
    stationary = rng.normal(10, 1, 400)
    assert mser5(stationary) <= 20
    transient = np.concatenate([np.linspace(30, 10, 60), rng.normal(10, 1, 340)])
    removed = mser5(transient)
    assert 40 <= removed <= 90
    assert removed % 5 == 0


def test_look_ahead_grows_beyond_100_runs() -> None:
    assert look_ahead(20) == 5 and look_ahead(100) == 5 and look_ahead(300) == 15


def test_replications_needed_stops_when_precision_is_reached_and_kept() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(100, 10, 400)
    n = replications_needed(x, precision=0.02)
    assert n is not None
    # at n the interval is within 2% of the mean, and it was not at n - 1 for long
    mean, low, _ = mean_ci(x[:n])
    assert (mean - low) / mean <= 0.02
    # theory: t * sigma / sqrt(n) = 0.02 * 100  ->  n about (1.97 * 10 / 2)^2 = 97
    assert 60 <= n <= 150
    assert replications_needed(x[:20], precision=0.02) is None  # not enough runs yet
    assert replications_needed(x, precision=0.1) < n


@pytest.mark.parametrize("seed", range(3))
def test_mean_ci_covers_the_true_mean_about_95_percent_of_the_time(seed) -> None:
    rng = np.random.default_rng(seed)
    covered = sum(lo <= 5.0 <= hi for lo, hi in
                  (mean_ci(rng.exponential(5.0, 30))[1:] for _ in range(400)))
    assert 0.91 <= covered / 400 <= 0.98


def _synthetic_experiment(tmp_path, daily_values):
    """An ExperimentResult built from given daily series (scenario -> per-replication arrays)."""
    import pandas as pd

    from simulation.experiments.experiment import ExperimentResult

    runs, daily = [], []
    for scenario, series in daily_values.items():
        for r, values in enumerate(series):
            runs.append({"scenario": scenario, "replication": r, "status": "ok",
                         "spawn_key": str(r)})
            daily.append(pd.DataFrame({"scenario": scenario, "replication": r,
                                       "day": np.arange(1, len(values) + 1),
                                       "mean_delay": values}))
    return ExperimentResult(tmp_path, {"scenarios": list(daily_values)}, pd.DataFrame(runs),
                            pd.concat(daily, ignore_index=True))


def test_steady_state_cuts_the_warm_up_common_to_all_scenarios(tmp_path) -> None:
    rng = np.random.default_rng(3)
    days = np.arange(1, 201)

    def series(level: float, transient: int) -> np.ndarray:
        return level + np.where(days <= transient, 5.0, 0.0) + rng.normal(0, 0.01, len(days))

    result = _synthetic_experiment(tmp_path, {
        "a": [series(1.0, 20) for _ in range(4)], "b": [series(0.5, 40) for _ in range(4)]})
    cut = result.warmup(["mean_delay"]).iloc[0]
    # the longer transient (40 days, give or take one batch of noise), used for both
    assert 40 <= cut.warmup_days <= 45 and cut.settled
    table = result.steady_state(["mean_delay"]).set_index("scenario")
    assert abs(table.loc["a", "mean"] - 1.0) < 0.01 and abs(table.loc["b", "mean"] - 0.5) < 0.01
    assert (table.warmup_days == cut.warmup_days).all()
    diff = result.steady_differences(kpis=["mean_delay"]).iloc[0]
    assert diff.paired and abs(diff["diff"] + 0.5) < 0.01


def test_a_drifting_series_is_reported_as_not_settled(tmp_path) -> None:
    trend = np.linspace(0, 10, 100)
    result = _synthetic_experiment(tmp_path, {"a": [trend, trend + 0.1], "b": [trend, trend]})
    cut = result.warmup(["mean_delay"]).iloc[0]
    assert cut.warmup_days == 50 and not cut.settled
