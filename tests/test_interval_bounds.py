"""Intervals respect the range of what they estimate: no delay below 0, no share outside [0, 1]."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.core.kpis import KPIS, POSITIVE, SHARE
from simulation.experiments.stats import bounded_ci, mean_ci, summarize

#: Samples whose Student-t interval crosses the bound, as skewed runs do.
CASES = {
    "delay near 0, one slow run": (np.array([0.01] * 9 + [2.0]), POSITIVE),
    "retention near 1": (np.array([1.0] * 8 + [0.7, 0.95]), SHARE),
    "quits near 0": (np.array([0.0] * 7 + [0.05, 0.0, 0.0]), SHARE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_interval_crossing_the_bound_is_replaced(name: str) -> None:
    x, bounds = CASES[name]
    _, t_low, t_high = mean_ci(x)
    assert t_low < bounds[0] or t_high > bounds[1]  # the case is a real one
    m, low, high = bounded_ci(x, bounds)
    assert bounds[0] <= low <= m <= high <= bounds[1]
    assert low < m < high or x.min() == x.max()


def test_an_interval_inside_the_range_is_the_t_interval() -> None:
    x = np.random.default_rng(0).normal(0.5, 0.05, 20)
    assert bounded_ci(x, SHARE) == mean_ci(x)


def test_one_run_has_a_point_estimate_and_no_interval() -> None:
    m, low, high = bounded_ci(np.array([0.3]), SHARE)
    assert m == 0.3 and math.isnan(low) and math.isnan(high)


def test_the_shares_and_delays_have_their_bounds() -> None:
    for key in ("retention", "turnover_per_month", "mean_quality", "customer_satisfaction",
                "mean_morale", "defect_rate"):
        assert KPIS[key].bounds == SHARE, key
    for key in ("mean_delay", "p95_delay", "revenue", "backlog"):
        assert KPIS[key].bounds == POSITIVE, key


def test_summaries_never_leave_the_range() -> None:
    """The table of interval checks: every KPI of skewed runs, inside its range."""
    rows = [{"scenario": "s", "replication": r, **{k: v[r] for k, (v, _) in zip(
        ("mean_delay", "retention", "turnover_per_month"), CASES.values(), strict=True)}}
        for r in range(10)]
    table = summarize(pd.DataFrame(rows), ["mean_delay", "retention", "turnover_per_month"])
    for row in table.itertuples():
        low, high = KPIS[row.kpi].bounds
        assert low <= row.ci_low <= row.mean <= row.ci_high <= high, row


def test_one_run_gives_point_estimates_and_says_there_is_no_interval(tmp_path, capsys) -> None:
    """No nan where a point estimate exists: one run has a mean and a relative change."""
    from simulation.cli.commands import main

    assert main(["compare", "pyramid", "inverted_pyramid", "--runs", "1", "--days", "20",
                 "--workers", "1", "-q"]) == 0
    out = capsys.readouterr().out
    table = out.partition("Steady state")[0]
    assert "nan" not in table and "(one run: no interval)" in table
    headline = out[out.index("paired over 1 run ("):]
    assert "nan" not in headline.split("\n\n")[0]
    assert "no interval from fewer than 2 runs" in headline and "no verdict: 1 run," in headline
