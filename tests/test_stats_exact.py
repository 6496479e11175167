"""Statistics against reference implementations: scipy's t, Welch, bootstrap; Holm by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.experiments.stats import (
    difference,
    differences,
    holm,
    look_ahead,
    mean_ci,
    mser5,
    paired_difference,
    relative_difference,
    relative_differences,
    replications_needed,
    summarize,
)

TIGHT = {"rel": 1e-10, "abs": 1e-13}

# a 0-1 KPI (retention-like): differences with a standard deviation well below 1
A01 = np.array([0.82, 0.74, 0.91, 0.66, 0.79, 0.88])
B01 = np.array([0.80, 0.70, 0.85, 0.67, 0.72, 0.84])


def t_interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Reference: scipy's Student-t interval around the mean."""
    m = float(np.mean(x))
    low, high = stats.t.interval(level, len(x) - 1, loc=m, scale=stats.sem(x))
    return m, float(low), float(high)


def welch(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Reference: Welch interval by hand (Welch-Satterthwaite degrees of freedom)."""
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    diff = np.mean(a) - np.mean(b)
    half = stats.t.ppf((1 + level) / 2, dof) * math.sqrt(va + vb)
    return float(diff), float(diff - half), float(diff + half)


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    """Reference: Hedges' g with the small-sample correction J = 1 - 3 / (4 df - 1)."""
    na, nb = len(a), len(b)
    pooled = math.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1))
                       / (na + nb - 2))
    return float((np.mean(a) - np.mean(b)) / pooled * (1 - 3 / (4 * (na + nb - 2) - 1)))


def holm_reference(p: list[float]) -> list[float]:
    """Reference: Holm step-down as statsmodels' multipletests computes it (NaNs kept)."""
    arr = np.asarray(p, dtype=float)
    out = np.full(len(arr), np.nan)
    idx = np.flatnonzero(~np.isnan(arr))
    order = idx[np.argsort(arr[idx], kind="stable")]
    m = len(order)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * arr[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


def bca(data: tuple[np.ndarray, ...], statistic, paired: bool, level: float = 0.95,
        seed: int = 0, resamples: int = 4999) -> tuple[float, float]:
    res = stats.bootstrap(data, statistic, paired=paired, vectorized=True, method="BCa",
                          confidence_level=level, n_resamples=resamples,
                          rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# ------------------------------------------------------------------------------ mean_ci


@pytest.mark.parametrize("level", [0.95, 0.9])
def test_mean_ci_is_the_student_t_interval(level) -> None:
    x = np.array([3.0, 5.5, 4.25, 6.0, 2.5, 4.0, 5.0])
    assert mean_ci(x, level) == pytest.approx(t_interval(x, level), **TIGHT)
    assert mean_ci(pd.Series([1.0, np.nan, 3.0])) == pytest.approx(
        t_interval(np.array([1.0, 3.0])), **TIGHT)


def test_mean_ci_of_too_few_values() -> None:
    assert all(math.isnan(v) for v in mean_ci([]))
    assert all(math.isnan(v) for v in mean_ci([np.nan, np.nan]))
    m, low, high = mean_ci([4.5, np.nan])
    assert m == 4.5 and math.isnan(low) and math.isnan(high)


# ------------------------------------------------------------------------------ paired_difference


def test_paired_difference_is_the_paired_t_test() -> None:
    a = np.array([0.2, 0.5, 0.4, 0.9, 0.7, np.nan])
    b = np.array([0.1, 0.45, 0.3, 0.8, 0.75, 0.3])
    out = paired_difference(a, b)
    d = a[:5] - b[:5]
    diff, low, high = t_interval(d)
    assert out["diff"] == pytest.approx(diff, **TIGHT)
    assert (out["low"], out["high"]) == pytest.approx((low, high), **TIGHT)
    assert out["p_value"] == pytest.approx(stats.ttest_rel(a[:5], b[:5]).pvalue, **TIGHT)
    assert out["relative"] == pytest.approx(diff / np.mean(b[:5]), **TIGHT)


def test_paired_difference_edge_cases() -> None:
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1.0, 2.0], [1.0])
    one = paired_difference([2.0, np.nan], [1.0, 5.0])
    assert one["diff"] == 1.0 and math.isnan(one["p_value"]) and one["relative"] == 1.0
    zero_base = paired_difference([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(zero_base["relative"]) and zero_base["diff"] == 1.5
    none = paired_difference([np.nan], [np.nan])
    assert math.isnan(none["diff"]) and math.isnan(none["relative"])


# ------------------------------------------------------------------------------ difference


def test_paired_difference_of_a_0_1_kpi_has_the_paired_t_p_value() -> None:
    """Differences' sd is far below 1: the p-value is the t-test's, not 0."""
    out = difference(A01, B01, paired=True)
    d = A01 - B01
    assert 0 < d.std(ddof=1) < 0.1
    diff, low, high = t_interval(d)
    assert out["diff"] == pytest.approx(diff, **TIGHT)
    assert (out["low"], out["high"]) == pytest.approx((low, high), **TIGHT)
    p = stats.ttest_rel(A01, B01).pvalue
    assert out["p_value"] == pytest.approx(p, **TIGHT) and 0.001 < p < 0.2
    assert out["effect_size"] == pytest.approx(diff / d.std(ddof=1), **TIGHT)
    assert out["n"] == 6 and out["paired"] is True
    assert (out["boot_low"], out["boot_high"]) == pytest.approx(
        bca((d,), np.mean, paired=False), **TIGHT)


def test_paired_difference_drops_incomplete_pairs_and_uses_the_seed() -> None:
    a = np.append(A01, [np.nan, 0.5])
    b = np.append(B01, [0.4, np.nan])
    out = difference(a, b, paired=True, seed=3, level=0.9)
    ref = difference(A01, B01, paired=True, seed=3, level=0.9)
    assert out == ref and out["n"] == 6
    assert (out["boot_low"], out["boot_high"]) == pytest.approx(
        bca((A01 - B01,), np.mean, paired=False, level=0.9, seed=3), **TIGHT)
    assert (out["boot_low"], out["boot_high"]) != (
        difference(A01, B01, paired=True, seed=4, level=0.9)["boot_low"], out["boot_high"])


def test_paired_difference_without_spread() -> None:
    same = difference(np.full(4, 0.5), np.full(4, 0.25), paired=True)
    assert same["diff"] == 0.25 and same["p_value"] == 0.0 and math.isnan(same["effect_size"])
    assert math.isnan(same["boot_low"]) and math.isnan(same["boot_high"])
    equal = difference(np.full(4, 0.5), np.full(4, 0.5), paired=True)
    assert equal["diff"] == 0.0 and equal["p_value"] == 1.0  # identical: no evidence, not NaN
    single = difference(np.array([1.0]), np.array([0.5]), paired=True, bootstrap=False)
    assert single["diff"] == 0.5 and math.isnan(single["p_value"])
    assert math.isnan(single["effect_size"]) and single["n"] == 1


def test_unpaired_difference_is_welch_with_hedges_g() -> None:
    a = np.array([4.1, 5.3, 6.0, 3.2, 5.8, 4.9, 7.1])
    b = np.array([2.2, 3.9, 2.8, 4.4, 3.1, np.nan])
    bb = b[:5]
    out = difference(a, b, paired=False)
    diff, low, high = welch(a, bb)
    assert out["diff"] == pytest.approx(diff, **TIGHT)
    assert (out["low"], out["high"]) == pytest.approx((low, high), **TIGHT)
    scipy_ci = stats.ttest_ind(a, bb, equal_var=False).confidence_interval(0.95)
    assert (out["low"], out["high"]) == pytest.approx((scipy_ci.low, scipy_ci.high), **TIGHT)
    assert out["p_value"] == pytest.approx(stats.ttest_ind(a, bb, equal_var=False).pvalue,
                                           **TIGHT)
    assert out["effect_size"] == pytest.approx(hedges_g(a, bb), **TIGHT)
    assert out["n"] == 7 and out["paired"] is False
    ref = bca((a, bb), lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis),
              paired=False)
    assert (out["boot_low"], out["boot_high"]) == pytest.approx(ref, **TIGHT)
    level90 = difference(a, b, paired=False, level=0.9, bootstrap=False)
    assert (level90["low"], level90["high"]) == pytest.approx(welch(a, bb, 0.9)[1:], **TIGHT)
    assert math.isnan(level90["boot_low"]) and math.isnan(level90["boot_high"])


def test_unpaired_difference_without_spread() -> None:
    out = difference(np.full(3, 2.0), np.full(4, 1.0), paired=False)
    assert out["diff"] == 1.0 and out["low"] == 1.0 and out["high"] == 1.0
    assert out["p_value"] == 0.0 and math.isnan(out["effect_size"])
    assert math.isnan(out["boot_low"])
    equal = difference(np.full(3, 2.0), np.full(4, 2.0), paired=False)
    assert equal["p_value"] == 1.0


def test_bootstrap_needs_three_runs_each() -> None:
    a, b = np.array([1.0, 2.0, 4.0]), np.array([0.5, 1.5])
    assert math.isnan(difference(a, b, paired=False)["boot_low"])
    assert math.isnan(difference(b, a, paired=False)["boot_high"])
    assert not math.isnan(difference(a, a[::-1] * 0.5, paired=True)["boot_low"])
    # one sample with spread is enough, whichever it is (and whatever its range)
    assert not math.isnan(difference(a, np.full(3, 1.0), paired=False)["boot_low"])
    flat_a = difference(np.full(3, 2.0), np.array([0.0, 1.0, 0.5]), paired=False)
    assert flat_a["boot_low"] < flat_a["diff"] == 1.5 < flat_a["boot_high"]


# ------------------------------------------------------------------------------ holm


def test_holm_by_hand() -> None:
    p = [0.01, 0.04, 0.03, np.nan, 0.5]
    # m = 4: 0.01 * 4 = 0.04; 0.03 * 3 = 0.09; 0.04 * 2 = 0.08 -> 0.09 (monotone); 0.5 * 1
    out = holm(p)
    assert out[:3] == pytest.approx([0.04, 0.09, 0.09]) and out[4] == 0.5
    assert math.isnan(out[3])
    assert out == pytest.approx(holm_reference(p), nan_ok=True)


def test_holm_caps_at_one_and_keeps_order() -> None:
    assert holm([0.6, 0.7]) == [1.0, 1.0]
    assert holm([0.3, 0.45]) == pytest.approx([0.6, 0.6])
    assert holm([0.2]) == [0.2] and holm([]) == []
    rng = np.random.default_rng(5)
    for _ in range(20):
        p = rng.uniform(0, 0.6, 6).tolist()
        assert holm(p) == pytest.approx(holm_reference(p), **TIGHT)
    assert holm([np.nan, np.nan]) == pytest.approx([np.nan, np.nan], nan_ok=True)


# ------------------------------------------------------------------------------ tables


def runs_table(values: dict[str, list[float]], paired: bool = True,
               failed: bool = True) -> pd.DataFrame:
    """Runs rows (scenario, replication, status, spawn_key, x, y) of given KPI values."""
    rows = []
    for scenario, xs in values.items():
        for r, x in enumerate(xs):
            key = str(r) if paired else f"{scenario}-{r}"
            rows.append({"scenario": scenario, "replication": r, "status": "ok",
                         "spawn_key": key, "x": x, "y": 10.0 - 2 * x + 0.1 * r * r})
        if failed:
            rows.append({"scenario": scenario, "replication": len(xs), "status": "failed",
                         "spawn_key": str(len(xs)), "x": 1e6, "y": -1e6})
    return pd.DataFrame(rows)


VALUES = {"base": [0.5, 0.61, 0.47, 0.72, 0.58], "b": [0.55, 0.7, 0.5, 0.8, 0.6],
          "c": [0.42, 0.6, 0.41, 0.7, 0.5]}


def test_summarize_per_scenario_and_kpi() -> None:
    runs = runs_table(VALUES)
    runs.loc[1, "y"] = np.nan
    table = summarize(runs, ["x", "y"], level=0.9)
    assert list(table.scenario) == ["base", "base", "b", "b", "c", "c"]
    assert list(table.kpi) == ["x", "y"] * 3
    row = table.iloc[0]
    x = np.array(VALUES["base"])
    assert row.n == 5 and row["mean"] == pytest.approx(x.mean(), **TIGHT)
    assert row.sd == pytest.approx(np.std(x, ddof=1), **TIGHT)
    assert (row.ci_low, row.ci_high) == pytest.approx(t_interval(x, 0.9)[1:], **TIGHT)
    y = table.iloc[1]
    assert y.n == 4 and y.sd == pytest.approx(np.nanstd(runs.y.iloc[:5], ddof=1), **TIGHT)
    one = summarize(pd.DataFrame({"scenario": ["s"], "x": [2.0]}), ["x"]).iloc[0]
    assert one.n == 1 and one["mean"] == 2.0 and math.isnan(one.sd) and math.isnan(one.ci_low)


def test_differences_paired_against_the_baseline_with_holm() -> None:
    runs = runs_table(VALUES)
    table = differences(runs, "base", ["x", "y"], bootstrap=False)
    assert list(table.scenario) == ["b", "c", "b", "c"]
    assert list(table.kpi) == ["x", "x", "y", "y"]
    assert set(table.baseline) == {"base"} and table.paired.all() and (table.n == 5).all()
    assert "p_dunnett" not in table
    base = np.array(VALUES["base"])
    for kpi in ("x", "y"):
        block = table[table.kpi == kpi]
        ps = []
        for _, row in block.iterrows():
            part = runs[(runs.scenario == row.scenario) & (runs.status == "ok")][kpi].to_numpy()
            b = runs[(runs.scenario == "base") & (runs.status == "ok")][kpi].to_numpy()
            ref = difference(part, b, paired=True, bootstrap=False)
            assert row["diff"] == pytest.approx(ref["diff"], **TIGHT)
            assert row.p_value == pytest.approx(stats.ttest_rel(part, b).pvalue, **TIGHT)
            assert row.relative == pytest.approx(ref["diff"] / b.mean(), **TIGHT)
            ps.append(row.p_value)
        assert list(block.p_holm) == pytest.approx(holm_reference(ps), **TIGHT)
    assert table.iloc[0]["diff"] == pytest.approx(np.mean(np.array(VALUES["b"]) - base))


def test_differences_unpaired_adds_welch_and_dunnett() -> None:
    runs = runs_table(VALUES, paired=False)
    table = differences(runs, "base", ["x"], level=0.9, bootstrap=False)
    assert not table.paired.any()
    base = np.array(VALUES["base"])
    samples = [np.array(VALUES[s]) for s in ("b", "c")]
    dunnett = stats.dunnett(*samples, control=base).pvalue  # by quasi-Monte Carlo: not exact
    assert list(table.p_dunnett) == pytest.approx(list(dunnett), abs=5e-3)
    for row, sample in zip(table.itertuples(), samples, strict=True):
        assert (row.low, row.high) == pytest.approx(welch(sample, base, 0.9)[1:], **TIGHT)
        assert row.p_value == pytest.approx(
            stats.ttest_ind(sample, base, equal_var=False).pvalue, **TIGHT)
    # two scenarios only: no Dunnett
    two = differences(runs[runs.scenario != "c"], "base", ["x"], bootstrap=False)
    assert "p_dunnett" not in two and not two.paired.any()


def test_differences_pairs_only_matching_replications() -> None:
    runs = runs_table(VALUES)
    short = runs[~((runs.scenario == "b") & (runs.replication == 4))]
    table = differences(short, "base", ["x"], bootstrap=False).set_index("scenario")
    assert table.loc["b", "paired"] and table.loc["c", "paired"]  # over the runs both finished
    assert table.loc["b", "n"] == 4
    d = np.array(VALUES["b"][:4]) - np.array(VALUES["base"][:4])
    assert table.loc["b", "diff"] == pytest.approx(d.mean(), **TIGHT)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert (table.loc["b", "low"], table.loc["b", "high"]) == pytest.approx(
        (d.mean() - half, d.mean() + half), **TIGHT)
    lone = runs[~((runs.scenario == "b") & (runs.replication > 0))]
    one = differences(lone, "base", ["x"], bootstrap=False).set_index("scenario").loc["b"]
    assert one.paired and one.n == 1 and np.isnan(one.low)  # one pair: no interval
    no_keys = runs.drop(columns="spawn_key")
    assert not differences(no_keys, "base", ["x"], bootstrap=False).paired.any()
    no_status = runs[runs.status == "ok"].drop(columns="status")
    pd.testing.assert_frame_equal(differences(no_status, "base", ["x"], bootstrap=False),
                                  differences(runs, "base", ["x"], bootstrap=False))


def test_relative_differences_against_the_baseline() -> None:
    runs = runs_table(VALUES)
    table = relative_differences(runs, "base", ["x"], level=0.9)
    assert list(table.columns) == ["scenario", "kpi", "relative", "low", "high", "p_value",
                                   "p_holm", "paired", "n", "median_diff", "p_rank",
                                   "rank_direction", "bimodal"]
    assert list(table.scenario) == ["b", "c"]
    base = np.array(VALUES["base"])
    diffs = differences(runs, "base", ["x"], level=0.9, bootstrap=False)
    for row, name, d in zip(table.itertuples(), ("b", "c"), diffs.itertuples(), strict=True):
        x = np.array(VALUES[name])
        assert row.relative == pytest.approx(x.mean() / base.mean() - 1, **TIGHT)
        assert row.relative != 0.0
        ref = relative_difference(x, base, 0.9, paired=True)
        assert (row.low, row.high) == pytest.approx((ref["low"], ref["high"]), **TIGHT)
        assert row.p_value == d.p_value and row.p_holm == d.p_holm
        assert row.paired and row.n == 5
    assert table.relative.iloc[0] == pytest.approx(0.63 / 0.576 - 1, **TIGHT)  # 0.09375


def test_relative_differences_pair_runs_by_replication_when_some_failed() -> None:
    """One failed run in each design, at different replications: the ratio was taken over runs
    lined up by position (misaligned pairs, or shapes that did not broadcast: no report)."""
    runs = runs_table(VALUES, failed=False)
    runs.loc[(runs.scenario == "base") & (runs.replication == 1), "status"] = "failed"
    runs.loc[(runs.scenario == "b") & (runs.replication == 3), "status"] = "failed"
    row = relative_differences(runs, "base", ["x"]).set_index("scenario").loc["b"]
    keep = [0, 2, 4]  # the replications that finished in both
    x, base = np.array(VALUES["b"])[keep], np.array(VALUES["base"])[keep]
    ref = relative_difference(x, base, paired=True)
    assert row.relative == pytest.approx(x.mean() / base.mean() - 1, **TIGHT)
    assert (row.low, row.high) == pytest.approx((ref["low"], ref["high"]), **TIGHT)
    runs = runs_table(VALUES, failed=False)
    one = runs[~((runs.scenario == "c") & (runs.replication == 0))]  # c: 4 runs, base: 5
    row = relative_differences(one, "base", ["x"]).set_index("scenario").loc["c"]
    x, base = np.array(VALUES["c"])[1:], np.array(VALUES["base"])[1:]
    assert row.relative == pytest.approx(x.mean() / base.mean() - 1, **TIGHT)


def test_relative_differences_unpaired_and_without_status() -> None:
    runs = runs_table(VALUES, paired=False)
    table = relative_differences(runs, "base", ["x"])
    x, base = np.array(VALUES["c"]), np.array(VALUES["base"])
    ref = relative_difference(x, base, paired=False)
    assert not table.paired.any()
    assert (table.low.iloc[1], table.high.iloc[1]) == pytest.approx((ref["low"], ref["high"]))
    empty = relative_differences(runs_table({"base": [1.0, 2.0]}), "base", ["x"])
    assert len(empty) == 0 and empty.columns[0] == "scenario"


# ------------------------------------------------------------------------------ relative_difference


def ratio(x, y, axis=-1):
    return np.mean(x, axis=axis) / np.mean(y, axis=axis) - 1.0


def test_relative_difference_is_a_seeded_bca_of_the_ratio_of_means() -> None:
    a = np.array([12.0, 15.5, 11.0, 19.0, 14.0, 16.5])
    b = np.array([10.0, 14.0, 10.5, 15.0, 12.0, 15.0])
    out = relative_difference(a, b, level=0.9, resamples=999, seed=7)
    assert out["relative"] == pytest.approx(a.mean() / b.mean() - 1, **TIGHT)
    ref = bca((a, b), ratio, paired=True, level=0.9, seed=7, resamples=999)
    assert (out["low"], out["high"]) == pytest.approx(ref, **TIGHT)
    unpaired = relative_difference(a, b, level=0.9, resamples=999, seed=7, paired=False)
    ref = bca((a, b), ratio, paired=False, level=0.9, seed=7, resamples=999)
    assert (unpaired["low"], unpaired["high"]) == pytest.approx(ref, **TIGHT)
    default = relative_difference(a, b)
    assert (default["low"], default["high"]) == pytest.approx(
        bca((a, b), ratio, paired=True), **TIGHT)


def test_relative_difference_drops_nans_paired_or_not() -> None:
    a = np.array([12.0, np.nan, 11.0, 19.0, 14.0])
    b = np.array([10.0, 14.0, 10.5, np.nan, 12.0])
    paired = relative_difference(a, b, resamples=499)
    assert paired["relative"] == pytest.approx(
        np.mean([12.0, 11.0, 14.0]) / np.mean([10.0, 10.5, 12.0]) - 1, **TIGHT)
    unpaired = relative_difference(a, b, resamples=499, paired=False)
    assert unpaired["relative"] == pytest.approx(
        np.mean([12.0, 11.0, 19.0, 14.0]) / np.mean([10.0, 14.0, 10.5, 12.0]) - 1, **TIGHT)


def test_relative_difference_edge_cases() -> None:
    one = relative_difference([1.0], [2.0])  # a point estimate, no interval
    assert one["relative"] == -0.5 and math.isnan(one["low"]) and math.isnan(one["high"])
    assert all(math.isnan(v) for v in relative_difference([1.0, 2.0], [0.0, 0.0]).values())
    one_pair = relative_difference([1.0, np.nan], [2.0, 3.0])
    assert one_pair["relative"] == -0.5 and math.isnan(one_pair["low"])
    assert all(math.isnan(v) for v in relative_difference([np.nan], [2.0]).values())
    flat = relative_difference([3.0, 3.0, 3.0], [2.0, 2.0, 2.0])
    assert flat == {"relative": 0.5, "low": 0.5, "high": 0.5}
    one_flat = relative_difference([3.0, 3.0, 3.0], [2.0, 2.5, 2.0], resamples=499)
    assert one_flat["low"] < one_flat["relative"] < one_flat["high"]


# ------------------------------------------------------------------------------ mser5


def mser5_reference(x: np.ndarray, batch: int = 5) -> int:
    x = x[~np.isnan(x)]
    n = len(x) // batch
    if n < 4:
        return 0
    y = [float(np.mean(x[i * batch:(i + 1) * batch])) for i in range(n)]
    scores = []
    for d in range(n // 2 + 1):
        tail = np.array(y[d:])
        scores.append(float(np.sum((tail - tail.mean()) ** 2)) / (n - d) ** 2)
    return int(np.argmin(scores)) * batch


def test_mser5_matches_a_reference_implementation() -> None:
    rng = np.random.default_rng(11)
    for k in range(25):
        n = int(rng.integers(10, 120))
        x = rng.normal(0, 1, n) + np.where(np.arange(n) < rng.integers(0, n), 3.0, 0.0)
        if k % 5 == 0:
            x[rng.integers(0, n)] = np.nan
        batch = 5 if k % 2 else 3
        assert mser5(x, batch) == mser5_reference(x, batch)


def test_mser5_exact_cases() -> None:
    # eight batches of five: the first two at 10, the rest at 0 (plus a little noise)
    x = np.concatenate([np.full(10, 10.0), np.tile([0.0, 0.1, -0.1, 0.05, -0.05], 6)])
    assert mser5(x) == 10
    assert mser5(np.arange(19.0)) == 0  # three batches: too short to say
    assert mser5(np.arange(20.0)) == mser5_reference(np.arange(20.0))
    # a steady drift: the cut reaches the limit of half the batches
    assert mser5(np.arange(100.0)) == 50


# ------------------------------------------------------------------------------ stopping rule


def test_look_ahead_exact() -> None:
    assert [look_ahead(n) for n in (1, 99, 100, 101, 119, 120, 250)] == [5, 5, 5, 5, 5, 6, 12]
    assert look_ahead(50, 3) == 3 and look_ahead(200, 3) == 6 and look_ahead(150, 10) == 15
    assert look_ahead(101, 150) == 151 and look_ahead(100, 150) == 150


def replications_reference(x: np.ndarray, precision: float, level: float = 0.95,
                           min_runs: int = 3, k_limit: int = 5) -> int | None:
    x = x[~np.isnan(x)]

    def ok(n: int) -> bool:
        if n < 2:
            return False
        m, low, _ = t_interval(x[:n], level)
        return m != 0 and (m - low) / abs(m) <= precision

    for n in range(max(min_runs, 2), len(x) + 1):
        horizon = n + (k_limit if n <= 100 else math.floor(k_limit * n / 100))
        if horizon > len(x):
            return None
        if all(ok(m) for m in range(n, horizon + 1)):
            return n
    return None


@pytest.mark.parametrize(("precision", "level", "min_runs", "k_limit"),
                         [(0.05, 0.95, 3, 5), (0.1, 0.9, 3, 5), (0.05, 0.95, 12, 5),
                          (0.08, 0.95, 2, 2), (0.03, 0.99, 3, 8)])
def test_replications_needed_matches_a_reference(precision, level, min_runs, k_limit) -> None:
    rng = np.random.default_rng(int(precision * 1000) + min_runs)
    for _ in range(4):
        x = rng.normal(10, rng.uniform(0.5, 2.0), 160)
        got = replications_needed(x, precision, level=level, min_runs=min_runs, k_limit=k_limit)
        assert got == replications_reference(x, precision, level, min_runs, k_limit)
    assert replications_needed(x, 0.2, min_runs=min_runs) == max(min_runs, 2) or \
        replications_needed(x, 0.2, min_runs=min_runs) == replications_reference(
            x, 0.2, 0.95, min_runs, 5)


def test_replications_needed_exact_cases() -> None:
    x = np.array([10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 10.1, 9.9, 10.0, 10.05, 9.95, 10.0])
    assert replications_needed(x, 0.05) == replications_reference(x, 0.05) == 3
    assert replications_needed(x, 0.05, min_runs=4) == 4
    assert replications_needed(x[:7], 0.05) is None  # 3 + 5 > 7: not enough runs to look ahead
    assert replications_needed(x[:8], 0.05) == 3
    zeros = np.zeros(12)
    assert replications_needed(zeros, 0.05) is None  # a mean of 0 has no relative precision
    neg = -x
    assert replications_needed(neg, 0.05) == 3  # |mean|
    assert replications_needed(x, 1e-9) is None
