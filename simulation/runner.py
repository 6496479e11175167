"""Seeded replications of scenarios, serially or on a process pool.

Replication ``r`` of every scenario uses child ``r`` of ``SeedSequence(seed)`` (common random
numbers), so results are identical whatever the number of workers, and every row carries the
seed entropy and spawn key that re-run it alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

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
) -> pd.DataFrame:
    """Run every scenario ``replications`` times with common random numbers.

    Args:
        scenarios: Scenarios to run (their names label the rows).
        replications: Replications per scenario.
        seed: Root seed; replication ``r`` uses ``SeedSequence(seed).spawn(...)[r]``.
        days: Run length (each scenario's own ``days`` when omitted).
        workers: Processes for the default pool; 1 runs in this process.
        executor: Any ``concurrent.futures.Executor`` to use instead of the default pool.

    Returns:
        One row per run, ordered by scenario then replication.
    """
    if replications < 1:
        raise ValueError(f"replications = {replications} is not allowed: an integer >= 1")
    children = np.random.SeedSequence(seed).spawn(replications)
    tasks = [(s, children[r], days, r) for s in scenarios for r in range(replications)]
    workers = default_workers() if workers is None else workers
    if executor is not None:
        rows: Iterable[dict[str, Any]] = executor.map(_task, tasks)
    elif workers <= 1 or len(tasks) == 1:
        rows = map(_task, tasks)
    else:
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
            rows = list(pool.map(_task, tasks, chunksize=1))
    return pd.DataFrame(list(rows))
