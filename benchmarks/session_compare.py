"""B5 in a session: one process compares repeatedly, imports paid once, pools forking warm.

    python benchmarks/session_compare.py RUNS DAYS REPEATS

The way a notebook or a script of several comparisons uses the package: after one warm-up
compare each, times ``compare`` of the pyramid and the inverted pyramid (RUNS runs in all) on one
worker (in this process) and on two (a new pool each call, forked from the preloaded server),
alternating, and prints the seconds of each as two lines.
"""

from __future__ import annotations

import sys
import tempfile
import time


def timed(scenarios: list, runs: int, days: int, workers: int) -> float:
    from simulation import compare

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        compare(scenarios, runs // 2, days=days, out=out, workers=workers)
        return time.perf_counter() - start


def main() -> None:
    from simulation import load_scenario

    runs, days, repeats = (int(a) for a in sys.argv[1:4])
    scenarios = [load_scenario("pyramid"), load_scenario("inverted_pyramid")]
    times: dict[int, list[float]] = {1: [], 2: []}
    for workers in (1, 2):
        timed(scenarios, 4, 2, workers)  # imports, the engine and the fork server, once
    for _ in range(repeats):
        for workers in (1, 2):
            times[workers].append(timed(scenarios, runs, days, workers))
    for workers in (1, 2):
        print(" ".join(f"{t:.4f}" for t in times[workers]))


if __name__ == "__main__":
    main()
