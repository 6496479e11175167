"""Which parameters matter: partial rank correlation coefficients (PRCC) with intervals.

For a factorial or Latin hypercube sweep the importance of each varied parameter for a KPI is
its partial rank correlation coefficient with the KPI (Marino, Hogue, Ray & Kirschner 2008,
J. Theor. Biol. 254:178): rank-transform the parameters and the KPI over the runs, regress the
other parameters' ranks out of both the parameter's rank and the KPI's rank, and correlate the
residuals. Ranks make it robust to monotone non-linear responses (a delay that explodes as
capacity falls); partialling out makes it robust to parameters that move together in the design
(a plain Spearman correlation would credit one parameter with another's effect).

For a Sobol' sweep the importance is the total-order Sobol' index
(:meth:`~simulation.experiments.sweep.SweepResult.indices`): the share of the KPI's variance
that goes away if the parameter were fixed, interactions included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simulation.core.lazy import LazyModule
from simulation.experiments.stats import holm

stats = LazyModule("scipy.stats")

#: Fewer design points than this give a PRCC but no interval and no p-value (no verdict).
MIN_POINTS = 4

#: The columns of an importance table, in order.
COLUMNS = ("parameter", "kpi", "method", "value", "low", "high", "p_adjusted", "clear", "rank",
           "points", "runs", "note")


def prcc_values(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """PRCC of each column of ``x`` with ``y`` (NaN where a residual is zero).

    Rank-transform every column and ``y``; for each parameter, regress the other parameters'
    ranks (with an intercept) out of its rank and out of the rank of ``y``, and correlate the
    two residuals. Computed from the inverse of the rank correlation matrix when it is well
    conditioned (the same number, faster), by the regressions themselves otherwise.

    Args:
        x: Parameter values, one row per run and one column per parameter.
        y: The KPI, one value per run.

    Returns:
        One coefficient per column of ``x``; with a single column it is Spearman's rho.
    """
    ranks = stats.rankdata(np.column_stack([np.asarray(x, dtype=float),
                                            np.asarray(y, dtype=float)]), axis=0)
    k = ranks.shape[1] - 1
    centred = ranks - ranks.mean(axis=0)
    if (np.ptp(ranks, axis=0) == 0.0).any():
        return _by_regression(ranks)
    corr = np.corrcoef(centred, rowvar=False)
    if np.linalg.cond(corr) > 1e8:  # parameters (nearly) collinear in these runs
        return _by_regression(ranks)
    prec = np.linalg.inv(corr)
    out = -prec[:k, k] / np.sqrt(np.diag(prec)[:k] * prec[k, k])
    return np.clip(out, -1.0, 1.0)


def _by_regression(ranks: np.ndarray) -> np.ndarray:
    """PRCC by explicit regressions of ranks (``ranks``: parameters' then the KPI's column)."""
    n, k = ranks.shape[0], ranks.shape[1] - 1
    rx, ry = ranks[:, :k], ranks[:, k]
    out = np.full(k, np.nan)
    for j in range(k):
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        targets = np.column_stack([rx[:, j], ry])
        coef, *_ = np.linalg.lstsq(others, targets, rcond=None)
        res = targets - others @ coef
        ss = (res**2).sum(axis=0)
        spread = ((targets - targets.mean(axis=0)) ** 2).sum(axis=0)
        if (ss <= 1e-12 * np.maximum(spread, 1e-300)).any():
            continue  # the parameter (or the KPI) is explained by the others: no partial view
        out[j] = float(np.clip((res[:, 0] * res[:, 1]).sum() / math.sqrt(ss[0] * ss[1]),
                               -1.0, 1.0))
    return out


def _p_value(r: float, points: int, k: int) -> float:
    """Two-sided p of the t statistic ``r sqrt(df / (1 - r^2))``, ``df = points - 2 - (k - 1)``."""
    df = points - 2 - (k - 1)
    if df < 1 or math.isnan(r):
        return math.nan
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt(df / (1.0 - r * r))
    return float(2.0 * stats.t.sf(abs(t), df))


def prcc(runs: pd.DataFrame, parameters: Sequence[str], kpi: str, *,
         group: str | None = "point", level: float = 0.95, resamples: int = 999,
         seed: int = 0) -> pd.DataFrame:
    """PRCC of each parameter with a KPI over the runs, with bootstrap intervals and p-values.

    The interval is a percentile bootstrap that resamples design points, each with all of its
    runs, rather than runs or a Fisher z interval: runs at one point repeat the same parameter
    values (they differ only in their seeds), so they are not independent draws of the
    parameters, and treating them as such would make the interval too narrow by up to the
    square root of the runs per point. The p-value is that of the t statistic of Marino et al.
    with ``points - 2 - (p - 1)`` degrees of freedom (``p - 1`` parameters partialled out),
    counting design points, not runs, for the same reason; Holm's adjustment across the
    parameters keeps the chance of calling any parameter important by accident at
    ``1 - level``.

    Args:
        runs: One row per run: the parameters' values (runs at a point repeat them), the KPI
            and, when ``group`` is given, the design point. Rows with ``status`` other than
            ``ok`` and rows where the KPI is missing are left out.
        parameters: Columns of the varied parameters.
        kpi: Column of the KPI.
        group: Column naming each run's design point (the bootstrap's unit); ``None``: each row
            is its own point.
        level: Confidence level of the intervals.
        resamples: Bootstrap resamples.
        seed: Seed of the bootstrap (``numpy.random.default_rng``).

    Returns:
        One row per parameter with the columns of :data:`COLUMNS` (``method`` is ``"prcc"``).
        A KPI that is the same in every run, or a parameter that takes one value, gives NaN with
        the reason in ``note``; fewer than :data:`MIN_POINTS` design points give the coefficient
        with NaN interval and p-value (no verdict).
    """
    parameters = list(parameters)
    data = runs[runs.status == "ok"] if "status" in runs else runs
    data = data[data[kpi].notna()]
    x = data[parameters].to_numpy(dtype=float)
    y = data[kpi].to_numpy(dtype=float)
    codes = (pd.factorize(data[group])[0] if group is not None else np.arange(len(data)))
    points = int(codes.max()) + 1 if len(codes) else 0
    value = np.full(len(parameters), np.nan)
    low, high, p = (np.full(len(parameters), np.nan) for _ in range(3))
    notes = [""] * len(parameters)
    if len(y) == 0:
        notes = ["no finished runs with this KPI"] * len(parameters)
    elif np.ptp(y) == 0.0:
        notes = ["the KPI is the same in every run: nothing to rank"] * len(parameters)
    else:
        value = prcc_values(x, y)
        for j in range(len(parameters)):
            if np.ptp(x[:, j]) == 0.0:
                notes[j] = "the parameter takes one value in these runs"
            elif math.isnan(value[j]):
                notes[j] = "the parameter moves with the others in this design: no partial view"
        if points < MIN_POINTS:
            notes = [f"{points} design points: no verdict below {MIN_POINTS}"] * len(notes)
        else:
            low, high = _bootstrap(x, y, codes, points, level, resamples, seed)
            p = np.array([_p_value(r, points, len(parameters)) for r in value])
    adjusted = np.asarray(holm(p.tolist()), dtype=float)
    alpha = 1.0 - level
    clear = [bool((lo > 0 or hi < 0) and q < alpha) for lo, hi, q
             in zip(low, high, adjusted, strict=True)]
    return _table(parameters, kpi, "prcc", value, low, high, adjusted, clear, points, len(y),
                  notes)


def _bootstrap(x: np.ndarray, y: np.ndarray, codes: np.ndarray, points: int, level: float,
               resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each PRCC, resampling design points with all their runs."""
    rng = np.random.default_rng(seed)
    rows = [np.flatnonzero(codes == g) for g in range(points)]
    boot = np.full((resamples, x.shape[1]), np.nan)
    for b in range(resamples):
        idx = np.concatenate([rows[g] for g in rng.integers(0, points, points)])
        if np.ptp(y[idx]) > 0.0:
            boot[b] = prcc_values(x[idx], y[idx])
    tail = (1.0 - level) / 2.0
    low, high = np.full(x.shape[1], np.nan), np.full(x.shape[1], np.nan)
    for j in range(x.shape[1]):
        ok = boot[~np.isnan(boot[:, j]), j]
        if len(ok) >= resamples / 2:  # most resamples degenerate: no interval worth showing
            low[j], high[j] = np.quantile(ok, [tail, 1.0 - tail])
    return low, high


def _table(parameters: Sequence[str], kpi: str, method: str, value: np.ndarray,
           low: np.ndarray, high: np.ndarray, p_adjusted: np.ndarray, clear: Sequence[bool],
           points: int, runs: int, notes: Sequence[str]) -> pd.DataFrame:
    table = pd.DataFrame({"parameter": list(parameters), "kpi": kpi, "method": method,
                          "value": np.asarray(value, dtype=float),
                          "low": np.asarray(low, dtype=float),
                          "high": np.asarray(high, dtype=float),
                          "p_adjusted": np.asarray(p_adjusted, dtype=float),
                          "clear": list(clear), "points": points, "runs": runs,
                          "note": list(notes)})
    size = table.value.abs()
    table["rank"] = size.rank(ascending=False, method="first", na_option="keep")
    return table[list(COLUMNS)]


def sobol_total(indices: pd.DataFrame, kpi: str, points: int, runs: int,
                note: str = "") -> pd.DataFrame:
    """Total-order Sobol' indices (:meth:`SweepResult.indices`) as an importance table.

    Args:
        indices: The index table (``parameter``, ``total_order``, ``total_low``,
            ``total_high``).
        kpi: The KPI the indices are of.
        points: Design points of the sweep.
        runs: Finished runs.
        note: A reason to give on every row (e.g. why the indices are NaN).

    Returns:
        One row per parameter with the columns of :data:`COLUMNS` (``method`` is
        ``"sobol total"``, ``p_adjusted`` NaN); ``clear`` where the interval's low end is above
        0.
    """
    low = indices.total_low.to_numpy(dtype=float)
    clear = [bool(lo > 0) for lo in low]  # NaN compares False
    return _table(list(indices.parameter), kpi, "sobol total", indices.total_order, low,
                  indices.total_high, np.full(len(indices), np.nan), clear, points, runs,
                  [note] * len(indices))


def importance(runs: pd.DataFrame, parameters: Sequence[str], kpis: str | Sequence[str], *,
               sobol: Callable[[str], pd.DataFrame] | None = None, group: str | None = "point",
               level: float = 0.95, resamples: int = 999, seed: int = 0) -> pd.DataFrame:
    """How much each varied parameter matters for each KPI, with intervals, in one tidy table.

    Args:
        runs: One row per run (parameters, KPIs, ``point``; see :func:`prcc`).
        parameters: Columns of the varied parameters.
        kpis: The KPIs.
        sobol: For a Sobol' design, a function giving a KPI's index table
            (:meth:`SweepResult.indices`); the total-order index is then the importance.
            ``None``: PRCC (factorial and Latin hypercube designs).
        group: Column naming each run's design point.
        level: Confidence level of the intervals.
        resamples: Bootstrap resamples.
        seed: Seed of the bootstrap.

    Returns:
        Columns ``parameter, kpi, method ("prcc" or "sobol total"), value, low, high,
        p_adjusted`` (NaN for Sobol'), ``clear`` (the interval excludes 0 and, for PRCC, the
        Holm-adjusted p is below ``1 - level``), ``rank`` (1: largest absolute value; NaN
        where there is no value), ``points``, ``runs`` and ``note`` (why a value is NaN).
    """
    kpis = [kpis] if isinstance(kpis, str) else list(kpis)
    tables = []
    for key in kpis:
        if sobol is None:
            tables.append(prcc(runs, parameters, key, group=group, level=level,
                               resamples=resamples, seed=seed))
            continue
        ok = runs[runs.status == "ok"] if "status" in runs else runs
        y = ok[key].to_numpy(dtype=float)
        y = y[~np.isnan(y)]
        points = int(ok[group].nunique()) if group is not None else len(ok)
        if len(y) == 0 or np.ptp(y) == 0.0:
            nan = np.full(len(parameters), np.nan)
            said = ("the KPI is the same in every run: nothing to rank" if len(y)
                    else "no finished runs with this KPI")
            tables.append(_table(parameters, key, "sobol total", nan, nan, nan, nan,
                                 [False] * len(parameters), points, len(y),
                                 [said] * len(parameters)))
            continue
        try:
            table = sobol_total(sobol(key), key, points, len(y))
        except ValueError as err:  # an incomplete sweep: some points have no runs yet
            nan = np.full(len(parameters), np.nan)
            table = _table(parameters, key, "sobol total", nan, nan, nan, nan,
                           [False] * len(parameters), points, len(y), [str(err)] * len(parameters))
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(tables, ignore_index=True)
