"""The what-if of docs/eventlogs.md: the hub team at 80% speed, under three stated utilisations.

    python tools/eventlog_whatif.py ../shared/data/uci498_incident_event_log.csv.gz [RUNS]

For each utilisation u (the share of its time a server is busy at the observed load, which the
log cannot tell), discovers the log's service chain, slows the busiest position (Group 70, the
service desk the tickets pass through) to 80% of its rate, and compares the two over paired
seeded runs. Prints the mean delay of each and the relative difference with its interval, then
why customers waited in each (days per request delivered, by kind of time: mean of runs) and how
much of it was spent at the hub.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from simulation.config.files import load_scenario
from simulation.eventlog.discover import discover
from simulation.eventlog.read import read_log
from simulation.eventlog.scenario import scenario_files
from simulation.experiments.experiment import compare
from simulation.report.cause_figures import KINDS, cause_means, role_causes

HUB = "Group 70"


def slowed(chart: str, position: str, factor: float) -> str:
    """An org chart's text with ``position``'s rate times ``factor``."""
    rows = list(csv.reader(io.StringIO(chart)))
    column = rows[0].index("rate")
    for row in rows[1:]:
        if row[0] == position:
            row[column] = f"{float(row[column]) * factor:.6g}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def main(source: str, runs: int) -> None:
    """Print the what-if table for each utilisation."""
    found = discover(read_log(source))
    print(f"{found.summary['cases']} cases, {found.summary['positions']} positions")
    print("| utilisation u | mean delay, as discovered (working days) | hub at 80% speed | "
          "difference [95% CI] |")
    print("|---:|---:|---:|---|")
    causes = []
    for u in (0.5, 0.75, 0.9):
        with tempfile.TemporaryDirectory() as folder:
            files = scenario_files(found, "log", utilisation=u)
            chart = "log_org_chart.csv"
            files_slow = {**files, chart: slowed(files[chart], HUB, 0.8)}
            scenarios = []
            for name, fileset in (("as_discovered", files), ("slow_hub", files_slow)):
                sub = Path(folder) / name
                sub.mkdir()
                for file, text in fileset.items():
                    (sub / file).write_text(text, encoding="utf-8")
                s = load_scenario(sub / "log.toml")
                scenarios.append(replace(s, name=name, design=s.design.with_contents()))
            result = compare(scenarios, runs=runs, workers=2)
            summary = result.summary(["mean_delay"]).set_index("scenario")
            diff = result.differences(kpis=["mean_delay"]).iloc[0]
            base = summary.loc["as_discovered", "mean"]
            print(f"| {u} | {base:.3g} | {summary.loc['slow_hub', 'mean']:.3g} | "
                  f"{diff['diff']:+.3g} days ({diff['diff'] / base:+.0%}) "
                  f"[{diff['low']:+.3g}, {diff['high']:+.3g}] |")
            causes.append((u, result))
    kinds = list(KINDS)
    print("\n| utilisation u | chain | " + " | ".join(KINDS[k][0] for k in kinds)
          + " | total | of it at the hub |")
    print("|---:|---|" + "---:|" * (len(kinds) + 2))
    for u, result in causes:
        runs = result.runs[result.runs.status == "ok"]
        means = cause_means(runs)
        for name in means.index:
            hub = role_causes(runs, result.positions, result.structure[name], name, by="name")
            row = means.loc[name, [f"cause_{k}" for k in kinds]]
            print(f"| {u} | {name.replace('_', ' ')} | "
                  + " | ".join(f"{v:.3g}" for v in row) + f" | {row.sum():.3g} | "
                  f"{hub.loc[HUB].sum():.3g} |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
