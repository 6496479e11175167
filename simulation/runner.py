"""Seeded replications of scenarios, serially or on a process pool.

Replication ``r`` of every scenario uses child ``r`` of ``SeedSequence(seed)`` (common random
numbers), so results are identical whatever the number of workers, and every row carries the
seed entropy and spawn key that re-run it alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simulation.config import Scenario
from simulation.model import OrgModel


def run_one(scenario: Scenario, seed: np.random.SeedSequence, days: int | None = None
            ) -> dict[str, Any]:
    """Run one replication and return its KPI row (scenario name included)."""
    model = OrgModel(scenario, rng=seed)
    model.run(days)
    return {"scenario": scenario.name, **model.kpis()}


def _task(args: tuple[Scenario, np.random.SeedSequence, int | None, int]) -> dict[str, Any]:
    scenario, seed, days, replication = args
    return {"replication": replication, **run_one(scenario, seed, days)}


def default_workers() -> int:
    """Worker processes to use by default: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def replicate(
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    seed: int = 2026,
    days: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run every scenario ``replications`` times with common random numbers.

    Args:
        scenarios: Scenarios to run (their names label the rows).
        replications: Replications per scenario.
        seed: Root seed; replication ``r`` uses ``SeedSequence(seed).spawn(...)[r]``.
        days: Run length (each scenario's own ``days`` when omitted).
        workers: Processes for the default pool; 1 runs in this process.
        executor: Any ``concurrent.futures.Executor`` to use instead of the default pool.
        progress: Show a progress bar (runs done, failures, time left) on standard error.

    Returns:
        One row per run, ordered by scenario then replication.
    """
    if replications < 1:
        raise ValueError(f"replications = {replications} is not allowed: an integer >= 1")
    children = np.random.SeedSequence(seed).spawn(replications)
    tasks = [(s, children[r], days, r) for s in scenarios for r in range(replications)]
    workers = default_workers() if workers is None else workers
    bar = tqdm(total=len(tasks), unit="run", disable=not progress, dynamic_ncols=True,
               desc="runs")
    rows: list[dict[str, Any] | None] = [None] * len(tasks)
    try:
        if executor is None and (workers <= 1 or len(tasks) == 1):
            for i, task in enumerate(tasks):
                rows[i] = _task(task)
                bar.update()
        else:
            own = executor is None
            if own:
                method = "forkserver" if sys.platform.startswith("linux") else "spawn"
                executor = ProcessPoolExecutor(workers, mp_context=mp.get_context(method))
            try:
                futures = {executor.submit(_task, task): i for i, task in enumerate(tasks)}
                for future in as_completed(futures):
                    rows[futures[future]] = future.result()
                    bar.update()
            finally:
                if own:
                    executor.shutdown(cancel_futures=True)
    finally:
        bar.close()
    return pd.DataFrame(rows)
