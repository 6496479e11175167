"""Common random numbers that last a year: paired correlation of designs run on the same seeds.

Quits and hiring delays are drawn per position and day, new customers' attributes per customer
in order of arrival, and the day's acquisition counts by inversion of one uniform each, each
from a stream of its own. When they shared the decisions stream with the within-day draws, the
pairing was gone within weeks (mean delay, pyramid against two-way street, 250 days: 0.04 over
these 20 runs).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import OrgModel
from simulation.config.files import load_scenario
from simulation.core.streams import Streams
from simulation.experiments.experiment import Task
from simulation.experiments.stats import common_random_numbers, differences

RUNS, DAYS, SEED = 20, 250, 2026
KEYS = ("mean_delay", "retention", "quits")
#: Paired correlation of mean delay reached (measured 2026-11-30; the shared streams give 0.04).
MEAN_DELAY = 0.9039828117174672


def paired_runs(other: str) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for name in ("pyramid", other):
        scenario = load_scenario(name)
        rows = [OrgModel(scenario, rng=Task(scenario, r, SEED, DAYS).seed_sequence())
                .run(DAYS).final_kpis() for r in range(RUNS)]
        out[name] = {k: np.array([row[k] for row in rows]) for k in KEYS}
    return out


def shared_streams(monkeypatch) -> None:
    """The mutant: quits, new customers and acquisition drawn from the decisions stream."""
    original = Streams.from_seed.__func__

    def from_seed(cls, seed):
        streams, gen = original(cls, seed)
        shared = streams.decisions.gen
        return dataclasses.replace(streams, quits=shared, customers=shared,
                                   acquisition=shared), gen

    monkeypatch.setattr(Streams, "from_seed", classmethod(from_seed))


@pytest.fixture(scope="module")
def pairing() -> dict[str, dict[str, float]]:
    runs = paired_runs("two_way_street")
    return {k: common_random_numbers(runs["two_way_street"][k], runs["pyramid"][k])
            for k in KEYS}


@pytest.mark.slow
def test_the_pairing_lasts_a_year(pairing) -> None:
    """Pinned: mean delay 0.90 (variance of the difference 87% smaller than independent runs),
    retention 0.91, quits 0.90 (20 runs x 250 days, seed 2026). The daily streams alone, with
    inputs still drawn from the decisions stream, gave 0.83, 0.86 and 0.94; all of them shared,
    0.04, 0.35 and 0.04."""
    assert pairing["mean_delay"]["correlation"] >= 0.5
    assert pairing["mean_delay"]["correlation"] == pytest.approx(MEAN_DELAY, abs=1e-9)
    assert pairing["retention"]["correlation"] > 0.6
    assert pairing["quits"]["correlation"] > 0.8
    assert pairing["mean_delay"]["variance_reduction"] > 0.3


@pytest.mark.slow
def test_without_the_new_streams_the_pairing_fades(pairing, monkeypatch) -> None:
    shared_streams(monkeypatch)
    runs = paired_runs("two_way_street")
    shared = {k: common_random_numbers(runs["two_way_street"][k], runs["pyramid"][k])
              for k in KEYS}
    assert shared["mean_delay"]["correlation"] < pairing["mean_delay"]["correlation"] - 0.3
    assert shared["quits"]["correlation"] < 0.5


def test_variance_reduction_exact() -> None:
    a = np.array([1.0, 2.0, 3.0, 4.0])
    d = np.array([-0.1, 0.1, -0.1, 0.1])
    out = common_random_numbers(a, a - d)
    assert out["correlation"] == pytest.approx(np.corrcoef(a, a - d)[0, 1])
    assert out["variance_reduction"] == pytest.approx(
        1 - d.var(ddof=1) / (a.var(ddof=1) + (a - d).var(ddof=1)))
    assert np.isnan(common_random_numbers(a[:2], a[:2])["correlation"])
    independent = common_random_numbers(np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 1, 3]))
    assert independent["variance_reduction"] < 0.3


def test_compare_reports_what_pairing_bought() -> None:
    rows = [{"scenario": s, "replication": r, "status": "ok", "spawn_key": str(r),
             "mean_delay": v} for s, values in (("a", [1.0, 2.0, 3.0, 4.0]),
                                                ("b", [1.2, 2.1, 3.3, 4.2]))
            for r, v in enumerate(values)]
    import pandas as pd

    table = differences(pd.DataFrame(rows), "a", ["mean_delay"]).iloc[0]
    assert table.correlation > 0.99 and table.variance_reduction > 0.95



def test_poisson_inversion_is_scipys_quantile_and_monotone() -> None:
    """Acquisition counts by inversion: scipy's Poisson quantile, exactly, rising with the mean."""
    from scipy import stats

    from simulation.model.market import poisson_count

    rng = np.random.default_rng(7)
    u = np.concatenate([rng.random(3000), [0.0, 1e-300, 0.5, np.nextafter(1.0, 0.0)]])
    mean = np.exp(rng.uniform(-8.0, 7.0, len(u)))
    ours = np.array([poisson_count(a, m) for a, m in zip(u, mean, strict=True)])
    assert np.array_equal(ours, np.maximum(0, stats.poisson.ppf(u, mean)).astype(int))
    assert poisson_count(0.7, 0.0) == 0 and poisson_count(0.7, -1.0) == 0
    counts = [poisson_count(0.6, m) for m in np.linspace(0.1, 50.0, 200)]
    assert bool(np.all(np.diff(counts) >= 0))
