"""Command line: ``service-chain`` (or ``python -m simulation``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import pandas as pd

from simulation.analysis import offered_load
from simulation.model import OrgModel
from simulation.presets import PRESETS, preset
from simulation.runner import default_workers, replicate
from simulation.stats import mean_ci, paired_difference, relative_difference

# KPI, label, unit, scale for display, higher is better
HEADLINE_KPIS = (
    ("retention", "customer retention", "%", 100.0, True),
    ("mean_delay", "mean delay to customers", "days", 1.0, False),
    ("p95_delay", "95th percentile delay", "days", 1.0, False),
    ("mean_quality", "delivered quality", "0-1", 1.0, True),
    ("customer_satisfaction", "customer satisfaction", "0-1", 1.0, True),
    ("internal_service", "internal service experience", "0-1", 1.0, True),
    ("mean_morale", "employee morale", "0-1", 1.0, True),
    ("turnover_per_month", "employee quits per month", "%", 100.0, False),
    ("revenue", "revenue", "", 1.0, True),
)


def _fmt(x: float, scale: float) -> str:
    v = x * scale
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def comparison_table(results: pd.DataFrame, baseline: str) -> tuple[str, list[str]]:
    """A text table of KPI means with 95% CIs, and headline sentences against the baseline."""
    names = list(dict.fromkeys(results.scenario))
    lines = []
    header = f"{'KPI':<34}" + "".join(f"{n:>36}" for n in names)
    lines.append(header)
    lines.append("-" * len(header))
    for key, label, unit, scale, _ in HEADLINE_KPIS:
        cells = []
        for n in names:
            m, lo, hi = mean_ci(results.loc[results.scenario == n, key])
            cells.append(f"{_fmt(m, scale)} [{_fmt(lo, scale)}, {_fmt(hi, scale)}]")
        lines.append(f"{label + (f' ({unit})' if unit else ''):<34}" + "".join(
            f"{c:>36}" for c in cells))
    base = results[results.scenario == baseline].sort_values("replication")
    headlines = []
    for n in names:
        if n == baseline:
            continue
        other = results[results.scenario == n].sort_values("replication")
        parts = []
        for key, label, _unit, _scale, better_high in HEADLINE_KPIS[:3] + HEADLINE_KPIS[6:8]:
            d = paired_difference(other[key].to_numpy(), base[key].to_numpy())
            r = relative_difference(other[key].to_numpy(), base[key].to_numpy())
            clear = r["low"] > 0 or r["high"] < 0  # False when the interval is NaN
            verdict = ("better" if (r["relative"] > 0) == better_high else "worse") if clear \
                else "no clear difference"
            parts.append(f"  {label}: {r['relative'] * 100:+.1f}% (95% CI "
                         f"{r['low'] * 100:+.1f}% to {r['high'] * 100:+.1f}%, paired t "
                         f"p = {d['p_value']:.2g}) {verdict}")
        headlines.append(f"{n} against {baseline}, paired over {len(base)} runs:\n"
                         + "\n".join(parts))
    return "\n".join(lines), headlines


def _cmd_demo(args: argparse.Namespace) -> int:
    scenarios = [preset(n) for n in args.scenarios]
    workers = args.workers or default_workers()
    print(f"Comparing {', '.join(args.scenarios)}: {args.replications} replications x "
          f"{args.days} days, seed {args.seed}, {workers} worker(s), common random numbers")
    start = time.perf_counter()
    results = replicate(scenarios, args.replications, seed=args.seed, days=args.days,
                        workers=workers)
    elapsed = time.perf_counter() - start
    table, headlines = comparison_table(results, args.scenarios[0])
    print()
    print(table)
    print()
    print("\n\n".join(headlines))
    print(f"\n{len(results)} runs in {elapsed:.1f} s.")
    if args.output:
        results.to_csv(args.output, index=False)
        print(f"Per-run results written to {args.output}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    model = OrgModel(preset(args.scenario), rng=args.seed)
    model.run(args.days)
    for key, value in model.kpis().items():
        print(f"{key:<24} {value}")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    scenario = preset(args.scenario)
    model = OrgModel(scenario, rng=args.seed)
    print(f"{scenario.name}: {scenario.description}\n")
    print(f"{model.graph.number_of_nodes()} positions, {len(model.customers)} customers, "
          f"{model.graph.number_of_edges()} dependencies\n")
    load = offered_load(model.graph, scenario.customers, scenario.work.max_depth)
    summary = load.groupby(["level", "role"]).agg(
        positions=("position", "size"), arrivals_per_day=("arrivals_per_day", "mean"),
        load=("load", "mean"), max_load=("load", "max"))
    print(summary.round(2).to_string())
    full = load[load.load >= 1.0]
    for _, row in full.iterrows():
        print(f"warning: {row['name']} is offered {row.load:.0%} of capacity: "
              "the queue would grow without bound")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for name, make in PRESETS.items():
        print(f"{name:<18} {make().description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="service-chain",
        description="Simulate an organization as an internal customer service chain.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="compare designs over seeded replications")
    demo.add_argument("scenarios", nargs="*", default=["pyramid", "inverted_pyramid"],
                      metavar="SCENARIO",
                      help="scenarios to compare, the first is the baseline "
                           "(default: pyramid inverted_pyramid)")
    demo.add_argument("--replications", "-r", type=int, default=20)
    demo.add_argument("--days", type=int, default=250)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--workers", "-w", type=int, default=None,
                      help="worker processes (default: all cores)")
    demo.add_argument("--output", "-o", help="write per-run results to this CSV file")
    demo.set_defaults(func=_cmd_demo)
    run = sub.add_parser("run", help="run one scenario once and print its KPIs")
    run.add_argument("scenario", nargs="?", default="pyramid", choices=list(PRESETS))
    run.add_argument("--days", type=int, default=None)
    run.add_argument("--seed", type=int, default=1)
    run.set_defaults(func=_cmd_run)
    describe = sub.add_parser("describe", help="show a scenario and its offered loads")
    describe.add_argument("scenario", nargs="?", default="pyramid", choices=list(PRESETS))
    describe.add_argument("--seed", type=int, default=1)
    describe.set_defaults(func=_cmd_describe)
    lst = sub.add_parser("list", help="list the bundled scenarios")
    lst.set_defaults(func=_cmd_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``service-chain``."""
    args = build_parser().parse_args(argv)
    if getattr(args, "scenarios", None) is not None:
        unknown = [n for n in args.scenarios if n not in PRESETS]
        if unknown:
            print(f"service-chain demo: unknown scenario {unknown[0]!r}; choose from "
                  f"{', '.join(PRESETS)}", file=sys.stderr)
            return 2
        if len(args.scenarios) < 2:
            print("service-chain demo: give at least two scenarios to compare", file=sys.stderr)
            return 2
    for key in ("replications", "days"):
        value = getattr(args, key, None)
        if value is not None and value < 1:
            print(f"service-chain: --{key} = {value} is not allowed: an integer >= 1",
                  file=sys.stderr)
            return 2
    return args.func(args)
