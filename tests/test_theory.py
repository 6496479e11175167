"""The model reduced to a pure queueing network reproduces queueing theory.

Each check runs seeded replications and asserts the theoretical value lies in the 95% Student-t
confidence interval of the replication means.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation import OrgModel
from simulation.presets import queueing_network
from tests.conftest import fork_join_graph, tandem_graph

pytestmark = pytest.mark.slow


def replicate(graph, arrival_rate: float, days: int, reps: int, seed: int) -> np.ndarray:
    children = np.random.SeedSequence(seed).spawn(reps)
    out = []
    for child in children:
        model = OrgModel(queueing_network(graph, arrival_rate), rng=child)
        model.run_for(days)
        out.append(model.kpis()["mean_delay"])
    return np.array(out)


def ci95(x: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def test_tandem_line_mean_sojourn_is_the_sum_of_mm1_sojourns() -> None:
    theory = 1 / (2 - 1) + 1 / (3 - 1) + 1 / (4 - 1)  # 1.833
    lo, hi = ci95(replicate(tandem_graph((2.0, 3.0, 4.0)), 1.0, days=2000, reps=12, seed=1))
    assert lo <= theory <= hi
    assert hi - lo < 0.1 * theory  # the interval is tight enough to mean something


def test_fork_join_of_two_mm1_matches_flatto_hahn() -> None:
    lam, mu = 0.5, 1.0
    rho = lam / mu
    theory = (12 - rho) / 8 / (mu - lam)  # 2.875
    lo, hi = ci95(replicate(fork_join_graph(2, mu), lam, days=3000, reps=12, seed=2))
    assert lo <= theory <= hi
    assert hi - lo < 0.1 * theory
    # and it is clearly longer than one M/M/1 alone: the join waits for the slower branch
    assert lo > 1 / (mu - lam)
