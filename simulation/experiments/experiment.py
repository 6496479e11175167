"""Experiments over many seeded runs, streamed to disk, resumable, on any executor.

``run_experiment`` takes scenarios and a number of replications, runs every (scenario,
replication) task on a process pool (or any ``concurrent.futures.Executor``, e.g. a Dask
client's), and streams results to an output folder as Parquet batches written atomically, with a
manifest of what was run. Run the same call again on the same folder and finished tasks are
skipped: a killed experiment resumes with nothing lost or counted twice. A failing task is
recorded with its error and does not stop the others.

Replication ``r`` of every scenario uses ``SeedSequence(seed, spawn_key=(r,))`` (common random
numbers); every row carries the seed entropy and spawn key that re-run it alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simulation.config.scenario import Scenario
from simulation.experiments.pool import default_workers, process_pool, start_workers
from simulation.model.orgmodel import OrgModel

FORMAT_VERSION = 2


@dataclasses.dataclass(frozen=True)
class Task:
    """One run: a scenario, a replication and the experiment's seed and length."""

    scenario: Scenario
    replication: int
    seed: int
    days: int

    @property
    def key(self) -> str:
        """Unique id of the task within its experiment."""
        return f"{self.scenario.name}#{self.replication}"

    def seed_sequence(self) -> np.random.SeedSequence:
        """Child ``replication`` of ``SeedSequence(seed)``, the same in every scenario."""
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication,))


#: Per-run tables stored beside ``runs``: one row per day, per position, per provider-customer pair.
TABLES = ("daily", "positions", "flows")


def run_task(task: Task) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Run one task; never raises: a failure comes back as a row with its error.

    Returns the run's row and its tables (``TABLES``), each keyed by scenario and replication.
    Rows hold no timings, so the tables are byte-identical whatever the executor.
    """
    base = {"task": task.key, "scenario": task.scenario.name, "replication": task.replication,
            "seed_entropy": str(task.seed), "spawn_key": str(task.replication)}
    try:
        model = OrgModel(task.scenario, rng=task.seed_sequence())
        model.run(task.days)
        kpis = model.kpis()
        kpis.pop("seed_entropy")
        kpis.pop("spawn_key")
        tables = {"daily": model.daily().reset_index(), "positions": model.positions(),
                  "flows": model.flows()}
        for table in tables.values():
            table.insert(0, "replication", task.replication)
            table.insert(0, "scenario", task.scenario.name)
        row = {**base, "status": "ok", "error": "", **kpis}
    except Exception as err:  # recorded, not raised: one failure must not stop the rest
        row = {**base, "status": "failed",
               "error": "".join(traceback.format_exception_only(err)).strip()}
        tables = {}
    return row, tables


def structure_of(scenario: Scenario, seed: int) -> dict[str, Any]:
    """The organization of replication 0 as JSON-ready ``nodes`` and ``edges`` records.

    A scenario that cannot be built gives its error instead (its runs record it too).
    """
    try:
        model = OrgModel(scenario, rng=Task(scenario, 0, seed, 1).seed_sequence())
    except Exception as err:
        return {"error": "".join(traceback.format_exception_only(err)).strip()}
    return structure_record(model)


def structure_record(model: OrgModel) -> dict[str, Any]:
    """A model's organization as ``plots.organization`` draws it.

    Keys ``inverted``, ``description``, ``nodes`` and ``edges`` (records).
    """
    nodes, edges = model.structure()
    return {"inverted": bool(model.scenario.design.inverted),
            "description": model.scenario.description,
            "nodes": nodes.to_dict("records"), "edges": edges.to_dict("records")}


def scenario_fingerprint(scenario: Scenario) -> dict[str, Any]:
    """A JSON-able description of a scenario for the manifest (graphs as node-link data)."""

    def encode(value: Any) -> Any:
        if isinstance(value, nx.Graph):
            return nx.node_link_data(value, edges="edges")
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"type": type(value).__name__, **{f.name: encode(getattr(value, f.name))
                                                    for f in dataclasses.fields(value)}}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, float | int | str | bool) or value is None:
            return value
        return str(value)

    return encode(scenario)


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class ResultStore:
    """The output folder: ``manifest.json``, ``structure.json`` and ``<table>/part-*.parquet``.

    ``runs`` holds one row per finished task; ``daily``, ``positions`` and ``flows`` hold the
    per-run tables of the same batches.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.folder / "manifest.json"

    def open(self, manifest: dict[str, Any]) -> set[str]:
        """Create or reopen the folder for this experiment; returns the tasks already done.

        Raises:
            ValueError: if the folder holds a different experiment.
        """
        (self.folder / "runs").mkdir(parents=True, exist_ok=True)
        for kind in TABLES:
            (self.folder / kind).mkdir(exist_ok=True)
        for stale in self.folder.glob("*/.part-*.tmp"):  # a batch cut off mid-write
            stale.unlink()
        if self.manifest_path.exists():
            old = json.loads(self.manifest_path.read_text())
            if old.get("format") != manifest.get("format"):
                raise ValueError(
                    f"{self.folder}: written in result format {old.get('format')}, this version "
                    f"writes format {manifest.get('format')}; use another output folder")
            for key in ("seed", "days", "scenarios"):
                if old.get(key) != manifest.get(key):
                    raise ValueError(
                        f"{self.folder}: holds a different experiment ({key} differs); use "
                        "another output folder to start a new one")
            if manifest.get("replications", 0) > old.get("replications", 0):
                old["replications"] = manifest["replications"]
                self._write_manifest(old)
        else:
            self._write_manifest(manifest)
        runs = self.read_runs()
        return set(runs.task) if len(runs) else set()

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    def _next_part(self) -> int:
        parts = sorted((self.folder / "runs").glob("part-*.parquet"))
        return int(parts[-1].stem.split("-")[1]) + 1 if parts else 1

    @property
    def structure_path(self) -> Path:
        """Where the organizations (nodes and edges per scenario) are kept."""
        return self.folder / "structure.json"

    def write_structure(self, structures: dict[str, Any]) -> None:
        """Record each scenario's organization (once; the manifest guards the scenarios)."""
        if not self.structure_path.exists():
            tmp = self.structure_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(structures, default=str) + "\n")
            os.replace(tmp, self.structure_path)

    def read_structure(self) -> dict[str, Any]:
        """Each scenario's organization, or ``{}`` for a folder written without it."""
        if not self.structure_path.exists():
            return {}
        return json.loads(self.structure_path.read_text())

    def write_batch(self, rows: list[dict[str, Any]],
                    tables: dict[str, list[pd.DataFrame]]) -> None:
        """Write one batch: the per-run tables first, the runs part last (it marks tasks done)."""
        if not rows:
            return
        part = self._next_part()
        name = f"part-{part:06d}.parquet"
        for kind, frames in tables.items():
            if frames:
                _write_atomic(pd.concat(frames, ignore_index=True), self.folder / kind / name)
        _write_atomic(pd.DataFrame(rows), self.folder / "runs" / name)

    def read_runs(self) -> pd.DataFrame:
        """All run rows, one per task, in scenario then replication order."""
        return self._read("runs")

    def read_daily(self) -> pd.DataFrame:
        """All daily rows of the tasks recorded in ``runs`` (orphans of a killed batch dropped)."""
        return self.read_table("daily")

    def read_table(self, kind: str, runs: pd.DataFrame | None = None) -> pd.DataFrame:
        """A per-run table (``daily``, ``positions`` or ``flows``) of the recorded tasks.

        ``runs`` is :meth:`read_runs`'s table when already read.
        """
        keys = {"daily": ["day"], "positions": ["position"], "flows": ["provider", "customer"]}
        if kind not in keys:
            raise ValueError(f"table {kind!r} is not allowed: one of {', '.join(keys)}")
        table = self._read(kind)
        if len(table):
            runs = self.read_runs() if runs is None else runs
            done = pd.MultiIndex.from_arrays([runs.scenario, runs.replication])
            keep = pd.MultiIndex.from_arrays([table.scenario, table.replication]).isin(done)
            table = table[keep].drop_duplicates(["scenario", "replication", *keys[kind]])
        return table.reset_index(drop=True)

    def _read(self, kind: str) -> pd.DataFrame:
        parts = sorted((self.folder / kind).glob("part-*.parquet"))
        if not parts:
            return pd.DataFrame()
        df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        if kind == "runs":
            df = df.drop_duplicates("task", keep="first")
        order = self._scenario_order()
        if order and "scenario" in df:
            df["_order"] = df.scenario.map({n: i for i, n in enumerate(order)})
            within = {"daily": ["day"], "positions": ["position"],
                      "flows": ["provider", "customer"]}.get(kind, [])
            sort = ["_order", "replication", *within]
            df = df.sort_values(sort).drop(columns="_order")
        return df.reset_index(drop=True)

    def _scenario_order(self) -> list[str]:
        if not self.manifest_path.exists():
            return []
        return list(json.loads(self.manifest_path.read_text()).get("scenarios", {}))


def invoking_command() -> str:
    """The command line that started this experiment, or ``""`` when called from Python.

    Only the package's own command is recorded (``service-chain ...`` or ``python -m simulation
    ...``): a notebook kernel's or a script's argv would not re-create the run.
    """
    import shlex

    if not sys.argv or not sys.argv[0]:
        return ""
    program = Path(sys.argv[0])
    if program.name == "service-chain":
        head = "service-chain"
    elif program.name == "__main__.py" and program.parent.name == "simulation":
        head = "python -m simulation"
    else:
        return ""
    return " ".join([head, *(shlex.quote(a) for a in sys.argv[1:])])


def run_experiment(
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    seed: int = 2026,
    days: int | None = None,
    out: str | Path,
    workers: int | None = None,
    executor: Executor | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    sources: dict[str, str] | None = None,
) -> ResultStore:
    """Run (or resume) every scenario ``replications`` times, streaming results to ``out``.

    Args:
        scenarios: Scenarios with distinct names; the first is the baseline of comparisons.
        replications: Replications per scenario.
        seed: Root seed; replication ``r`` of every scenario gets the same child seed.
        days: Run length (the first scenario's ``days`` when omitted).
        out: Output folder; reused to resume.
        workers: Processes of the default pool (default: the cores available); 1 runs here.
            The pool's workers fork warm from a preloaded server
                (:mod:`simulation.experiments.pool`).
        executor: Any ``concurrent.futures.Executor`` instead (e.g. ``dask.distributed``'s
            ``Client.get_executor()``).
        batch_size: Runs per Parquet batch (default: twice the workers, at least 4).
        progress: Show a progress bar with runs done, failures and time left.
        sources: Scenario name to the file it came from, for the manifest.

    Returns:
        The result store of the output folder.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be distinct: {', '.join(names)}")
    if replications < 1:
        raise ValueError(f"replications = {replications} is not allowed: an integer >= 1")
    days = days or scenarios[0].days
    workers = workers or default_workers()
    if executor is None and workers > 1:
        start_workers()  # the workers' imports overlap the set-up below
    store = ResultStore(out)
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": invoking_command(),
        "seed": seed,
        "days": days,
        "replications": replications,
        "scenarios": {s.name: {"source": (sources or {}).get(s.name, ""),
                               "scenario": scenario_fingerprint(s)} for s in scenarios},
    }
    done = store.open(json.loads(json.dumps(manifest, default=str)))
    store.write_structure({s.name: structure_of(s, seed) for s in scenarios})
    tasks = [Task(s, r, seed, days) for s in scenarios for r in range(replications)]
    todo = [t for t in tasks if t.key not in done]
    batch_size = batch_size or max(4, 2 * workers)
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="run",
               disable=not progress, dynamic_ncols=True, desc="runs")
    rows: list[dict[str, Any]] = []
    tables: dict[str, list[pd.DataFrame]] = {kind: [] for kind in TABLES}
    failures = 0

    def collect(result: tuple[dict[str, Any], dict[str, pd.DataFrame]]) -> None:
        nonlocal failures
        row, frames = result
        rows.append(row)
        for kind, frame in frames.items():
            tables[kind].append(frame)
        failures += row["status"] != "ok"
        bar.set_postfix(failed=failures)
        bar.update()
        if len(rows) >= batch_size:
            store.write_batch(rows, tables)
            rows.clear()
            for frames_of_kind in tables.values():
                frames_of_kind.clear()

    try:
        if executor is None and workers <= 1:
            for task in todo:
                collect(run_task(task))
        elif todo:
            own = executor is None
            pool = process_pool(workers) if own else executor
            try:
                futures = [pool.submit(run_task, t) for t in todo]
                for future in as_completed(futures):
                    collect(future.result())
            finally:
                if own:
                    pool.shutdown(cancel_futures=True)
    finally:
        store.write_batch(rows, tables)  # whatever finished is kept, even on interrupt
        bar.close()
    return store


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
        positions: One row per run and position (service, load, morale, blame).
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
        return cls(Path(folder), json.loads(store.manifest_path.read_text()), runs,
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

    def summary(self, kpis: Sequence[str] = KPIS) -> pd.DataFrame:
        """Mean, standard deviation and 95% confidence interval per scenario and KPI."""
        from simulation.experiments.stats import summarize

        return summarize(self.runs, list(kpis))

    def differences(self, baseline: str | None = None,
                    kpis: Sequence[str] = KPIS) -> pd.DataFrame:
        """Every scenario against the baseline (paired under common random numbers)."""
        from simulation.experiments.stats import differences

        return differences(self.runs, baseline or self.scenarios[0], list(kpis))

    def warmup(self, kpis: Sequence[str] = STEADY_KPIS) -> pd.DataFrame:
        """Days of initial transient to delete per KPI, by MSER-5 (White 1997).

        MSER-5 is applied to each scenario's replication-averaged daily series; the longest
        truncation over scenarios is used for all of them, so paired comparisons stay like with
        like. Returns one row per KPI: ``kpi``, ``warmup_days``, ``days`` (run length) and
        ``settled`` (False when the cut hit MSER's limit of half the run: the series is still
        drifting, so run longer before reading it as a steady state).
        """
        from simulation.experiments.stats import mser5

        rows = []
        days = int(self.daily.day.max()) if len(self.daily) else 0
        for kpi in kpis:
            cut = 0
            for _, part in self.daily.groupby("scenario", sort=False):
                cut = max(cut, mser5(part.groupby("day")[kpi].mean().sort_index()))
            limit = (days // 5) // 2 * 5
            rows.append({"kpi": kpi, "warmup_days": cut, "days": days,
                         "settled": cut < limit})
        return pd.DataFrame(rows)

    def steady_runs(self, kpis: Sequence[str] = STEADY_KPIS,
                    warmup: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per run, each KPI's mean of daily values after its MSER-5 warm-up.

        One row per run (``scenario``, ``replication``, ``status``, seeds and the KPIs), shaped like
        ``runs``, so ``summarize`` and ``differences`` apply unchanged. ``warmup`` is
        :meth:`warmup`'s table when already computed.
        """
        cuts = (self.warmup(kpis) if warmup is None else warmup).set_index("kpi").warmup_days
        keep = [c for c in ("scenario", "replication", "status", "seed_entropy", "spawn_key")
                if c in self.runs]
        table = self.runs[keep].copy()
        keys = pd.MultiIndex.from_frame(table[["scenario", "replication"]])
        for kpi in kpis:
            kept = self.daily[self.daily.day > cuts[kpi]]
            means = kept.groupby(["scenario", "replication"])[kpi].mean()
            table[kpi] = means.reindex(keys).to_numpy()
        return table

    def steady_state(self, kpis: Sequence[str] = STEADY_KPIS) -> pd.DataFrame:
        """Steady-state summary: mean, sd and 95% CI after warm-up, with the days removed."""
        from simulation.experiments.stats import summarize

        cuts = self.warmup(kpis)
        table = summarize(self.steady_runs(kpis, cuts), list(kpis))
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
        """Daily mean and confidence band across replications, per scenario, day and KPI."""
        from simulation.experiments.stats import mean_ci

        rows = []
        for (scenario, day), part in self.daily.groupby(["scenario", "day"], sort=False):
            for kpi in kpis:
                mean, low, high = mean_ci(part[kpi].to_numpy(dtype=float), level)
                rows.append({"scenario": scenario, "day": day, "kpi": kpi, "mean": mean,
                             "low": low, "high": high})
        return pd.DataFrame(rows)


def compare(
    scenarios: Sequence[Scenario],
    runs: int | None = None,
    *,
    seed: int = 2026,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    sources: dict[str, str] | None = None,
) -> ExperimentResult:
    """Run (or resume) a comparison and return its tables.

    Args:
        scenarios: Scenarios with distinct names; the first is the baseline.
        runs: Replications per scenario (the first scenario's ``replications`` by default).
        seed: Root seed (common random numbers across scenarios).
        days: Run length (the first scenario's ``days`` by default).
        out: Output folder (resumable); a temporary folder when omitted.
        workers: Processes of the default pool.
        executor: Any ``concurrent.futures.Executor`` instead.
        progress: Show a progress bar.
        sources: Scenario name to file, recorded in the manifest.
    """
    import tempfile

    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="service-chain-"))
    run_experiment(scenarios, runs or scenarios[0].replications, seed=seed, days=days,
                   out=folder, workers=workers, executor=executor, progress=progress,
                   sources=sources)
    return ExperimentResult.open(folder)


def compare_until(
    scenarios: Sequence[Scenario],
    precision: float,
    *,
    kpis: Sequence[str] = ("mean_delay", "retention"),
    start: int = 10,
    max_runs: int = 200,
    seed: int = 2026,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    sources: dict[str, str] | None = None,
) -> tuple[ExperimentResult, dict[str, int | None]]:
    """Add replications until every KPI's CI half-width is within ``precision`` of its mean.

    The replication algorithm of Hoad, Robinson & Davies (2010) with its look-ahead
    (:func:`simulation.experiments.stats.replications_needed`), checked per scenario and KPI;
    runs are added
    to the same resumable folder, so earlier runs are never repeated.

    Returns:
        The result, and per ``scenario:kpi`` the replications the rule asks for (None if
        ``max_runs`` was reached first).
    """
    import tempfile

    from simulation.experiments.stats import look_ahead, replications_needed

    if not 0 < precision < 1:
        raise ValueError(f"precision = {precision} is not allowed: a share between 0 and 1")
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="service-chain-"))
    n = max(3, min(start, max_runs))
    while True:
        result = compare(scenarios, n, seed=seed, days=days, out=folder, workers=workers,
                         executor=executor, progress=progress, sources=sources)
        ok = result.runs[result.runs.status == "ok"]
        needed = {f"{s}:{k}": replications_needed(ok[ok.scenario == s][k], precision)
                  for s in result.scenarios for k in kpis}
        if all(v is not None for v in needed.values()) or n >= max_runs:
            return result, needed
        n = min(max_runs, n + max(look_ahead(n), n // 2))
