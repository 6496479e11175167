"""B5's serial fraction: what of a compare does not divide among workers, and the bound it sets.

    python benchmarks/bench_serial.py [RUNS] [DAYS]      # default: the issue's 400 runs, 250 days

Runs ``service-chain compare pyramid inverted_pyramid`` on one worker in this process (RUNS
runs in all, DAYS days each) and times its parts: importing the package, the runs themselves
(``run_task``: the part that divides among workers), handing each run's results to the parent
(pickling and unpickling them, measured on the runs' own results), writing batches to the
folder, and everything after the last run (statistics, tables, the summary). The serial fraction
``f`` is what does not divide over the whole; Amdahl's law bounds the speed-up of ``W`` workers
by ``1 / (f + (1 - f) / W)``. Two processes on this 2-core machine also slow each other (about
1.09x, ``bench_parallel.py``), which the fraction leaves out: it is the bound a machine with a
core per worker would reach.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import sys
import tempfile
import time

start = time.perf_counter()
from simulation.cli import commands  # noqa: E402  (the imports are timed)
from simulation.experiments import experiment, store  # noqa: E402

imported = time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 250
    spent = {"runs": 0.0, "write": 0.0, "pickle": 0.0, "unpickle": 0.0}
    ends = {"last_run": 0.0}
    run_task, write_batch = experiment.run_task, store.ResultStore.write_batch

    def timed_task(task):  # the part that divides: one run, in a worker
        t = time.perf_counter()
        result = run_task(task)
        spent["runs"] += time.perf_counter() - t
        t = time.perf_counter()
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        spent["pickle"] += time.perf_counter() - t  # in the worker too: divides
        t = time.perf_counter()
        pickle.loads(blob)
        spent["unpickle"] += time.perf_counter() - t  # in the parent: does not divide
        ends["last_run"] = time.perf_counter()
        return result

    def timed_write(self, rows, tables):
        t = time.perf_counter()
        write_batch(self, rows, tables)
        spent["write"] += time.perf_counter() - t

    experiment.run_task = timed_task
    store.ResultStore.write_batch = timed_write
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the tables: not wanted here
            code = commands.main(["compare", "pyramid", "inverted_pyramid", "--runs",
                                  str(runs // 2), "--days", str(days), "--quiet", "--workers",
                                  "1", "--out", f"{tmp}/cmp"])
        total = time.perf_counter() - t0
    assert code == 0, code
    after = t0 + total - ends["last_run"]
    divides = spent["runs"] + spent["pickle"]
    whole = imported + total
    serial = whole - divides
    f = serial / whole
    print(f"B5 serial fraction: a {runs}-run, {days}-day compare on one worker, "
          f"{whole:.1f} s in all")
    print(f"  divides among workers: the runs {spent['runs']:.1f} s, pickling their results "
          f"{spent['pickle']:.2f} s")
    print(f"  does not: importing {imported:.2f} s, unpickling results {spent['unpickle']:.2f} s, "
          f"writing batches {spent['write']:.2f} s, after the last run {after:.2f} s, "
          f"the rest {serial - imported - spent['unpickle'] - spent['write'] - after:.2f} s")
    print(f"  serial fraction f = {f:.4f}; Amdahl's bound: " + ", ".join(
        f"{w} workers {1 / (f + (1 - f) / w):.1f}x ({100 / (f + (1 - f) / w) / w:.0f}%)"
        for w in (2, 8, 16, 64)))


if __name__ == "__main__":
    main()
