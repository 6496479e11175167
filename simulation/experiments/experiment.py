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

import contextlib
import dataclasses
import json
import math
import queue
import time
import traceback
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simulation.config import bounds
from simulation.config.orgdata import OrgDataWarning
from simulation.config.scenario import Scenario
from simulation.experiments.inputs import (
    check_counts,
    check_scenarios,
    check_seed,
    with_file_contents,
)
from simulation.experiments.pool import default_workers, process_pool, start_workers
from simulation.experiments.results import KPIS, STEADY_KPIS, ExperimentResult
from simulation.experiments.store import (
    FORMAT_VERSION,
    TABLES,
    ResultStore,
    code_identity,
    invoking_command,
    scenario_fingerprint,
    scenario_identity,
)
from simulation.model.orgmodel import OrgModel

#: Defined here, and re-exported from the store and the results (one import for users).
__all__ = ["FORMAT_VERSION", "KPIS", "STEADY_KPIS", "TABLES", "ExperimentResult", "ResultStore",
           "Task", "compare", "compare_until", "experiment_manifest", "horizon_tables",
           "invoking_command", "run_experiment", "run_out_tables", "run_task",
           "scenario_fingerprint", "structure_of", "structure_record", "write_run"]


#: A batch is written when it holds ``batch_size`` runs (by default this many), and at least
#: every ``FLUSH_SECONDS`` while runs finish: a crash loses the runs in flight and at most the
#: last few seconds' finished ones. A batch's four Parquet files, each synced to disk, cost
#: 11.6 ms a run in batches of 4 and 1.2 ms in batches of 64 (docs/design.md, section 54).
MAX_BATCH = 64
FLUSH_SECONDS = 10.0


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


def run_task(task: Task) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Run one task; never raises: a failure comes back as a row with its error.

    Returns the run's row and its tables (``TABLES``), each keyed by scenario and replication.
    Rows hold no timings, so the tables are byte-identical whatever the executor.
    """
    base = {"task": task.key, "scenario": task.scenario.name, "replication": task.replication,
            "seed_entropy": str(task.seed), "spawn_key": str(task.replication)}
    try:
        with warnings.catch_warnings():  # said once, when the experiment read the files
            warnings.simplefilter("ignore", OrgDataWarning)
            model = OrgModel(task.scenario, rng=task.seed_sequence())
        model.run(task.days)
        kpis = model.kpis()
        kpis.pop("seed_entropy")
        kpis.pop("spawn_key")
        tables = horizon_tables(model)
        kpis.update(model.run_out())  # every request followed to delivery (tables read first)
        tables = run_out_tables(model, tables, task.scenario.name, task.replication)
        row = {**base, "status": "ok", "error": "", **kpis}
    except Exception as err:  # recorded, not raised: one failure must not stop the rest
        row = {**base, "status": "failed",
               "error": "".join(traceback.format_exception_only(err)).strip()}
        tables = {}
    return row, tables


def horizon_tables(model: OrgModel) -> dict[str, pd.DataFrame]:
    """A run's tables (``TABLES``) at its horizon, read before :meth:`OrgModel.run_out`."""
    return {"daily": model.daily().reset_index(), "positions": model.positions(),
            "flows": model.flows()}


def run_out_tables(model: OrgModel, tables: dict[str, pd.DataFrame], scenario: str,
                   replication: int) -> dict[str, pd.DataFrame]:
    """:func:`horizon_tables` once the run-out is done, as a results folder stores them.

    The blame columns of ``positions`` are the run-out's (every counted request's, delivered);
    every table gets its ``scenario`` and ``replication`` columns first.
    """
    blame = model.positions()
    cols = [c for c in blame if c.startswith(("blamed_", "via_")) or c == "vacancy_wait"]
    tables["positions"][cols] = blame[cols]
    for table in tables.values():
        table.insert(0, "replication", replication)
        table.insert(0, "scenario", scenario)
    return tables


def experiment_manifest(scenarios: Sequence[Scenario], replications: int, seed: int, days: int,
                        sources: dict[str, str] | None = None) -> dict[str, Any]:
    """The manifest of a results folder: what was run, by which command and code (JSON-ready).

    ``scenarios`` hold their files' contents (:func:`with_file_contents`).
    """
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": invoking_command(),
        "seed": seed,
        "days": days,
        "replications": replications,
        "scenarios": {s.name: {"source": (sources or {}).get(s.name, ""),
                               "identity": scenario_identity(s),
                               "scenario": scenario_fingerprint(s)} for s in scenarios},
        "code": code_identity(),
    }
    return json.loads(json.dumps(manifest, default=str))


def write_run(folder: str | Path, model: OrgModel, kpis: dict[str, Any],
              tables: dict[str, pd.DataFrame], seed: int, source: str = "") -> ResultStore:
    """A results folder of one run made outside an experiment (``service-chain run``).

    The folder holds what an experiment's would for that run alone (manifest, structure, the
    run's row and its tables), so that :class:`ExperimentResult` and the report read it. The
    run's seed is its own (``OrgModel(rng=seed)``), not an experiment's replication 0.

    Args:
        folder: A new folder (or one holding this same run).
        model: The model, run to its horizon and run out.
        kpis: Its KPIs, the run-out's included.
        tables: :func:`run_out_tables` of the run.
        seed: The seed it ran with.
        source: Where its scenario came from (a name or a file).
    """
    scenario = with_file_contents(model.config)
    store = ResultStore(folder)
    manifest = experiment_manifest([scenario], 1, int(seed), int(kpis["days"]),
                                   {scenario.name: source})
    row = {"task": f"{scenario.name}#0", "scenario": scenario.name, "replication": 0,
           "seed_entropy": str(seed), "spawn_key": "", "status": "ok", "error": "",
           **{k: v for k, v in kpis.items() if k not in ("seed_entropy", "spawn_key")}}
    with store.writing():
        store.open(manifest)
        store.write_structure({scenario.name: structure_record(model)})
        store.write_batch([row], {k: [v] for k, v in tables.items()})
    return store


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
    return {"inverted": bool(model.config.design.inverted),
            "description": model.config.description,
            "nodes": nodes.to_dict("records"), "edges": edges.to_dict("records")}


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
    progress: bool | float = False,
    sources: dict[str, str] | None = None,
    attachments: dict[str, dict[str, Any]] | None = None,
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
        batch_size: Runs per Parquet batch (default ``MAX_BATCH``); a batch is also written
            ``FLUSH_SECONDS`` after the last.
        progress: True for a progress bar with runs done, failures and time left; a number of
            seconds for a line that often instead (a log: :class:`ProgressLines`).
        sources: Scenario name to the file it came from, for the manifest.
        attachments: Files written beside the runs once the folder is known to hold this
            experiment (``sweep.json`` of a sweep); a different one there is refused.

    Returns:
        The result store of the output folder.
    """
    scenarios = check_scenarios(scenarios)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be distinct: {', '.join(names)}")
    check_counts(replications=replications, days=days, workers=workers)
    check_seed(seed)
    replications, seed = int(replications), int(seed)  # numpy integers too: JSON-able, exact
    days = None if days is None else int(days)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ValueError(f"out = {str(out)!r} is not allowed: it exists and is not a folder")
    days = days or scenarios[0].days
    total = replications * len(scenarios)
    bounds.check_runs(total, f"{bounds.count(replications)} replications x {len(scenarios)} "
                             f"scenarios = {bounds.count(total)} runs")
    workers = workers or default_workers()
    scenarios = [with_file_contents(s) for s in scenarios]  # every run reads what this one did
    at_once = 1 if executor is not None else max(1, min(workers, replications * len(scenarios)))
    for s in scenarios:  # before any work: an oversized scenario is refused with its estimate
        bounds.check(s, days, workers=at_once)
    if executor is None and workers > 1:
        start_workers()  # the workers' imports overlap the set-up below
    store = ResultStore(out)
    manifest = experiment_manifest(scenarios, replications, seed, days, sources)
    with store.writing():
        for name, data in (attachments or {}).items():
            store.check_attachment(name, data)
        done = store.open(manifest)
        for name, data in (attachments or {}).items():
            store.attach(name, data)
        try:
            _run(store, done, scenarios, replications, seed, days, workers, executor,
                 batch_size, progress)
        except BaseException:  # interrupted or failed: copies if they can be made, then the cause
            if store.keeps_csv_copies():
                with contextlib.suppress(Exception):  # else left out; the next command makes them
                    store.write_csv_copies()
            raise
        if store.keeps_csv_copies():  # under the lock: no writer can add runs they would miss
            store.write_csv_copies()
    return store


class ProgressLines:
    """Progress for a log (a batch job's stderr, CI): a line every ``every`` seconds.

    "runs 120/400 done, 0 failed, 3.1 runs/s, about 1 min 30 s left": where a terminal shows
    tqdm's bar, a log file gets lines it can keep. The last line comes when the work ends.
    """

    def __init__(self, total: int, initial: int = 0, every: float = 10.0) -> None:
        self.total, self.n, self.start_n, self.every = total, initial, initial, every
        self.failed = 0
        self.started = self.said = time.monotonic()
        self.last_n = -1

    def set_postfix(self, failed: int = 0) -> None:
        """Record the failures so far (tqdm's call)."""
        self.failed = failed

    def update(self, n: int = 1) -> None:
        """Count ``n`` more runs done; a line when ``every`` seconds have passed."""
        self.n += n
        if time.monotonic() - self.said >= self.every:
            self._say()

    def close(self) -> None:
        """The last line (unless it was just said)."""
        if self.n != self.last_n:
            self._say()

    def _say(self) -> None:
        import sys

        now = time.monotonic()
        self.said, self.last_n = now, self.n
        rate = (self.n - self.start_n) / max(now - self.started, 1e-9)
        left = (self.total - self.n) / rate if rate > 0 else float("nan")
        when = ("done" if self.n >= self.total else "time left unknown" if math.isnan(left)
                else f"about {_duration(left)} left")
        print(f"runs {self.n}/{self.total} done, {self.failed} failed, {rate:.2f} runs/s, "
              f"{when}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    """``90`` as "1 min 30 s", ``4000`` as "1 h 7 min"."""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"


def _run(store: ResultStore, done: set[str], scenarios: Sequence[Scenario],
         replications: int, seed: int, days: int, workers: int, executor: Executor | None,
         batch_size: int | None, progress: bool | float) -> None:
    """``run_experiment`` once the folder is held and open: run what is left, write batches."""
    store.write_structure({s.name: structure_of(s, seed) for s in scenarios})
    tasks = [Task(s, r, seed, days) for s in scenarios for r in range(replications)]
    todo = [t for t in tasks if t.key not in done]
    batch_size = batch_size or MAX_BATCH
    flushed = time.monotonic()
    bar = (ProgressLines(len(tasks), len(tasks) - len(todo), float(progress))
           if not isinstance(progress, bool) else
           tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="run",
                disable=not progress, dynamic_ncols=True, desc="runs"))
    rows: list[dict[str, Any]] = []
    tables: dict[str, list[pd.DataFrame]] = {kind: [] for kind in TABLES}
    failures = 0

    def flush() -> None:
        nonlocal flushed
        flushed = time.monotonic()
        store.write_batch(rows, tables)
        rows.clear()
        for frames_of_kind in tables.values():
            frames_of_kind.clear()

    def collect(result: tuple[dict[str, Any], dict[str, pd.DataFrame]]) -> None:
        nonlocal failures
        row, frames = result
        rows.append(row)
        for kind, frame in frames.items():
            tables[kind].append(frame)
        failures += row["status"] != "ok"
        bar.set_postfix(failed=failures)
        bar.update()
        if len(rows) >= batch_size or time.monotonic() - flushed >= FLUSH_SECONDS:
            flush()

    try:
        if executor is None and workers <= 1:
            for task in todo:
                collect(run_task(task))
        elif todo:
            own = executor is None
            pool = process_pool(workers) if own else executor
            try:
                finished: queue.SimpleQueue = queue.SimpleQueue()
                for t in todo:
                    pool.submit(run_task, t).add_done_callback(finished.put)
                for _ in todo:  # wake at least every FLUSH_SECONDS to write what finished
                    while True:
                        try:
                            future = finished.get(timeout=FLUSH_SECONDS)
                            break
                        except queue.Empty:
                            if rows:
                                flush()
                    collect(future.result())
            finally:
                if own:
                    pool.shutdown(cancel_futures=True)
    finally:
        store.write_batch(rows, tables)  # whatever finished is kept, even on interrupt
        bar.close()


def compare(
    scenarios: Sequence[Scenario],
    runs: int | None = None,
    *,
    seed: int = 2026,
    days: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | float = False,
    sources: dict[str, str] | None = None,
    attachments: dict[str, dict[str, Any]] | None = None,
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
        progress: True for a progress bar; seconds between progress lines for a log.
        sources: Scenario name to file, recorded in the manifest.
        attachments: Files written beside the runs (see :func:`run_experiment`).
    """
    import tempfile

    check_counts(runs=runs)
    runs = None if runs is None else int(runs)
    scenarios = check_scenarios(scenarios)
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="service-chain-"))
    run_experiment(scenarios, runs or scenarios[0].replications, seed=seed, days=days,
                   out=folder, workers=workers, executor=executor, progress=progress,
                   sources=sources, attachments=attachments)
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
    progress: bool | float = False,
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
