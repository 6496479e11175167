"""Why the work flow runs in its own heap: Mesa 3.5's event list against ``simulation.chain.clock``.

Schedules and executes N events (exponential inter-event times, callbacks on agent methods) with
``mesa.Model.schedule_event`` and with ``simulation.chain.clock.Clock``, and shows that Mesa
drops an
event whose callback is only weakly held. Prints medians of 5 repetitions and the ratio.

    python benchmarks/bench_event_loop.py
"""

from __future__ import annotations

import statistics
import time

import mesa
import numpy as np

from simulation.chain.clock import Clock

N = 100_000


class Worker(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.done = 0

    def finish(self, arg=None):
        self.done += 1


def mesa_events(n: int) -> float:
    model = mesa.Model(rng=1)
    workers = [Worker(model) for _ in range(10)]
    gaps = np.random.default_rng(1).exponential(1.0, n).tolist()
    t0 = time.perf_counter()
    t = 0.0
    for i, gap in enumerate(gaps):
        t += gap
        model.schedule_event(workers[i % 10].finish, at=t)
    model.run_until(t + 1)
    elapsed = time.perf_counter() - t0
    assert sum(w.done for w in workers) == n
    return elapsed / n * 1e6


def clock_events(n: int) -> float:
    model = mesa.Model(rng=1)
    workers = [Worker(model) for _ in range(10)]
    gaps = np.random.default_rng(1).exponential(1.0, n).tolist()
    clock = Clock(lambda arg: None)
    t0 = time.perf_counter()
    t = 0.0
    for i, gap in enumerate(gaps):
        t += gap
        clock.schedule(t, workers[i % 10].finish, None)
    clock.run_until(t + 1)
    elapsed = time.perf_counter() - t0
    assert sum(w.done for w in workers) == n
    return elapsed / n * 1e6


def weakly_held_event_is_dropped() -> bool:
    model = mesa.Model(rng=1)
    fired = []

    class Job:
        def run(self):
            fired.append(1)

    job = Job()
    model.schedule_event(job.run, at=1.0)
    del job  # the event list holds the callback only weakly: the job is collected
    model.run_until(2.0)
    return not fired


def main() -> None:
    mesa_us = [mesa_events(N) for _ in range(5)]
    heap_us = [clock_events(N) for _ in range(5)]
    m, h = statistics.median(mesa_us), statistics.median(heap_us)
    print(f"{N:,} events, median of 5 (microseconds per event: schedule + execute)")
    print(f"  mesa Model.schedule_event : {m:6.2f}  (range {min(mesa_us):.2f}-{max(mesa_us):.2f})")
    print(f"  simulation.chain.clock.Clock : {h:6.2f}  "
          f"(range {min(heap_us):.2f}-{max(heap_us):.2f})")
    print(f"  ratio                     : {m / h:6.1f}x")
    print(f"  mesa drops a weakly held callback silently: {weakly_held_event_is_dropped()}")


if __name__ == "__main__":
    main()
