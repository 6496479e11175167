"""Parameter sweeps: full factorial, Latin hypercube and Sobol' designs, with sensitivity indices.

A sweep varies scenario parameters named by their path in a scenario file
(``organization.reporting_rate``, ``people.hiring_delay``, ``customers.request_rate``,
``work.communication``). Every design point becomes a scenario variant, and all points use the
same replication seeds (common random numbers). Sobol' indices are computed from the model
outputs with ``scipy.stats.sobol_indices`` on precomputed evaluations (Saltelli 2010 design).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import typing
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from simulation.config import bounds
from simulation.config.files import plain_error
from simulation.config.scenario import Scenario
from simulation.core.lazy import LazyModule
from simulation.experiments.inputs import check_counts, with_file_contents
from simulation.experiments.store import read_json

stats = LazyModule("scipy.stats")
qmc = LazyModule("scipy.stats.qmc")

SECTION_OF = {"organization": "design", "work": "work", "people": "people",
              "customers": "customers"}


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A varied parameter: its path and its range (or levels for a factorial design)."""

    path: str
    low: float
    high: float
    levels: tuple[float, ...] = ()
    integer: bool = False

    @classmethod
    def parse(cls, text: str) -> Parameter:
        """``path=low:high`` or ``path=a,b,c`` (levels), e.g. ``people.hiring_delay=10:40``."""
        if "=" not in text:
            raise ValueError(f"--vary {text!r}: expected path=low:high or path=a,b,c")
        path, spec = (t.strip() for t in text.split("=", 1))
        if not path:
            raise ValueError(f"--vary {text!r}: no parameter path before '=' (e.g. "
                             "work.communication=0:1)")
        try:
            if ":" in spec:
                low, high = (float(v) for v in spec.split(":", 1))
                if not (low < high and math.isfinite(low) and math.isfinite(high)):
                    raise ValueError
                return cls(path, low, high)
            levels = tuple(float(v) for v in spec.split(","))
            if not all(math.isfinite(v) for v in levels):
                raise ValueError
        except ValueError:
            raise ValueError(f"--vary {text!r}: the range must be low:high with low < high, or "
                             "a list of numbers a,b,c") from None
        if len(set(levels)) < 2:
            raise ValueError(f"--vary {text!r}: one level; give low:high or two or more "
                             "different levels a,b,c")
        return cls(path, min(levels), max(levels), levels)


def check_distinct(paths: Sequence[str]) -> None:
    """Refuse a parameter varied twice (its two ranges would fight over one value)."""
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise ValueError(f"--vary {twice[0].lstrip(':')} given twice; vary each parameter once")


def value_kind(scenario: Scenario, path: str) -> type:
    """``bool``, ``int`` or ``float``: what the parameter at ``path`` holds (from its type)."""
    section, _, key = path.partition(".")
    target = getattr(scenario, SECTION_OF.get(section, ""), None)
    if target is None or not dataclasses.is_dataclass(target):
        return float
    hint = typing.get_type_hints(type(target)).get(key)
    kinds = set(typing.get_args(hint)) | {hint}
    if bool in kinds:
        return bool
    if int in kinds and float not in kinds:
        return int
    return float


def apply(scenario: Scenario, path: str, value: float) -> Scenario:
    """The scenario with one parameter set, validated (a bad path or value raises)."""
    section, _, key = path.partition(".")
    if section not in SECTION_OF or not key:
        raise ValueError(f"{path}: a parameter path is section.key with section one of "
                         f"{', '.join(SECTION_OF)}")
    target = getattr(scenario, SECTION_OF[section])
    names = {f.name: f for f in dataclasses.fields(target)}
    if key not in names:
        import difflib

        close = difflib.get_close_matches(key, list(names), n=1)
        hint = f"; did you mean {section}.{close[0]}?" if close else ""
        raise ValueError(f"{path}: {type(target).__name__} has no parameter {key!r}{hint}")
    kind = value_kind(scenario, path)
    if kind is bool:
        value = bool(round(value))
    elif kind is int:
        value = round(value)
    try:
        changed = dataclasses.replace(target, **{key: value})
    except ValidationError as err:
        raise ValueError(f"{path} = {value!r} is not allowed: "
                         f"{'; '.join(plain_error(e) for e in err.errors())}") from None
    return dataclasses.replace(scenario, **{SECTION_OF[section]: changed})


def as_run(base: Scenario, params: Sequence[Parameter], values: np.ndarray) -> np.ndarray:
    """The design's points as they will run: integer and true/false parameters rounded.

    The points table then records the values the runs used (a Latin hypercube over
    ``organization.levels=1.5:3.5`` draws 3.117; the run has 3 levels).
    """
    out = np.array(values, dtype=float, copy=True)
    for j, p in enumerate(params):
        if value_kind(base, p.path) is not float:
            out[:, j] = np.round(out[:, j])
    return out


def factorial(params: Sequence[Parameter], levels: int = 3) -> np.ndarray:
    """Every combination of each parameter's levels (its own, or ``levels`` evenly spaced)."""
    grids = [p.levels or tuple(np.linspace(p.low, p.high, levels)) for p in params]
    size = math.prod(len(g) for g in grids)
    bounds.check_runs(size, f"a factorial of {' x '.join(str(len(g)) for g in grids)} = "
                            f"{bounds.count(size)} points")
    return np.array(list(itertools.product(*grids)), dtype=float)


def latin_hypercube(params: Sequence[Parameter], points: int, seed: int = 0) -> np.ndarray:
    """A Latin hypercube of ``points`` points over the parameters' ranges."""
    unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(points)
    return qmc.scale(unit, [p.low for p in params], [p.high for p in params])


@dataclasses.dataclass(frozen=True)
class SobolDesign:
    """Saltelli's design for Sobol' indices: matrices A, B and the d matrices AB_i.

    ``points`` stacks A, B, AB_1..AB_d (``n (d + 2)`` rows) in parameter units.
    """

    n: int
    d: int
    points: np.ndarray

    @classmethod
    def create(cls, params: Sequence[Parameter], n: int, seed: int = 0) -> SobolDesign:
        """Scrambled Sobol' base of ``n`` rows (a power of 2 is best)."""
        d = len(params)
        base = qmc.Sobol(d=2 * d, scramble=True, rng=np.random.default_rng(seed)).random(n)
        a, b = base[:, :d], base[:, d:]
        ab = []
        for i in range(d):
            m = a.copy()
            m[:, i] = b[:, i]
            ab.append(m)
        unit = np.vstack([a, b, *ab])
        low, high = [p.low for p in params], [p.high for p in params]
        return cls(n, d, qmc.scale(unit, low, high))

    def indices(self, outputs: np.ndarray, confidence: float = 0.95,
                resamples: int = 999, seed: int = 0) -> pd.DataFrame:
        """First- and total-order indices with bootstrap intervals from outputs at ``points``."""
        y = np.asarray(outputs, dtype=float)
        if y.shape != (len(self.points),):
            raise ValueError(f"expected {len(self.points)} outputs, got {y.shape}")
        n, d = self.n, self.d
        func = {"f_A": y[:n][None, :], "f_B": y[n:2 * n][None, :],
                "f_AB": y[2 * n:].reshape(d, 1, n)}
        res = stats.sobol_indices(func=func, n=n)
        f_a, f_b, f_ab = y[:n], y[n:2 * n], y[2 * n:].reshape(d, n)

        def both(idx: np.ndarray) -> np.ndarray:  # Saltelli et al. 2010, Table 2 (b) and (f)
            var = np.var(np.concatenate([f_a[idx], f_b[idx]]))
            first = np.mean(f_b[idx] * (f_ab[:, idx] - f_a[idx]), axis=-1) / var
            total = 0.5 * np.mean((f_a[idx] - f_ab[:, idx]) ** 2, axis=-1) / var
            return np.concatenate([first, total])

        # scipy's SobolResult.bootstrap draws from numpy's global state (no seed): the same
        # resampling here, from this call's own stream
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # tiny designs: degenerate intervals come back NaN
            boot = stats.bootstrap((np.arange(n),), both, method="BCa", vectorized=False,
                                   n_resamples=resamples, confidence_level=confidence,
                                   rng=np.random.default_rng(seed))
        low, high = boot.confidence_interval
        return pd.DataFrame({
            "first_order": res.first_order[:, 0] if res.first_order.ndim > 1 else
            res.first_order, "total_order": res.total_order[:, 0]
            if res.total_order.ndim > 1 else res.total_order,
            "first_low": low[:d], "first_high": high[:d],
            "total_low": low[d:], "total_high": high[d:],
        })


def run_sweep(
    base: Scenario,
    params: Sequence[Parameter],
    points: np.ndarray,
    runs: int,
    *,
    seed: int = 2026,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | float = False,
    attachments: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """Run every design point ``runs`` times; one row per run with the point's parameters.

    Point ``i`` is the scenario variant ``<base name>@<i>``; the experiment folder resumes like
    a comparison (``attachments`` as in :func:`~simulation.experiments.experiment.compare`).
    """
    from simulation.experiments.experiment import compare

    variants = []
    for i, row in enumerate(points):
        s = base
        for p, value in zip(params, row, strict=True):
            s = apply(s, p.path, float(value))
        variants.append(dataclasses.replace(s, name=f"{base.name}@{i}"))
    result = compare(variants, runs, seed=seed, days=days, out=out, workers=workers,
                     executor=executor, progress=progress, attachments=attachments)
    return _with_points(result.runs, _points_table(params, points))


def _points_table(params: Sequence[Parameter], points: np.ndarray) -> pd.DataFrame:
    table = pd.DataFrame(np.asarray(points, dtype=float).reshape(len(points), len(params)),
                         columns=[p.path for p in params])
    table.insert(0, "point", range(len(table)))
    return table


def point_means(table: pd.DataFrame, kpi: str) -> np.ndarray:
    """Mean of a KPI over replications at each design point, in point order."""
    ok = table[table.status == "ok"] if "status" in table else table
    return ok.groupby("point")[kpi].mean().sort_index().to_numpy()


def summarize_sweep(table: pd.DataFrame, params: Sequence[Parameter],
                    kpis: Sequence[str]) -> pd.DataFrame:
    """Per design point: the parameters and each KPI's mean over replications."""
    ok = table[table.status == "ok"] if "status" in table else table
    cols = ["point", *(p.path for p in params)]
    return ok.groupby(cols, as_index=False)[list(kpis)].mean()


def design_points(kind: str, params: Sequence[Parameter], points: int,
                  seed: int = 0) -> tuple[np.ndarray, Any]:
    """Points of a named design: ``factorial``, ``lhs`` or ``sobol`` (with its design object)."""
    if kind == "factorial":
        levels = max(2, round(points ** (1 / len(params)))) if points else 3
        return factorial(params, levels), None
    if kind == "lhs":
        return latin_hypercube(params, points, seed), None
    if kind == "sobol":
        bounds.check_runs(points * (len(params) + 2), f"a Sobol' design of {points:,} x "
                          f"({len(params)} parameters + 2) = {points * (len(params) + 2):,} points")
        if len(params) < 2:
            raise ValueError("a sobol design needs at least two varied parameters (indices say "
                             "which of them matters); with one, use lhs or factorial")
        design = SobolDesign.create(params, points, seed)
        return design.points, design
    raise ValueError(f"design {kind!r} is not allowed: one of factorial, lhs, sobol")


@dataclasses.dataclass
class SweepResult:
    """Tidy tables of a sweep, reopenable from its output folder.

    Attributes:
        folder: The output folder (an experiment folder plus ``sweep.json``).
        parameters: The varied parameters.
        design: ``factorial``, ``lhs`` or ``sobol``.
        points: One row per design point (``point`` and one column per parameter path).
        runs: One row per run, with its point and parameter values.
        daily: One row per run and day.
        sobol: Saltelli's design when ``design == "sobol"`` (for :meth:`indices`).
        source: The base scenario's file or bundled name, when known.
    """

    folder: Path
    parameters: tuple[Parameter, ...]
    design: str
    points: pd.DataFrame
    runs: pd.DataFrame
    daily: pd.DataFrame
    sobol: SobolDesign | None = None
    source: str = ""

    @classmethod
    def open(cls, folder: str | Path) -> SweepResult:
        """Reopen the sweep in an output folder."""
        from simulation.experiments.experiment import ExperimentResult

        path = Path(folder) / "sweep.json"
        if not path.exists():
            raise FileNotFoundError(f"{folder}: no sweep.json, not a sweep folder")
        meta = read_json(path, "it says which points the sweep runs")
        params = tuple(Parameter(p["path"], p["low"], p["high"], tuple(p["levels"]))
                       for p in meta["parameters"])
        values = np.asarray(meta["points"], dtype=float).reshape(-1, len(params))
        experiment = ExperimentResult.open(folder)
        points = _points_table(params, values)
        sobol = (SobolDesign(meta["sobol_n"], len(params), values)
                 if meta["design"] == "sobol" else None)
        return cls(Path(folder), params, meta["design"], points,
                   _with_points(experiment.runs, points), _with_points(experiment.daily, points),
                   sobol, meta.get("source", ""))

    @property
    def paths(self) -> list[str]:
        """The varied parameters' paths."""
        return [p.path for p in self.parameters]

    def summary(self, kpis: Sequence[str] = ("mean_delay", "retention", "mean_morale"),
                level: float = 0.95) -> pd.DataFrame:
        """Per design point and KPI: the parameters, runs, mean, sd and confidence interval."""
        from simulation.experiments.stats import summarize

        table = summarize(self.runs, list(kpis), level)
        point = table.scenario.str.rsplit("@", n=1).str[1].astype(int)
        table = table.drop(columns="scenario")
        table.insert(0, "point", point)
        return self.points.merge(table, on="point").sort_values(["kpi", "point"],
                                                                  kind="stable",
                                                                  ignore_index=True)

    def means(self, kpis: Sequence[str] = ("mean_delay", "retention", "mean_morale")
              ) -> pd.DataFrame:
        """Wide table: per design point the parameters and each KPI's mean over replications."""
        return summarize_sweep(self.runs, self.parameters, kpis)

    def indices(self, kpi: str = "mean_delay", confidence: float = 0.95,
                resamples: int = 999, seed: int = 0) -> pd.DataFrame:
        """Sobol' first- and total-order indices of a KPI with bootstrap intervals."""
        if self.sobol is None:
            raise ValueError(f"indices need a sobol design; this sweep is {self.design}")
        table = self.sobol.indices(point_means(self.runs, kpi), confidence, resamples, seed)
        table.insert(0, "parameter", self.paths)
        return table

    def importance(self, kpis: str | Sequence[str] = ("mean_delay", "retention", "mean_morale"),
                   *, level: float = 0.95, resamples: int = 999, seed: int = 0) -> pd.DataFrame:
        """How much each varied parameter matters for each KPI, with intervals.

        A Sobol' sweep gives each parameter's total-order index (:meth:`indices`); a factorial
        or Latin hypercube sweep its partial rank correlation with the KPI over the runs, with a
        bootstrap interval over design points and a Holm-adjusted p-value
        (:func:`simulation.experiments.sensitivity.importance`).

        Args:
            kpis: The KPIs (a name or several).
            level: Confidence level of the intervals.
            resamples: Bootstrap resamples.
            seed: Seed of the bootstrap.

        Returns:
            One row per KPI and parameter: ``parameter, kpi, method, value, low, high,
            p_adjusted, clear, rank, points, runs, note``.
        """
        from simulation.experiments.sensitivity import importance

        def indices(key: str) -> pd.DataFrame:
            return self.indices(key, level, resamples, seed)

        return importance(self.runs, self.paths, kpis,
                          sobol=indices if self.sobol is not None else None, level=level,
                          resamples=resamples, seed=seed)


def _with_points(table: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return table
    point = table.scenario.str.rsplit("@", n=1).str[1].astype(int)
    out = table.copy()
    out.insert(1, "point", point.to_numpy())
    for j, path in enumerate(points.columns[1:]):
        out.insert(2 + j, path, points[path].to_numpy()[point.to_numpy()])
    return out


def sweep(
    base: Scenario,
    vary: Sequence[Parameter | str],
    *,
    design: str = "lhs",
    points: int = 16,
    runs: int | None = None,
    seed: int = 2026,
    design_seed: int | None = None,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | float = False,
    source: str = "",
) -> SweepResult:
    """Run (or resume) a sweep and return its tables.

    Args:
        base: The scenario to vary.
        vary: Parameters, or their ``path=low:high`` / ``path=a,b,c`` texts.
        design: ``factorial``, ``lhs`` (Latin hypercube) or ``sobol`` (Saltelli, for indices).
        points: Design points (factorial: about this many; Sobol': base size ``n``, giving
            ``n (d + 2)`` points).
        runs: Replications per point (the scenario's ``replications`` by default).
        seed: Root seed of the runs (common random numbers across points).
        design_seed: Seed of the design (``seed`` by default).
        days: Run length (the scenario's ``days`` by default).
        out: Output folder (resumable); a temporary folder when omitted.
        workers: Processes of the default pool.
        executor: Any ``concurrent.futures.Executor`` instead.
        progress: True for a progress bar; seconds between progress lines for a log.
        source: The base scenario's file or bundled name, for the record.
    """
    import tempfile

    check_counts(runs=runs, days=days, points=points)
    points = int(points)
    runs, days = (None if v is None else int(v) for v in (runs, days))
    base = with_file_contents(base)
    params = [v if isinstance(v, Parameter) else Parameter.parse(v) for v in vary]
    if not params:
        raise ValueError("a sweep needs at least one varied parameter")
    check_distinct([p.path for p in params])
    for p in params:  # fail now, not in the workers, on a bad path or value
        apply(base, p.path, p.low)
        apply(base, p.path, p.high)
    values, sobol = design_points(design, params, points,
                                  seed if design_seed is None else design_seed)
    values = as_run(base, params, values)
    runs = base.replications if runs is None else runs
    bounds.check_runs(len(values) * runs, f"{len(values):,} points x {runs:,} runs = "
                                          f"{bounds.count(len(values) * runs)} runs")
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="service-chain-"))
    meta = {"design": design, "parameters": [
        {"path": p.path, "low": p.low, "high": p.high, "levels": list(p.levels)} for p in params],
        "points": values.tolist(), "sobol_n": sobol.n if sobol is not None else None,
        "source": source}
    run_sweep(base, params, values, runs, seed=seed,
              days=days, out=folder, workers=workers, executor=executor, progress=progress,
              attachments={"sweep.json": meta})
    return SweepResult.open(folder)
