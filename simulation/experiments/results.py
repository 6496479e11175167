"""An experiment's results read back: summaries, paired differences, steady states, bands."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiments.store import (
    ResultStore,
)

KPIS = ("retention", "mean_delay", "p95_delay", "mean_quality", "customer_satisfaction",
        "internal_service", "mean_morale", "turnover_per_month", "revenue", "quits")


#: Daily series whose long-run level is a steady-state KPI (warm-up truncated by MSER-5).
STEADY_KPIS = ("mean_delay", "mean_quality", "service_satisfaction", "internal_service",
               "mean_morale", "backlog", "revenue")


@dataclasses.dataclass
class ExperimentResult:
    """Tidy tables of an experiment, reopenable from its output folder.

    Attributes:
        folder: The output folder.
        manifest: What was run (seed, days, replications, scenarios and their sources).
        runs: One row per run (KPIs, status, seed entropy and spawn key).
        daily: One row per run and day.
        positions: One row per run and position (service, load and morale at the horizon;
            the blame, by kind and step, of every counted request, followed to delivery).
        flows: One row per run and provider-customer pair (customer -1: external customers).
        structure: Per scenario, its organization: ``inverted``, ``description``, ``nodes`` and
            ``edges`` records (see :meth:`OrgModel.structure`).
    """

    folder: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    daily: pd.DataFrame
    positions: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    flows: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    structure: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def open(cls, folder: str | Path) -> ExperimentResult:
        """Reopen the results in an output folder."""
        store = ResultStore(folder)
        if not store.manifest_path.exists():
            raise FileNotFoundError(f"{folder}: no manifest.json, not an experiment folder")
        runs = store.read_runs()
        return cls(Path(folder), store.read_manifest(), runs,
                   store.read_table("daily", runs), store.read_table("positions", runs),
                   store.read_table("flows", runs), store.read_structure())

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in the order given (the first is the baseline)."""
        return list(self.manifest["scenarios"])

    @property
    def failures(self) -> pd.DataFrame:
        """Runs that failed, with their errors."""
        return self.runs[self.runs.status != "ok"]

    def summary(self, kpis: Sequence[str] = KPIS, *, collapsed: bool | None = None
                ) -> pd.DataFrame:
        """Mean, standard deviation and 95% confidence interval per scenario and KPI.

        ``collapsed=False`` keeps only the runs that did not collapse (``True`` only those that
        did); every run by default.
        """
        from simulation.experiments.stats import summarize

        runs = self.runs
        if collapsed is not None and "collapsed" in runs:
            runs = runs[runs.collapsed == float(collapsed)]
        return summarize(runs, list(kpis))

    def collapse_risk(self, level: float = 0.95) -> pd.DataFrame:
        """Per scenario: runs judged, runs that collapsed, their share and its Wilson interval.

        A run collapses when its open customer requests keep growing over its last quarter
        (:mod:`simulation.core.collapse`); runs too short to judge are left out.
        """
        from simulation.experiments.stats import proportion_ci

        ok = self.runs[self.runs.status == "ok"] if "status" in self.runs else self.runs
        rows = []
        for name in self.scenarios:
            x = ok.loc[ok.scenario == name, "collapsed"].dropna() if "collapsed" in ok \
                else pd.Series(dtype=float)
            share, low, high = proportion_ci(int(x.sum()), len(x), level)
            rows.append({"scenario": name, "runs": len(x), "collapsed": int(x.sum()),
                         "share": share, "low": low, "high": high})
        return pd.DataFrame(rows)

    def differences(self, baseline: str | None = None,
                    kpis: Sequence[str] = KPIS) -> pd.DataFrame:
        """Every scenario against the baseline (paired under common random numbers)."""
        from simulation.experiments.stats import differences

        return differences(self.runs, baseline or self.scenarios[0], list(kpis))

    def values(self, kpi: str) -> pd.DataFrame:
        """One KPI of every completed run: a row per replication, a column per scenario.

        Replication *r* of every scenario shares its seed, so a row is a pair (or set) of runs
        under common random numbers; a run that failed is a missing value.
        """
        ok = self.runs[self.runs.status == "ok"] if "status" in self.runs else self.runs
        if kpi not in ok:
            raise KeyError(f"{kpi!r} is not a column of the runs; one of "
                           f"{', '.join(c for c in KPIS if c in ok)}, ...")
        table = ok.pivot(index="replication", columns="scenario", values=kpi)
        every = sorted(set(self.runs.replication)) if "replication" in self.runs else None
        return table.reindex(index=every, columns=self.scenarios).rename_axis(columns=None)

    def means(self, kpis: Sequence[str] = KPIS) -> pd.DataFrame:
        """Each design's mean and 95% interval per KPI, in words and in the KPI's own unit.

        Rows are (design, measure with its unit); columns ``mean``, ``95% interval``, ``sd``
        and ``runs``. :meth:`summary` has the same numbers unscaled, with the keys.
        """
        from simulation.core.kpis import kpi

        rows = []
        for r in self.summary(kpis).itertuples():
            meta = kpi(r.kpi)
            rows.append({"design": r.scenario.replace("_", " "), "measure": meta.title,
                         "mean": meta.shown(r.mean), "95% interval":
                         f"{meta.shown(r.ci_low):.4g} to {meta.shown(r.ci_high):.4g}",
                         "sd": meta.shown(r.sd), "runs": int(r.n)})
        return pd.DataFrame(rows).set_index(["design", "measure"])

    def relative(self, kpis: Sequence[str] = KPIS, baseline: str | None = None
                 ) -> pd.DataFrame:
        """Every scenario's relative change against the baseline, per KPI, with its verdict.

        The tidy table behind the forest plot: ``relative``, ``low``, ``high`` (BCa, paired
        under common random numbers), ``p_value``, ``p_family`` (Holm across every row) and
        ``verdict`` (better, worse, no clear difference, or no verdict from too few runs).
        """
        from simulation.core.kpis import kpi
        from simulation.experiments.stats import relative_differences, verdicts

        ok = self.runs[self.runs.status == "ok"] if "status" in self.runs else self.runs
        table = relative_differences(ok, baseline or self.scenarios[0], list(kpis))
        return verdicts(table, {k: kpi(k).higher_is_better for k in kpis})

    def verdicts(self, kpis: Sequence[str] = KPIS, baseline: str | None = None
                 ) -> pd.DataFrame:
        """The comparison in words, one row per scenario and KPI: what a reader needs.

        Columns: ``measure`` (its name and unit), ``better when`` (lower or higher), ``change``
        and ``95% interval`` (relative to the baseline, in %), and ``verdict``
        (Holm-adjusted across the rows shown, so one lucky KPI of ten does not pass).
        """
        from simulation.core.kpis import kpi

        table = self.relative(kpis, baseline)
        many = table.scenario.nunique() > 1
        rows = []
        for r in table.itertuples():
            meta = kpi(r.kpi)
            row = {"design": r.scenario.replace("_", " ")} if many else {}
            rows.append({**row, "measure": meta.title,
                         "better when": {True: "higher", False: "lower", None: "-"}[
                             meta.higher_is_better],
                         "change": _percent(r.relative),
                         "95% interval": f"{_percent(r.low)} to {_percent(r.high)}",
                         "verdict": r.verdict})
        return pd.DataFrame(rows).set_index(["design", "measure"] if many else "measure")

    def warmup(self, kpis: Sequence[str] = STEADY_KPIS) -> pd.DataFrame:
        """Days of initial transient to delete per KPI, by MSER-5 (White 1997).

        MSER-5 is applied to each scenario's replication-averaged daily series (per-request
        means weighted by their requests); the longest truncation over scenarios is used for all
        of them, so paired comparisons stay like with like. Returns one row per KPI: ``kpi``,
        ``warmup_days``, ``days`` (run length), ``drift_p`` (the smallest over scenarios of the
        p-value of a linear trend after the cut) and ``settled``: False when the cut hit MSER's
        limit of half the run, or the series still trends after it (``drift_p`` below 0.01).
        Then the run is too short to have reached a steady state, or there is none: read the
        run's KPIs instead.
        """
        from simulation.experiments.stats import daily_level, drift_p_value, mser5

        rows = []
        days = int(self.daily.day.max()) if len(self.daily) else 0
        for kpi in kpis:
            cut = 0
            levels = []
            for _, part in self.daily.groupby("scenario", sort=False):
                level = daily_level(part, kpi, ["day"])
                levels.append(level)
                cut = max(cut, mser5(level))
            drift = min((drift_p_value(level[level.index > cut]) for level in levels),
                        default=math.nan)
            limit = (days // 5) // 2 * 5
            rows.append({"kpi": kpi, "warmup_days": cut, "days": days, "drift_p": drift,
                         "settled": bool(cut < limit and not drift < 0.01)})
        return pd.DataFrame(rows)

    def steady_runs(self, kpis: Sequence[str] = STEADY_KPIS,
                    warmup: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per run, each KPI's level after its MSER-5 warm-up.

        A per-request mean (delay, quality, satisfaction with a service) is the mean over the
        requests completed after the warm-up (days weighted by their requests); other series are
        averaged over days. One row per run (``scenario``, ``replication``, ``status``, seeds and
        the KPIs), shaped like ``runs``, so ``summarize`` and ``differences`` apply unchanged.
        ``warmup`` is :meth:`warmup`'s table when already computed.
        """
        from simulation.experiments.stats import daily_level

        cuts = (self.warmup(kpis) if warmup is None else warmup).set_index("kpi").warmup_days
        keep = [c for c in ("scenario", "replication", "status", "seed_entropy", "spawn_key")
                if c in self.runs]
        table = self.runs[keep].copy()
        keys = pd.MultiIndex.from_frame(table[["scenario", "replication"]])
        for kpi in kpis:
            kept = self.daily[self.daily.day > cuts[kpi]]
            means = daily_level(kept, kpi, ["scenario", "replication"])
            table[kpi] = means.reindex(keys).to_numpy()
        return table

    def steady_state(self, kpis: Sequence[str] = STEADY_KPIS) -> pd.DataFrame:
        """Steady-state summary: mean, sd and 95% CI after warm-up, with the days removed.

        Across replications (replication-deletion, Law & Kelton 2000); a scenario with a single
        run gets a batch-means interval of that run instead.
        """
        from simulation.experiments.stats import STEADY_WEIGHTS, batch_means_ci, summarize

        cuts = self.warmup(kpis)
        table = summarize(self.steady_runs(kpis, cuts), list(kpis))
        by_kpi = cuts.set_index("kpi").warmup_days
        for i, row in table[table.n == 1].iterrows():
            ok = self.runs[(self.runs.scenario == row.scenario) & (self.runs.status == "ok")]
            part = self.daily[(self.daily.scenario == row.scenario)
                              & (self.daily.replication.isin(ok.replication))
                              & (self.daily.day > by_kpi[row.kpi])].sort_values("day")
            weight = STEADY_WEIGHTS.get(row.kpi)
            _, low, high = batch_means_ci(
                part[row.kpi], part.get(weight, None))
            table.loc[i, ["ci_low", "ci_high"]] = [low, high]
        return table.merge(cuts, on="kpi", how="left")

    def steady_differences(self, baseline: str | None = None,
                           kpis: Sequence[str] = STEADY_KPIS) -> pd.DataFrame:
        """Scenario differences on the steady-state KPIs (after the common warm-up)."""
        from simulation.experiments.stats import differences

        cuts = self.warmup(kpis)
        table = differences(self.steady_runs(kpis, cuts), baseline or self.scenarios[0],
                            list(kpis))
        return table.merge(cuts, on="kpi", how="left")

    def bands(self, kpis: Sequence[str] = ("active_customers", "mean_delay", "mean_morale"),
              level: float = 0.95) -> pd.DataFrame:
        """Daily mean and confidence band across replications, per scenario, day and KPI.

        Bands stay inside each KPI's range (:func:`~simulation.experiments.stats.bounded_ci`).
        """
        from simulation.core.kpis import kpi as kpi_of
        from simulation.experiments.stats import bounded_ci

        rows = []
        for (scenario, day), part in self.daily.groupby(["scenario", "day"], sort=False):
            for kpi in kpis:
                mean, low, high = bounded_ci(part[kpi].to_numpy(dtype=float),
                                             kpi_of(kpi).bounds, level, resamples=1999)
                rows.append({"scenario": scenario, "day": day, "kpi": kpi, "mean": mean,
                             "low": low, "high": high})
        return pd.DataFrame(rows)


def _percent(value: float) -> str:
    """A relative change in words: signed percent, or why there is none."""
    return "undefined (baseline 0)" if math.isnan(value) else f"{value:+.1%}"
