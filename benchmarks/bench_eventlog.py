"""Event logs: reading, discovering and writing the scenario of the full UCI incident log.

    python benchmarks/bench_eventlog.py [LOG]

(LOG defaults to ../shared/data/uci498_incident_event_log.csv.gz.)

Medians of 3 repeats of each stage, side by side, and the fit of the trimmed extract.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from simulation.eventlog.discover import discover
from simulation.eventlog.fit import fit
from simulation.eventlog.read import read_log
from simulation.eventlog.scenario import write_scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "uci498_incident_event_log.csv.gz"


def main(source: Path) -> None:
    stages: dict[str, list[float]] = {"read": [], "discover": [], "write": []}
    for _ in range(3):
        t0 = time.perf_counter()
        log = read_log(source)
        t1 = time.perf_counter()
        found = discover(log)
        t2 = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            write_scenario(found, Path(folder) / "s.toml")
        t3 = time.perf_counter()
        for name, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            stages[name].append(dt)
    total = sum(statistics.median(v) for v in stages.values())
    print(f"{source.name}: {len(log.events)} events, {log.cases} cases")
    for name, values in stages.items():
        print(f"  {name:<9} median {statistics.median(values):6.2f} s  "
              f"({statistics.median(values) / total:.0%} of {total:.2f} s)")
    start = time.perf_counter()
    fit(read_log(ROOT / "tests" / "data" / "incidents_week.csv.gz"), replications=3)
    print(f"fit of the week's extract, 3 replications: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
