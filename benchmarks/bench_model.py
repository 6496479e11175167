"""Throughput of the full model (every dynamic on) and of the pure queueing reduction.

    python benchmarks/bench_model.py

Prints medians of 5 runs: seconds per run, external requests per second and pieces of work
(service records) per second.
"""

from __future__ import annotations

import statistics
import time

from simulation import OrgModel
from simulation.config.files import load_scenario

DAYS = 250


def measure(scenario, reps: int = 5) -> tuple[float, float, float]:
    secs, ext, services = [], [], []
    for seed in range(reps):
        model = OrgModel(scenario, rng=seed)
        t0 = time.perf_counter()
        model.run_for(DAYS)
        secs.append(time.perf_counter() - t0)
        ext.append(model.metrics.external_completed)
        services.append(model.metrics.services)
    s = statistics.median(secs)
    return s, statistics.median(ext) / s, statistics.median(services) / s


def main() -> None:
    print(f"{DAYS} working days, median of 5 runs")
    pyramid = load_scenario("pyramid")
    for name, scenario in [("pyramid", pyramid), ("inverted_pyramid",
                                                  load_scenario("inverted_pyramid")),
                           ("pyramid, people off", pyramid.with_people(enabled=False))]:
        s, ext, services = measure(scenario)
        print(f"  {name:<22} {s:6.2f} s/run  {ext:9,.0f} external requests/s  "
              f"{services:9,.0f} services/s")


if __name__ == "__main__":
    main()
