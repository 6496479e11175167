"""Regenerate the "Regions found" table of docs/odd.md ("Which design wins").

Each row changes the bundled defaults as its label says and runs the pyramid against the inverted
pyramid over paired replications (common random numbers); it prints a Markdown table of paired
95% t intervals of pyramid minus inverted pyramid, mean delay in days and retention.

    .venv/bin/python tools/design_regions.py [--runs 16] [--days 250] [--seed 2026]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from scipy import stats

from simulation import InvertedPyramid, Pyramid, Scenario
from simulation.experiments.experiment import compare

BEFORE_I = {"approval_work": 1.0, "approval_gate": False, "rebalancing": False}
BEFORE_P = {**BEFORE_I, "reporting_rate": 1.0}
BEFORE_CARE: dict[str, float] = {}  # coaching is as before (0.5 a day x 1 task)


def both(**kw: Any) -> tuple[Pyramid, InvertedPyramid]:
    """The same change to both designs."""
    return Pyramid(**kw), InvertedPyramid(**kw)


#: label -> (pyramid, inverted pyramid, failure demand)
REGIONS: dict[str, tuple[Pyramid, InvertedPyramid, float]] = {
    "bundled defaults": (Pyramid(), InvertedPyramid(), 0.5),
    "defaults of before": (Pyramid(**BEFORE_P), InvertedPyramid(**BEFORE_I, **BEFORE_CARE), 0.0),
    "no complaints": (*both(), 0.0),
    "every defect complained of": (*both(), 1.0),
    "approvals as inputs, not gates": (*both(approval_gate=False), 0.5),
    "checks find little (thoroughness 0.2)": (*both(thoroughness=0.2), 0.5),
    "managers ignore reports": (*both(rebalancing=False), 0.5),
    "daily stand-ups in the pyramid": (Pyramid(reporting_rate=1.0, report_work=0.375),
                                       InvertedPyramid(), 0.5),
    "approvals of a whole task": (*both(approval_work=1.0), 0.5),
    "support of half a task": (Pyramid(), InvertedPyramid(support_work=0.5), 0.5),
    "an hour's coaching a week (0.2 a day x 2.5 tasks)": (
        Pyramid(), InvertedPyramid(coaching_rate=0.2, coaching_work=2.5), 0.5),
    "a more empowered pyramid (approvals 15%)": (Pyramid(approval_prob=0.15),
                                                 InvertedPyramid(), 0.5),
    "managers at 12 tasks a day": (*both(manager_rate=12.0), 0.5),
}


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Paired 95% t interval of mean(a - b)."""
    d = a - b
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() - half, d.mean() + half


def region(pyr: Pyramid, inv: InvertedPyramid, failure_demand: float, runs: int, days: int,
           seed: int) -> dict[str, tuple[float, float]]:
    """Paired intervals of pyramid minus inverted pyramid."""
    scenarios = [Scenario(name=name, design=design).with_customers(failure_demand=failure_demand)
                 for name, design in (("pyramid", pyr), ("inverted", inv))]
    runs_table = compare(scenarios, runs=runs, days=days, seed=seed).runs
    by = {name: runs_table[runs_table.scenario == name].sort_values("replication")
          for name in ("pyramid", "inverted")}
    return {k: paired(by["pyramid"][k].to_numpy(), by["inverted"][k].to_numpy())
            for k in ("mean_delay", "retention")}


def verdict(delay: tuple[float, float], kept: tuple[float, float]) -> str:
    """Which design each interval favours (delay: lower is better)."""
    faster = "pyramid" if delay[1] < 0 else "inverted" if delay[0] > 0 else ""
    keeps = "pyramid" if kept[0] > 0 else "inverted" if kept[1] < 0 else ""
    if faster == keeps:
        return faster or "neither"
    return "; ".join(f"{w} on {k}" for w, k in ((faster, "delay"), (keeps, "retention")) if w)


def main() -> None:
    """Print the table (arguments: ``--runs``, ``--days``, ``--seed``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print("| region | delay | retention | better |\n|---|---|---|---|")
    for label, (pyr, inv, complaints) in REGIONS.items():
        r = region(pyr, inv, complaints, args.runs, args.days, args.seed)
        d, k = r["mean_delay"], r["retention"]
        print(f"| {label} | [{d[0]:+.2f}, {d[1]:+.2f}] | [{k[0]:+.3f}, {k[1]:+.3f}] | "
              f"{verdict(d, k)} |", flush=True)


if __name__ == "__main__":
    main()
