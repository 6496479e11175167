"""Where each design wins: the paired difference of two designs over a map of parameters.

Every point of a factorial, Latin hypercube or Sobol' design over the varied parameters runs
both designs on the same replication seeds (common random numbers). At each point the
difference ``B - A`` of each headline KPI gets its paired interval and a verdict by the rule a
``compare`` of the two at that point would apply (Holm across the KPIs at that point, the rank
test where runs are skewed or bimodal): ``A wins``, ``B wins`` or ``neither``. Verdicts are per
point, each its own question: over many points some are expected wrong at 5% each.

A parameter is varied in both designs (``organization.manager_rate=8:24``, a condition of the
world), or in one (``pyramid:organization.reporting_rate=0.05:1``, that design's lever).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.config import bounds
from simulation.config.scenario import Scenario
from simulation.experiments.inputs import check_counts, with_file_contents
from simulation.experiments.store import read_json
from simulation.experiments.sweep import (
    Parameter,
    SobolDesign,
    apply,
    check_distinct,
    design_points,
    value_kind,
)

#: The KPIs a map judges (those of the compare headline's differences).
MAP_KPIS = ("retention", "mean_delay", "p95_delay", "mean_morale", "turnover_per_month")


@dataclasses.dataclass(frozen=True)
class Lever:
    """A varied parameter and the design it is varied in (``None``: both)."""

    parameter: Parameter
    scenario: str | None = None

    @classmethod
    def parse(cls, text: str, names: Sequence[str]) -> Lever:
        """``path=low:high``, or ``name:path=low:high`` for one design named ``name``."""
        head, eq, _ = text.partition("=")
        if ":" in head and eq:
            name, _, path = head.partition(":")
            if name not in names:
                raise ValueError(f"--vary {text!r}: {name!r} is not one of the designs mapped "
                                 f"({', '.join(names)})")
            return cls(Parameter.parse(path + text[len(head):]), name)
        return cls(Parameter.parse(text))

    @property
    def label(self) -> str:
        """``path`` or ``name:path``."""
        return f"{self.scenario}:{self.parameter.path}" if self.scenario else self.parameter.path

    def applies_to(self, name: str) -> bool:
        """Whether the design named ``name`` takes this parameter."""
        return self.scenario is None or self.scenario == name


def _variant(scenario: Scenario, levers: Sequence[Lever], row: np.ndarray, i: int) -> Scenario:
    s = scenario
    for lever, value in zip(levers, row, strict=True):
        if lever.applies_to(scenario.name):
            s = apply(s, lever.parameter.path, float(value))
    return dataclasses.replace(s, name=f"{scenario.name}@{i}")


@dataclasses.dataclass
class MapResult:
    """The runs of a map and their paired differences, reopenable from the output folder.

    Attributes:
        folder: The output folder (an experiment folder plus ``map.json``).
        a: The first design's name (the baseline of each difference).
        b: The second design's name.
        levers: The varied parameters.
        design: ``factorial``, ``lhs`` or ``sobol``.
        points: One row per point: ``point`` and one column per lever label.
        runs: One row per run, with ``point`` and ``design`` (``a`` or ``b``'s name).
        sobol: Saltelli's design when ``design == "sobol"``.
    """

    folder: Path
    a: str
    b: str
    levers: tuple[Lever, ...]
    design: str
    points: pd.DataFrame
    runs: pd.DataFrame
    sobol: SobolDesign | None = None
    _memo: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def open(cls, folder: str | Path) -> MapResult:
        """Reopen the map in an output folder."""
        from simulation.experiments.results import ExperimentResult

        path = Path(folder) / "map.json"
        if not path.exists():
            raise FileNotFoundError(f"{folder}: no map.json, not a map folder")
        meta = read_json(path, "it says which points the map runs")
        levers = tuple(Lever(Parameter(p["path"], p["low"], p["high"], tuple(p["levels"])),
                             p["scenario"]) for p in meta["levers"])
        values = np.asarray(meta["points"], dtype=float).reshape(-1, len(levers))
        points = pd.DataFrame(values, columns=[lv.label for lv in levers])
        points.insert(0, "point", range(len(points)))
        runs = ExperimentResult.open(folder).runs
        if len(runs):
            name, point = runs.scenario.str.rsplit("@", n=1).str[0], runs.scenario.str.rsplit(
                "@", n=1).str[1].astype(int)
            runs = runs.assign(design=name.to_numpy(), point=point.to_numpy())
        sobol = (SobolDesign(meta["sobol_n"], len(levers), values)
                 if meta["design"] == "sobol" else None)
        return cls(Path(folder), meta["a"], meta["b"], levers, meta["design"], points, runs,
                   sobol)

    def differences(self, kpis: Sequence[str] = MAP_KPIS, level: float = 0.95) -> pd.DataFrame:
        """Per point and KPI: the paired difference ``b - a``, its interval and the verdict.

        Columns: the point's parameters, ``kpi``, ``diff``, ``low``, ``high``, ``relative``,
        ``p_value``, ``p_rank``, ``bimodal``, ``n``, ``p_family`` (Holm across the KPIs at the
        point), ``verdict`` (``better``/``worse`` for ``b``, as ``compare`` words it) and
        ``winner`` (``a``'s name, ``b``'s name or ``neither``; or ``no verdict: ...``).
        """
        key = (tuple(kpis), level, len(self.runs))  # the CLI and the report ask more than once
        if key not in self._memo:
            self._memo[key] = self._differences(kpis, level)
        return self._memo[key].copy()

    def _differences(self, kpis: Sequence[str], level: float) -> pd.DataFrame:
        from simulation.core.kpis import kpi as kpi_of
        from simulation.experiments.stats import differences, verdicts

        ok = self.runs[self.runs.status == "ok"] if len(self.runs) else self.runs
        rows = []
        for point in self.points.point:
            part = ok[ok.point == point]
            if part.empty:
                continue
            runs = part.assign(scenario=part.design)
            table = differences(runs, self.a, [k for k in kpis if k in runs],
                                level=level, bootstrap=False)
            table = table[table.scenario == self.b]
            judged = verdicts(table, {k: kpi_of(k).higher_is_better for k in kpis})
            judged.insert(0, "point", point)
            rows.append(judged)
        if not rows:
            return pd.DataFrame()
        table = pd.concat(rows, ignore_index=True)
        table["winner"] = [self.b if v == "better" else self.a if v == "worse" else
                           v if v.startswith("no verdict") else "neither"
                           for v in table.verdict]
        keep = ["point", "kpi", "diff", "low", "high", "relative", "p_value", "p_rank",
                "bimodal", "median_diff", "rank_direction", "n", "correlation", "test",
                "p_family", "verdict", "winner"]
        return self.points.merge(table[keep], on="point")

    def indices(self, kpi: str = "mean_delay", confidence: float = 0.95,
                resamples: int = 999, seed: int = 0) -> pd.DataFrame:
        """Sobol' indices of the mean difference ``b - a``: which parameter decides it."""
        if self.sobol is None:
            raise ValueError(f"indices need a sobol design; this map is {self.design}")
        diff = self.differences([kpi]).sort_values("point")["diff"].to_numpy()
        table = self.sobol.indices(diff, confidence, resamples, seed)
        table.insert(0, "parameter", [lv.label for lv in self.levers])
        return table

    def sentence(self, kpis: Sequence[str] = ("mean_delay", "retention")) -> str:
        """Where each design wins, in words, per KPI."""
        from simulation.core.kpis import kpi as kpi_of

        table = self.differences(MAP_KPIS)
        parts = []
        for key in kpis:
            rows = table[table.kpi == key]
            if rows.empty:
                continue
            total = len(rows)
            bits = []
            for name in (self.a, self.b):
                won = rows[rows.winner == name]
                if len(won):
                    bits.append(f"{_words(name)} at {len(won)} of {total} points"
                                + _where(won, self.levers, self.points))
            neither = int((rows.winner == "neither").sum())
            unjudged = int(rows.winner.str.startswith("no verdict").sum())
            if not bits and neither:
                bits.append(f"neither design clearly at any of the {neither} points judged")
            elif neither:
                bits.append(f"neither at {neither}")
            if unjudged:
                bits.append(f"no verdict at {unjudged} (fewer than 5 runs)")
            parts.append(f"on {kpi_of(key).label}, " + "; ".join(bits))
        return ("Better " + ". Better ".join(parts) + ".") if parts else ""


def _words(name: str) -> str:
    return name.replace("_", " ")


def _where(won: pd.DataFrame, levers: Sequence[Lever], points: pd.DataFrame) -> str:
    """The ranges of the parameters where a design won, where narrower than the map's."""
    clauses = []
    for lever in levers:
        col = lever.label
        lo, hi = float(won[col].min()), float(won[col].max())
        all_lo, all_hi = float(points[col].min()), float(points[col].max())
        if lo > all_lo and hi < all_hi:
            clauses.append(f"{_short(lever)} {lo:g} to {hi:g}")
        elif lo > all_lo:
            clauses.append(f"{_short(lever)} at least {lo:g}")
        elif hi < all_hi:
            clauses.append(f"{_short(lever)} at most {hi:g}")
    return f" ({', '.join(clauses)})" if clauses else " (all over the map)"


def _short(lever: Lever) -> str:
    """The lever in words: its schema name, and whose it is when it is one design's."""
    from simulation.config.labels import parameter_label

    words = parameter_label(lever.parameter.path).name
    return f"{_words(lever.scenario)}'s {words}" if lever.scenario else words


def lever_title(lever: Lever) -> str:
    """The lever's name with its unit, for an axis: "manager capacity (tasks per day)"."""
    from simulation.config.labels import parameter_label

    unit = parameter_label(lever.parameter.path).unit
    return f"{_short(lever)} ({unit})" if unit else _short(lever)


def lever_words(lever: Lever) -> str:
    """The lever and its range in words: "manager capacity (tasks per day) from 8 to 24"."""
    from simulation.config.labels import parameter_label

    label = parameter_label(lever.parameter.path)
    unit = f" {label.unit}" if label.unit else ""
    return (f"{_short(lever)} from {lever.parameter.low:g} to {lever.parameter.high:g}{unit}")


def map_difference(
    a: Scenario,
    b: Scenario,
    vary: Sequence[Lever | str],
    *,
    design: str = "factorial",
    points: int = 9,
    runs: int | None = None,
    seed: int = 2026,
    design_seed: int | None = None,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | float = False,
    sources: dict[str, str] | None = None,
) -> MapResult:
    """Run (or resume) a map of where design ``b`` beats design ``a``, and return it.

    Args:
        a: The first design (the baseline of each difference).
        b: The second design (a different name).
        vary: Levers, or their texts: ``path=low:high`` (both designs) or
            ``name:path=low:high`` (one design); two or more for a map.
        design: ``factorial`` (the default), ``lhs`` or ``sobol`` (for :meth:`MapResult.indices`).
        points: Design points (factorial: about this many; Sobol': base size ``n``).
        runs: Paired replications per point (``a``'s ``replications`` by default).
        seed: Root seed (the same replication seeds at every point, for both designs).
        design_seed: Seed of the design (``seed`` by default).
        days: Run length (``a``'s ``days`` by default).
        out: Output folder (resumable); a temporary folder when omitted.
        workers: Processes of the default pool.
        executor: Any ``concurrent.futures.Executor`` instead.
        progress: True for a progress bar; seconds between progress lines for a log.
        sources: Each design's file or bundled name, for the record.
    """
    from simulation.experiments.experiment import compare

    check_counts(runs=runs, days=days, points=points)
    points = int(points)
    runs, days = (None if v is None else int(v) for v in (runs, days))
    if a.name == b.name:
        raise ValueError(f"the two designs need different names: both are {a.name!r}")
    a, b = with_file_contents(a), with_file_contents(b)
    levers = [v if isinstance(v, Lever) else Lever.parse(v, [a.name, b.name]) for v in vary]
    if not levers:
        raise ValueError("a map needs at least one --vary path=low:high")
    for lever in levers:  # fail now, not in the workers, on a bad path or value
        for s in (a, b):
            if lever.applies_to(s.name):
                apply(s, lever.parameter.path, lever.parameter.low)
                apply(s, lever.parameter.path, lever.parameter.high)
    params = [lv.parameter for lv in levers]
    check_distinct([f"{lv.scenario or ''}:{lv.parameter.path}" for lv in levers])
    values, sobol = design_points(design, params, points,
                                  seed if design_seed is None else design_seed)
    for j, lever in enumerate(levers):  # as run: each lever rounded by the design it moves
        moved = [s for s in (a, b) if lever.applies_to(s.name)]
        if any(value_kind(s, lever.parameter.path) is not float for s in moved):
            values[:, j] = np.round(values[:, j])
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="service-chain-"))
    meta: dict[str, Any] = {
        "a": a.name, "b": b.name, "design": design,
        "levers": [{"path": lv.parameter.path, "low": lv.parameter.low,
                    "high": lv.parameter.high, "levels": list(lv.parameter.levels),
                    "scenario": lv.scenario} for lv in levers],
        "points": values.tolist(), "sobol_n": sobol.n if sobol is not None else None}
    total = 2 * len(values) * (a.replications if runs is None else runs)
    bounds.check_runs(total, f"2 designs x {len(values):,} points x "
                             f"{a.replications if runs is None else runs:,} runs = "
                             f"{bounds.count(total)} runs")
    variants = [_variant(s, levers, row, i) for i, row in enumerate(values) for s in (a, b)]
    record = {f"{s.name}@{i}": (sources or {}).get(s.name, "")
              for i in range(len(values)) for s in (a, b)}
    compare(variants, a.replications if runs is None else runs, seed=seed,
            days=a.days if days is None else days, out=folder, workers=workers,
            executor=executor, progress=progress, sources=record,
            attachments={"map.json": meta})
    return MapResult.open(folder)


def point_scenarios(result: MapResult, point: int, a: Scenario, b: Scenario
                    ) -> tuple[Scenario, Scenario]:
    """The two designs as run at one point of a map (to re-run it as a ``compare``)."""
    row = result.points.set_index("point").loc[point].to_numpy(dtype=float)
    return (_variant(a, result.levers, row, point), _variant(b, result.levers, row, point))


__all__ = ["MAP_KPIS", "Lever", "MapResult", "map_difference", "point_scenarios"]
