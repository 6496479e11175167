"""Statistics over replications: confidence intervals and paired differences (scipy)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats


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
    p = float(stats.ttest_rel(a[keep], b[keep]).pvalue) if len(d) > 1 else math.nan
    base = float(np.mean(b[keep])) if keep.any() else math.nan
    return {"diff": mean, "low": low, "high": high, "p_value": p,
            "relative": mean / base if base else math.nan}


def relative_difference(a: np.ndarray | pd.Series, b: np.ndarray | pd.Series,
                        level: float = 0.95, resamples: int = 4999,
                        seed: int = 0) -> dict[str, float]:
    """Relative change ``mean(a) / mean(b) - 1`` with a paired BCa bootstrap interval.

    Resampling replications in pairs keeps the common random numbers; the ratio of means keeps
    the interval above -100% where a paired-t interval on skewed KPIs (delays) may not.
    The bootstrap is seeded, so the interval is reproducible.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if len(a) < 2 or b.mean() == 0:
        return {"relative": math.nan, "low": math.nan, "high": math.nan}

    def ratio(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x, axis=axis) / np.mean(y, axis=axis) - 1.0

    point = float(ratio(a, b))
    if np.all(a == a[0]) and np.all(b == b[0]):
        return {"relative": point, "low": point, "high": point}
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # resamples whose baseline mean is 0 make the ratio undefined: the interval is then NaN
        warnings.simplefilter("ignore")
        res = stats.bootstrap((a, b), ratio, paired=True, vectorized=True, method="BCa",
                              confidence_level=level, n_resamples=resamples,
                              rng=np.random.default_rng(seed))
    return {"relative": point, "low": float(res.confidence_interval.low),
            "high": float(res.confidence_interval.high)}
