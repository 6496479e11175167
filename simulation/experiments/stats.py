"""Statistics over replications: confidence intervals and paired differences (scipy)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.kpis import kpi as kpi_of
from simulation.core.lazy import LazyModule

stats = LazyModule("scipy.stats")


def mean_ci(values: np.ndarray | pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval ``(mean, low, high)``; NaNs are dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half


def proportion_ci(events: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share and Wilson score interval of ``events`` in ``n`` trials (Wilson 1927).

    Inside [0, 1], and not empty at 0 or n events (0 of 20 gives [0, 0.16]), unlike the normal
    interval. NaN when ``n`` is 0.
    """
    if n <= 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def bounded_ci(values: np.ndarray | pd.Series, bounds: tuple[float, float],
               level: float = 0.95, resamples: int = 4999,
               seed: int = 0) -> tuple[float, float, float]:
    """Mean and an interval that stays inside the quantity's range ``bounds``.

    The Student-t interval where it lies inside the range; where it crosses a bound (a delay
    near 0, a share near 1, skewed runs), a seeded percentile bootstrap of the mean instead,
    whose ends are means of resampled runs and so lie inside the range.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    m, low, high = mean_ci(x, level)
    if math.isnan(low) or (bounds[0] <= low and high <= bounds[1]):
        return m, low, high
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(resamples, len(x)))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return m, float(max(low, bounds[0])), float(min(high, bounds[1]))


def paired_difference(a: np.ndarray | pd.Series, b: np.ndarray | pd.Series,
                      level: float = 0.95) -> dict[str, float]:
    """Paired difference ``a - b`` over common-random-number replications.

    Returns:
        ``diff``, ``low``, ``high`` (paired-t interval), ``p_value`` (two-sided paired t-test)
        and ``relative`` (difference relative to the mean of ``b``).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired samples must have the same length (one per replication)")
    keep = ~(np.isnan(a) | np.isnan(b))
    d = a[keep] - b[keep]
    mean, low, high = mean_ci(d, level)
    p = _paired_p(a[keep], b[keep])
    base = float(np.mean(b[keep])) if keep.any() else math.nan
    return {"diff": mean, "low": low, "high": high, "p_value": p,
            "relative": mean / base if base else math.nan}


def _paired_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided paired t p-value, not NaN where the differences do not vary.

    Every difference zero gives 1 (no difference), every one the same non-zero value 0; fewer
    than two pairs give NaN.
    """
    d = a - b
    if len(d) < 2:
        return math.nan
    scale = max(1.0, float(np.abs(d).max()))
    if np.ptp(d) <= 1e-12 * scale:  # the same difference every run (to rounding)
        return 1.0 if abs(float(d.mean())) <= 1e-12 * scale else 0.0
    return float(stats.ttest_rel(a, b).pvalue)


def relative_difference(a: np.ndarray | pd.Series, b: np.ndarray | pd.Series,
                        level: float = 0.95, resamples: int = 4999,
                        seed: int = 0, paired: bool = True) -> dict[str, float]:
    """Relative change ``mean(a) / mean(b) - 1`` with a BCa bootstrap interval.

    Paired (the default), replications are resampled in pairs, keeping the common random
    numbers; unpaired, each sample is resampled on its own. The ratio of means keeps the
    interval above -100% where a t interval on skewed KPIs (delays) may not. The bootstrap is
    seeded, so the interval is reproducible.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if paired:
        keep = ~(np.isnan(a) | np.isnan(b))
        a, b = a[keep], b[keep]
    else:
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if min(len(a), len(b)) == 0 or b.mean() == 0:
        return {"relative": math.nan, "low": math.nan, "high": math.nan}
    if min(len(a), len(b)) < 2:  # a point estimate, no interval
        return {"relative": float(a.mean() / b.mean() - 1.0), "low": math.nan,
                "high": math.nan}

    def ratio(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x, axis=axis) / np.mean(y, axis=axis) - 1.0

    point = float(ratio(a, b))
    if np.all(a == a[0]) and np.all(b == b[0]):
        return {"relative": point, "low": point, "high": point}
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # resamples whose baseline mean is 0 make the ratio undefined: the interval is then NaN
        warnings.simplefilter("ignore")
        res = stats.bootstrap((a, b), ratio, paired=paired, vectorized=True, method="BCa",
                              confidence_level=level, n_resamples=resamples,
                              rng=np.random.default_rng(seed))
    return {"relative": point, "low": float(res.confidence_interval.low),
            "high": float(res.confidence_interval.high)}


def _bca_mean_difference(a: np.ndarray, b: np.ndarray, paired: bool, level: float,
                         seed: int) -> tuple[float, float]:
    """BCa bootstrap interval of ``mean(a) - mean(b)`` (pairs resampled together if paired)."""
    if len(a) < 3 or len(b) < 3 or (np.ptp(a) == 0 and np.ptp(b) == 0):
        return math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if paired:
            res = stats.bootstrap((a - b,), np.mean, method="BCa", confidence_level=level,
                                  n_resamples=4999, rng=np.random.default_rng(seed))
        else:
            res = stats.bootstrap((a, b), lambda x, y, axis=-1: np.mean(x, axis=axis)
                                  - np.mean(y, axis=axis), method="BCa", vectorized=True,
                                  confidence_level=level, n_resamples=4999,
                                  rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def difference(a: np.ndarray, b: np.ndarray, *, paired: bool, level: float = 0.95,
               seed: int = 0, bootstrap: bool = True) -> dict[str, float]:
    """Difference ``a - b`` of two scenarios' KPI over replications.

    Paired (common random numbers, replication ``r`` against replication ``r``): paired-t
    interval and test, effect size Cohen's ``d_z``. Unpaired: Welch interval and test, effect size
    Hedges' ``g``. Both add a seeded BCa bootstrap interval (NaN with ``bootstrap=False``).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if paired:
        keep = ~(np.isnan(a) | np.isnan(b))
        a, b = a[keep], b[keep]
        d = a - b
        mean, low, high = mean_ci(d, level)
        sd = d.std(ddof=1) if len(d) > 1 else math.nan
        p = _paired_p(a, b)
        effect = mean / sd if sd and sd > 0 else math.nan
    else:
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        mean = float(a.mean() - b.mean())
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se else math.nan
        half = float(stats.t.ppf(0.5 + level / 2, dof) * se) if se else 0.0
        low, high = mean - half, mean + half
        p = float(stats.ttest_ind(a, b, equal_var=False).pvalue) if se else (
            (0.0 if mean != 0 else 1.0) if len(a) > 1 and len(b) > 1 else math.nan)
        pooled = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                           / (len(a) + len(b) - 2))
        correction = 1 - 3 / (4 * (len(a) + len(b)) - 9)
        effect = mean / pooled * correction if pooled else math.nan
    boot_low, boot_high = (_bca_mean_difference(a, b, paired, level, seed) if bootstrap
                           else (math.nan, math.nan))
    return {"diff": mean, "low": low, "high": high, "boot_low": boot_low,
            "boot_high": boot_high, "p_value": p, "effect_size": effect, "n": len(a),
            "paired": paired, **rank_difference(a, b, paired)}


#: Above this bimodality coefficient a sample counts as skewed or bimodal (the uniform's, 5/9).
BIMODAL = 5 / 9
#: The fewest runs in which bimodality is judged.
BIMODAL_MIN_RUNS = 10


def bimodality_coefficient(values: np.ndarray | pd.Series) -> float:
    """Sarle's bimodality coefficient (skewness^2 + 1) / (sample excess kurtosis + ...).

    Above 5/9 (the uniform's) a sample suggests two modes or a heavy skew (Pfister et al. 2013):
    either way a mean describes it badly. NaN under four values or without spread.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 4 or np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return math.nan  # no spread to speak of (moments would lose all precision)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = float(stats.skew(x, bias=False))
        k = float(stats.kurtosis(x, bias=False))
    return (g * g + 1.0) / (k + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def is_bimodal(*samples: np.ndarray) -> bool:
    """Whether any sample (of at least 10 runs) is skewed or bimodal (coefficient above 5/9)."""
    return any(len(x) >= BIMODAL_MIN_RUNS and bimodality_coefficient(x) > BIMODAL
               for x in samples)


def rank_difference(a: np.ndarray, b: np.ndarray, paired: bool) -> dict[str, Any]:
    """Medians and the rank test beside the means, for runs a mean describes badly.

    Paired: the median of the differences and the Wilcoxon signed-rank test; unpaired: the
    difference of medians and the Mann-Whitney U test. ``bimodal`` says whether either sample
    looks bimodal (:func:`is_bimodal`); then the rank test's p-value decides the verdict.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if paired:
        d = a - b
        median = float(np.median(d)) if len(d) else math.nan
        nonzero = d[d != 0]
        ranks = stats.rankdata(np.abs(nonzero)) if len(nonzero) else np.empty(0)
        direction = float(np.sign(ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()))
        if len(d) < 2:
            p = math.nan
        elif not len(nonzero):
            p = 1.0
        else:
            p = float(stats.wilcoxon(d).pvalue)
    else:
        median = float(np.median(a) - np.median(b)) if len(a) and len(b) else math.nan
        if len(a) > 1 and len(b) > 1:
            test = stats.mannwhitneyu(a, b)
            p = float(test.pvalue)
            direction = float(np.sign(test.statistic - len(a) * len(b) / 2))
        else:
            p, direction = math.nan, 0.0
    return {"median_diff": median, "p_rank": p, "rank_direction": direction,
            "bimodal": is_bimodal(a, b)}


def common_random_numbers(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """What pairing bought: the paired correlation and the variance reduction of ``a - b``.

    ``variance_reduction`` is ``1 - var(a - b) / (var(a) + var(b))``: the share of the
    difference's variance that common random numbers removed against independent runs (0: none,
    negative: pairing hurt). Both NaN under three pairs or without spread.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return {"correlation": math.nan, "variance_reduction": math.nan}
    independent = a.var(ddof=1) + b.var(ddof=1)
    return {"correlation": float(np.corrcoef(a, b)[0, 1]),
            "variance_reduction": float(1.0 - (a - b).var(ddof=1) / independent)}


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment (family-wise error rate), NaNs left as they are."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok])]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out.tolist()


#: Fewer paired runs than this give no verdict: a t interval on 4 differences has 3 degrees of
#: freedom and a multiplier of 3.18, and a single odd run decides it.
MIN_RUNS = 5


def verdicts(table: pd.DataFrame, higher_is_better: Mapping[str, bool | None],
             alpha: float = 0.05, min_runs: int = MIN_RUNS) -> pd.DataFrame:
    """Better, worse, no clear difference or too few runs, for every row a headline shows.

    The rows' p-values are adjusted together by Holm (the family is what one headline shows:
    every scenario and KPI in ``table``), and the adjusted value decides; rows from fewer than
    ``min_runs`` runs get no verdict and are left out of the family.

    Args:
        table: Rows with ``kpi``, ``p_value``, ``n`` and a signed change (``relative`` or
            ``diff``); where a row is ``bimodal`` its rank test's ``p_rank`` and direction
            (``rank_direction``: which way the signed ranks lean) are used instead (``test``
            says which).
        higher_is_better: Per KPI; ``None`` for a KPI without a better direction ("differs").
        alpha: Family-wise error rate.
        min_runs: Runs below which no verdict is given.

    Returns:
        ``table`` with ``p_family`` (Holm-adjusted within the table) and ``verdict``.
    """
    out = table.copy()
    change = out["relative"] if "relative" in out else out["diff"]
    enough = out["n"].to_numpy() >= min_runs
    rank = (out["bimodal"].to_numpy(dtype=bool) if "bimodal" in out and "p_rank" in out
            else np.zeros(len(out), dtype=bool))
    out["test"] = np.where(rank, "rank", "t")
    if rank.any():  # the rank test's own direction (signed ranks), which a median of 0 lacks
        direction = (out["rank_direction"] if "rank_direction" in out
                     else np.sign(out["median_diff"])).to_numpy(dtype=float)
        change = pd.Series(np.where(rank, direction, change.to_numpy(dtype=float)),
                           index=out.index)
    chosen = np.where(rank, out["p_rank"].to_numpy(dtype=float) if rank.any() else np.nan,
                      out["p_value"].to_numpy(dtype=float))
    p = np.where(enough, chosen, np.nan)
    out["p_family"] = holm(p.tolist())
    words = []
    for row, c, adj, ok in zip(out.itertuples(), change, out["p_family"], enough, strict=True):
        hib = higher_is_better.get(row.kpi)
        if not ok:
            words.append(f"no verdict: {int(row.n)} run{'s' if int(row.n) != 1 else ''}, "
                         f"fewer than {min_runs}")
        elif math.isnan(adj) or adj >= alpha:
            words.append("no clear difference")
        elif hib is None:
            words.append("differs")
        else:
            words.append("better" if (c > 0) == hib else "worse")
    out["verdict"] = words
    return out


def summarize(runs: pd.DataFrame, kpis: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per scenario and KPI: runs, mean, standard deviation and confidence interval.

    The interval stays inside the KPI's range (:func:`bounded_ci`).
    """
    rows = []
    ok = runs[runs.status == "ok"] if "status" in runs else runs
    for scenario in dict.fromkeys(ok.scenario):
        part = ok[ok.scenario == scenario]
        for kpi in kpis:
            x = part[kpi].to_numpy(dtype=float)
            if kpi_of(kpi).proportion:
                events = x[~np.isnan(x)]
                mean, low, high = proportion_ci(int(events.sum()), len(events), level)
            else:
                mean, low, high = bounded_ci(x, kpi_of(kpi).bounds, level)
            rows.append({"scenario": scenario, "kpi": kpi, "n": int((~np.isnan(x)).sum()),
                         "mean": mean, "sd": float(np.nanstd(x, ddof=1)) if len(x) > 1
                         else math.nan, "ci_low": low, "ci_high": high,
                         "median": float(np.nanmedian(x)) if (~np.isnan(x)).any()
                         else math.nan, "bimodal": is_bimodal(x[~np.isnan(x)])})
    return pd.DataFrame(rows)


def differences(runs: pd.DataFrame, baseline: str, kpis: list[str],
                level: float = 0.95, bootstrap: bool = True) -> pd.DataFrame:
    """Every scenario against the baseline, per KPI, with family-wise error control.

    Scenarios run with common random numbers (the same replication seeds) are compared paired;
    otherwise by Welch. p-values are adjusted by Holm across the comparisons of each KPI, and,
    when unpaired with more than two scenarios, Dunnett's test against the baseline is added.
    """
    ok = runs[runs.status == "ok"] if "status" in runs else runs
    base = ok[ok.scenario == baseline].set_index("replication")
    others = [s for s in dict.fromkeys(ok.scenario) if s != baseline]
    rows = []
    for kpi in kpis:
        block = []
        for scenario in others:
            part = ok[ok.scenario == scenario].set_index("replication")
            common = base.index.intersection(part.index)  # succeeded in both (failures out)
            paired = (len(common) > 0 and "spawn_key" in ok and
                      (base.loc[common, "spawn_key"] == part.loc[common, "spawn_key"]).all())
            a = part.loc[common if paired else part.index, kpi].to_numpy(dtype=float)
            b = base.loc[common if paired else base.index, kpi].to_numpy(dtype=float)
            d = difference(a, b, paired=bool(paired), level=level, bootstrap=bootstrap)
            mean_b = float(np.nanmean(b))
            crn = common_random_numbers(a, b) if paired else {
                "correlation": math.nan, "variance_reduction": math.nan}
            block.append({"scenario": scenario, "baseline": baseline, "kpi": kpi, **d,
                          "relative": d["diff"] / mean_b if mean_b else math.nan, **crn})
        for row, adj in zip(block, holm([r["p_value"] for r in block]), strict=True):
            row["p_holm"] = adj
        if block and not all(r["paired"] for r in block) and len(others) > 1:
            samples = [ok[ok.scenario == s][kpi].dropna().to_numpy() for s in others]
            control = base[kpi].dropna().to_numpy()
            dunnett = stats.dunnett(*samples, control=control)
            for row, p in zip(block, dunnett.pvalue, strict=True):
                row["p_dunnett"] = float(p)
        rows.extend(block)
    return pd.DataFrame(rows)


def mser5(series: np.ndarray | pd.Series, batch: int = 5) -> int:
    """Warm-up length by MSER-5 (White 1997): observations to delete from the start.

    The series is averaged in batches of ``batch``; the truncation point ``d`` (in batches, at
    most half of them) minimises ``sum_{i>d} (Y_i - mean_{>d})^2 / (n - d)^2``.

    Returns:
        The number of observations (e.g. days) to remove.
    """
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x) // batch
    if n < 4:
        return 0
    y = x[: n * batch].reshape(n, batch).mean(axis=1)
    best_d, best = 0, math.inf
    for d in range(n // 2 + 1):
        tail = y[d:]
        value = float(((tail - tail.mean()) ** 2).sum() / (n - d) ** 2)
        if value < best:
            best_d, best = d, value
    return best_d * batch


#: Daily series that are means over requests, and the daily count of those requests: their
#: steady state is the mean over requests (days weighted by it), not the mean of daily means.
STEADY_WEIGHTS = {"mean_delay": "completions", "mean_quality": "completions",
                  "service_satisfaction": "completions", "internal_service": "internal_services"}


def daily_level(daily: pd.DataFrame, kpi: str, by: list[str]) -> pd.Series:
    """A daily series' level per group: weighted by its requests where it is a per-request mean.

    ``by`` the grouping columns (``["scenario", "replication"]`` for one value per run,
    ``["day"]`` for the replication-averaged series).
    """
    weight = STEADY_WEIGHTS.get(kpi)
    if weight is None or weight not in daily:
        return daily.groupby(by, sort=True)[kpi].mean()
    x = daily[kpi].to_numpy(dtype=float)
    w = daily[weight].to_numpy(dtype=float)
    use = ~np.isnan(x) & (w > 0)
    frame = pd.DataFrame({**{c: daily[c].to_numpy() for c in by},
                          "xw": np.where(use, x * w, 0.0), "w": np.where(use, w, 0.0)})
    sums = frame.groupby(by, sort=True)[["xw", "w"]].sum()
    return (sums.xw / sums.w.where(sums.w > 0)).rename(kpi)


def drift_p_value(series: np.ndarray | pd.Series, batches: int = 10) -> float:
    """p-value of a linear trend in a series' batch means (NaN under 2 observations a batch).

    After the warm-up, a steady state has no trend; a small p-value says the series is still
    moving (the run is too short, or the system has no steady state). The series is cut into
    ``batches`` equal batches, whose means are closer to independent than days are: on a
    stationary AR(1) series of 125 days with lag-one correlation 0.5, 0.8 and 0.95, p < 0.01
    comes up 0.8%, 2.4% and 12% of the time (against 1.8%, 10% and 36% with 5-day batches).
    """
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    size = len(x) // batches
    if size < 2 or batches < 3:
        return math.nan
    y = x[len(x) - size * batches:].reshape(batches, size).mean(axis=1)
    if np.ptp(y) == 0:
        return 1.0
    return float(stats.linregress(np.arange(batches), y).pvalue)


def batch_means_ci(values: np.ndarray | pd.Series, weights: np.ndarray | pd.Series | None = None,
                   batches: int = 10, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and batch-means interval of one run's (post-warm-up) daily series.

    The days are cut into ``batches`` equal batches; each batch's (weighted) mean is one
    observation of a Student-t interval (Law & Kelton 2000, 9.5.3). For a single run, where
    independent replications are not available.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    use = ~np.isnan(x) & (w > 0)
    x, w = x[use], w[use]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float((x * w).sum() / w.sum())
    size = len(x) // batches
    if size < 1 or batches < 2:
        return mean, math.nan, math.nan
    xw = (x[: size * batches] * w[: size * batches]).reshape(batches, size).sum(axis=1)
    ws = w[: size * batches].reshape(batches, size).sum(axis=1)
    _, low, high = mean_ci(xw / ws, level)
    centre = float(np.mean(xw / ws))
    return mean, mean - (centre - low), mean + (high - centre)


def look_ahead(n: int, k_limit: int = 5) -> int:
    """Hoad, Robinson & Davies (2010) look-ahead: ``k_limit`` up to 100 runs, then in proportion."""
    return k_limit if n <= 100 else math.floor(k_limit * n / 100)


def replications_needed(values: np.ndarray | pd.Series, precision: float, *,
                        level: float = 0.95, min_runs: int = 3, k_limit: int = 5) -> int | None:
    """Smallest number of replications whose CI half-width stays within ``precision``.

    The replication algorithm of Hoad, Robinson & Davies (2010): the relative half-width
    ``t * s / sqrt(n) / |mean|`` must be at most ``precision`` at ``n`` and stay so for the next
    ``look_ahead(n)`` replications. Returns None when ``values`` are not yet enough to say.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]

    def ok(n: int) -> bool:
        mean, low, _ = mean_ci(x[:n], level)
        if n < 2 or mean == 0 or math.isnan(low):
            return False
        return (mean - low) / abs(mean) <= precision

    for n in range(max(min_runs, 2), len(x) + 1):
        horizon = n + look_ahead(n, k_limit)
        if horizon > len(x):
            return None
        if all(ok(m) for m in range(n, horizon + 1)):
            return n
    return None


def relative_differences(runs: pd.DataFrame, baseline: str, kpis: list[str],
                         level: float = 0.95) -> pd.DataFrame:
    """Every scenario's relative change against the baseline, per KPI, as the headline reads it.

    Columns: ``scenario``, ``kpi``, ``relative``, ``low``, ``high`` (BCa bootstrap of the ratio
    of means, paired under common random numbers), ``p_value`` and ``p_holm`` (from
    :func:`differences`), ``paired`` and ``n`` (runs per scenario).
    """
    table = differences(runs, baseline, kpis, level, bootstrap=False)  # the ratio's BCa below
    ok = runs[runs.status == "ok"] if "status" in runs else runs
    base = ok[ok.scenario == baseline].set_index("replication")
    rows = []
    for _, row in table.iterrows():
        part = ok[ok.scenario == row.scenario].set_index("replication")
        if row.paired:  # replication by replication: a run that failed in either leaves its pair
            common = part.index.intersection(base.index).sort_values()
            a, b = part.loc[common, row.kpi], base.loc[common, row.kpi]
        else:
            a, b = part[row.kpi], base[row.kpi]
        rel = relative_difference(a.to_numpy(dtype=float), b.to_numpy(dtype=float), level,
                                  paired=bool(row.paired))
        rows.append({"scenario": row.scenario, "kpi": row.kpi, **rel, "p_value": row.p_value,
                     "p_holm": row.p_holm, "paired": bool(row.paired), "n": int(row.n),
                     "median_diff": row.median_diff, "p_rank": row.p_rank,
                     "rank_direction": row.rank_direction, "bimodal": bool(row.bimodal)})
    return pd.DataFrame(rows, columns=["scenario", "kpi", "relative", "low", "high", "p_value",
                                       "p_holm", "paired", "n", "median_diff", "p_rank",
                                       "rank_direction", "bimodal"])
