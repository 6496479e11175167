"""Medians and rank tests beside means, deciding where runs are skewed or bimodal."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.experiments.stats import (
    BIMODAL,
    bimodality_coefficient,
    differences,
    is_bimodal,
    rank_difference,
    summarize,
    verdicts,
)

RNG = np.random.default_rng(9)


def test_bimodality_coefficient_exact_and_where_it_points() -> None:
    x = np.array([1.0, 2.0, 2.5, 4.0, 7.0, 7.5, 8.0])
    g, k, n = stats.skew(x, bias=False), stats.kurtosis(x, bias=False), len(x)
    assert bimodality_coefficient(x) == pytest.approx(
        (g * g + 1) / (k + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))
    normal = RNG.normal(0, 1, 200)
    two_modes = np.concatenate([RNG.normal(0, 0.3, 80), RNG.normal(5, 0.3, 20)])
    assert bimodality_coefficient(normal) < BIMODAL < bimodality_coefficient(two_modes)
    assert math.isnan(bimodality_coefficient(np.ones(10)))
    assert not is_bimodal(two_modes[:9])  # too few runs to say


def test_rank_difference_is_wilcoxon_and_mann_whitney() -> None:
    a, b = RNG.normal(1, 1, 12), RNG.normal(0, 1, 12)
    paired = rank_difference(a, b, paired=True)
    assert paired["p_rank"] == stats.wilcoxon(a - b).pvalue
    assert paired["median_diff"] == np.median(a - b)
    unpaired = rank_difference(a, b, paired=False)
    assert unpaired["p_rank"] == stats.mannwhitneyu(a, b).pvalue
    assert rank_difference(a, a, paired=True)["p_rank"] == 1.0


def _runs(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame([{"scenario": s, "replication": r, "status": "ok", "spawn_key": str(r),
                          "mean_delay": v}
                         for s, values in (("base", b), ("new", a)) for r, v in enumerate(values)])


def test_a_bimodal_kpi_is_judged_by_the_rank_test() -> None:
    """Most runs a little better, a few collapse far worse: the t test sees no clear
    difference, the signed-rank test sees most runs better. The mutant (t everywhere) fails."""
    b = RNG.normal(1.0, 0.05, 30)
    a = b - 0.05 + RNG.normal(0, 0.005, 30)
    a[:3] += 3.0  # three collapsed runs
    table = differences(_runs(a, b), "base", ["mean_delay"])
    row = table.iloc[0]
    assert row.bimodal and row.p_value > 0.05 and row.p_rank < 0.01
    judged = verdicts(table, {"mean_delay": False}).iloc[0]
    assert judged.test == "rank" and judged.verdict == "better"
    t_only = verdicts(table.drop(columns=["bimodal"]), {"mean_delay": False}).iloc[0]
    assert t_only.test == "t" and t_only.verdict == "no clear difference"


def test_summaries_show_the_median_beside_the_mean() -> None:
    values = np.concatenate([np.full(15, 1.0), np.full(5, 9.0)])
    row = summarize(_runs(values, values), ["mean_delay"]).iloc[0]
    assert row["median"] == 1.0 and row["mean"] == 3.0 and row.bimodal


def test_the_rank_verdict_leans_the_way_the_signed_ranks_do_when_the_median_is_zero() -> None:
    """Review finding: a median difference of 0 read as "went down" called a rise "better"."""
    base = np.array([0.0] * 10 + [0.05] * 10)
    new = base.copy()
    new[:9] += 0.01  # nine runs higher, none lower: the median difference is 0
    rows = pd.DataFrame([{"scenario": s, "replication": r, "status": "ok", "spawn_key": str(r),
                          "turnover_per_month": v}
                         for s, values in (("base", base), ("new", new))
                         for r, v in enumerate(values)])
    table = differences(rows, "base", ["turnover_per_month"])
    row = table.iloc[0]
    assert row.median_diff == 0.0 and row.rank_direction == 1.0 and row.p_rank < 0.01
    judged = verdicts(table, {"turnover_per_month": False}).iloc[0]
    assert judged.test == "rank" and judged.verdict == "worse"


def test_the_report_cards_show_the_median_where_runs_are_skewed(tmp_path) -> None:
    from simulation.experiments.results import ExperimentResult
    from simulation.report.html import CARD_KPIS, _cards

    rows = []
    for r in range(12):
        row = {"scenario": "a", "replication": r, "status": "ok", "spawn_key": str(r)}
        row.update({k: 0.5 + 0.01 * (r % 3) for k in CARD_KPIS})
        row["mean_delay"] = 9.0 if r < 2 else 1.0 + 0.01 * r  # two collapsed runs
        rows.append(row)
    result = ExperimentResult(tmp_path, {"scenarios": ["a"]}, pd.DataFrame(rows),
                              pd.DataFrame())
    html = _cards(result, {"a": "#000000"})
    assert html.count("median") == 1 and "median 1.08" in html
