"""Is this machine's parallelism limited for memory-bound Python? Two workloads, 1 vs 2 processes.

    python benchmarks/bench_parallel.py

``arithmetic``: a loop of integer arithmetic (no memory traffic). ``look-ups``: random look-ups
into 200,000 Python objects (pointer chasing, like an agent model). Prints each workload's time
alone and in each of two processes running at once; a ratio near 1 means the second core is free,
above 1 means the processes slow each other down. Then the same for one 100-day run of the
bundled pyramid.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ProcessPoolExecutor


def arithmetic(n: int) -> float:
    start = time.perf_counter()
    s = 0
    for i in range(n):
        s += i * i
    return time.perf_counter() - start


def lookups(n: int) -> float:
    objects = [object() for _ in range(200_000)]
    r = random.Random(1)
    start = time.perf_counter()
    s = 0
    for _ in range(n):
        s += id(objects[r.randrange(200_000)]) & 1
    return time.perf_counter() - start


def model_run(seed: int) -> float:
    from simulation import OrgModel, load_scenario

    model = OrgModel(load_scenario("pyramid"), rng=seed)
    start = time.perf_counter()
    model.run(100)
    return time.perf_counter() - start


def main() -> None:
    for name, fn, arg in (("arithmetic", arithmetic, 3_000_000), ("look-ups", lookups, 3_000_000),
                          ("pyramid run", model_run, 1)):
        alone = min(fn(arg) for _ in range(2))
        with ProcessPoolExecutor(2) as pool:
            pool.submit(fn, arg).result()  # warm both workers' imports
            pair = list(pool.map(fn, [arg, arg]))
        print(f"{name:<12} alone {alone:6.2f} s   two at once {max(pair):6.2f} s   "
              f"slow-down {max(pair) / alone:.2f}x")


if __name__ == "__main__":
    main()
