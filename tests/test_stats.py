"""Statistics against known answers: warm-up, stopping rule, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.stats import look_ahead, mean_ci, mser5, replications_needed


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
