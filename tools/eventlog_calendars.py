"""The calendars paragraph of docs/eventlogs.md: the chain with and without team calendars.

The discovered chain with and without each team's own working calendar, over paired seeded
runs.

    python tools/eventlog_calendars.py ../shared/data/uci498_incident_event_log.csv.gz [RUNS]

Prints the positions given calendars of their own (the busiest first), then the mean and 95th
percentile delay of both chains, their paired differences, and why the cases waited in each.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from simulation.config.files import load_scenario
from simulation.eventlog.discover import discover
from simulation.eventlog.read import read_log
from simulation.eventlog.scenario import scenario_files, shifts
from simulation.experiments.experiment import compare
from simulation.report.cause_figures import cause_means


def main(source: str, runs: int) -> None:
    """Print the comparison of the chain without and with the teams' calendars."""
    found = discover(read_log(source))
    own = shifts(found)
    t = found.positions.set_index("position")
    print(len(own), "positions with calendars of their own, of", len(t))
    for p, v in sorted(own.items(), key=lambda kv: -t.loc[kv[0], "visits"])[:12]:
        print(f"  {p}: {t.loc[p, 'calendar']} visits {t.loc[p, 'visits']:.0f} -> {v}")
    with tempfile.TemporaryDirectory() as folder:
        scenarios = []
        for name, cal in (("without_calendars", False), ("with_calendars", True)):
            sub = Path(folder) / name
            sub.mkdir()
            for file, text in scenario_files(found, "log", calendars=cal).items():
                (sub / file).write_text(text)
            s = load_scenario(sub / "log.toml")
            scenarios.append(replace(s, name=name, design=s.design.with_contents()))
        result = compare(scenarios, runs=runs, workers=2)
    print(result.summary(["mean_delay", "p95_delay"]).to_string())
    differences = result.differences(kpis=["mean_delay", "p95_delay"])
    print(differences[["kpi", "diff", "low", "high"]].to_string())
    ok = result.runs[result.runs.status == "ok"]
    print(cause_means(ok).round(3).T.to_string())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
