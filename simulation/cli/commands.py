"""Command line: ``service-chain`` (or ``python -m simulation``).

Exit codes: 0 on success, 2 on bad usage or bad input (with a message naming the file, key or
row), never a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulation.checks.offered_load import offered_load
from simulation.config.files import (
    ScenarioError,
    bundled,
    json_schema,
    load_scenario,
    render_docs,
)
from simulation.config.orgdata import OrgChartError
from simulation.config.scenario import Scenario
from simulation.core.kpis import KPIS
from simulation.experiments.experiment import (
    ExperimentResult,
    compare,
    compare_until,
    default_workers,
)
from simulation.experiments.stats import mean_ci, paired_difference, relative_difference
from simulation.model.orgmodel import OrgModel

HEADLINE_KPIS = tuple((k.key, k.label, k.unit, k.scale, k.higher_is_better) for k in (
    KPIS[key] for key in ("retention", "mean_delay", "p95_delay", "mean_quality",
                          "customer_satisfaction", "internal_service", "mean_morale",
                          "turnover_per_month", "revenue")))
DEMO_REPORT = "service-chain-demo.html"
STEADY_HEADLINE = ("mean_delay", "mean_quality", "internal_service", "mean_morale", "backlog")
HEADLINE_DIFFERENCES = ("retention", "mean_delay", "p95_delay", "mean_morale",
                        "turnover_per_month")


class UsageError(Exception):
    """Bad usage: reported on standard error with exit code 2."""


def _fmt(x: float, scale: float = 1.0) -> str:
    v = x * scale
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def _first_sentence(text: str) -> str:
    """The first sentence, or the first two when the first is only a few words."""
    sentences = " ".join(text.split()).split(". ")
    out = sentences[0]
    if len(out) < 40 and len(sentences) > 1:
        out += ". " + sentences[1]
    return out.rstrip(".") + "." if out else ""


def load_warnings(model: OrgModel) -> list[str]:
    """Positions offered at least 100% of their capacity (traffic equations), by name."""
    s = model.scenario
    load = offered_load(model.graph, s.customers, s.work.max_depth)
    return [f"warning: {row['name']} ({row.role}) is offered {row.load:.0%} of capacity: the "
            "queue would grow without bound" for _, row in load[load.load >= 1.0].iterrows()]


def comparison_table(results: pd.DataFrame, baseline: str) -> tuple[str, list[str]]:
    """A text table of KPI means with 95% CIs, and headline sentences against the baseline."""
    names = list(dict.fromkeys(results.scenario))
    header = f"{'KPI':<34}" + "".join(f"{n:>36}" for n in names)
    lines = [header, "-" * len(header)]
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
        for key, label, _unit, _scale, better_high in HEADLINE_KPIS:
            if key not in HEADLINE_DIFFERENCES:
                continue
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


def steady_state_table(result: ExperimentResult) -> str:
    """Steady-state means after MSER-5 warm-up, with the days removed per KPI."""
    table = result.steady_state(STEADY_HEADLINE)
    names = result.scenarios
    header = f"{'Steady state (mean of daily values)':<38}{'warm-up':>9}" + "".join(
        f"{n:>30}" for n in names)
    lines = [header, "-" * len(header)]
    for kpi in STEADY_HEADLINE:
        rows = table[table.kpi == kpi].set_index("scenario")
        first = rows.iloc[0]
        cut = f"{int(first.warmup_days)} d" + ("" if first.settled else "*")
        cells = [f"{_fmt(rows.loc[n, 'mean'], 1)} [{_fmt(rows.loc[n, 'ci_low'], 1)}, "
                 f"{_fmt(rows.loc[n, 'ci_high'], 1)}]" if n in rows.index else "-" for n in names]
        lines.append(f"{kpi:<38}{cut:>9}" + "".join(f"{c:>30}" for c in cells))
    if not table.settled.all():
        lines.append("* still drifting at the end of the run (MSER-5 cut at its limit): run longer "
                     "before reading it as a steady state")
    return "\n".join(lines)


def _load(spec: str) -> Scenario:
    return load_scenario(spec)


def _out_dir(path: str | None) -> Path | None:
    if path is None:
        return None
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {path}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _compare(specs: list[str], args: argparse.Namespace) -> int:
    scenarios = [_load(s) for s in specs]
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        raise UsageError(f"scenario names must differ to be compared: {', '.join(names)}")
    for s in scenarios:
        for w in load_warnings(OrgModel(s, rng=args.seed)):
            print(f"{s.name}: {w}", file=sys.stderr)
    runs = args.runs or scenarios[0].replications
    days = args.days or scenarios[0].days
    workers = args.workers or default_workers()
    out = _out_dir(args.out)
    if args.precision is not None and not 0 < args.precision < 1:
        raise UsageError(f"--precision = {args.precision} is not allowed: between 0 and 1")
    print(f"Comparing {', '.join(names)}: {runs} replications x {days} days, seed {args.seed}, "
          f"{workers} worker(s), common random numbers")
    start = time.perf_counter()
    options = {"seed": args.seed, "days": days, "out": out, "workers": workers,
               "progress": not args.quiet and sys.stderr.isatty(),
               "sources": {s.name: spec for s, spec in zip(scenarios, specs, strict=True)}}
    if args.precision is None:
        result = compare(scenarios, runs, **options)
    else:
        result, needed = compare_until(scenarios, args.precision, start=runs,
                                       max_runs=args.max_runs, **options)
        short = [k for k, v in needed.items() if v is None]
        print(f"Stopping rule (relative precision {args.precision:g}, Hoad et al. 2010): "
              + ("met with " + str(max(needed.values())) + " replications" if not short else
                 f"not met for {', '.join(short)} within --max-runs {args.max_runs}"))
    elapsed = time.perf_counter() - start
    ok = result.runs[result.runs.status == "ok"]
    for _, row in result.failures.iterrows():
        print(f"warning: run {row.task} failed: {row.error}", file=sys.stderr)
    table, headlines = comparison_table(ok, names[0])
    text = "\n".join([table, "", steady_state_table(result), "", "\n\n".join(headlines),
                      f"\n{len(ok)} runs ({len(result.failures)} failed) in {elapsed:.1f} s."])
    print()
    print(text)
    if out is not None:
        result.summary().to_csv(out / "summary.csv", index=False)
        result.differences().to_csv(out / "differences.csv", index=False)
        result.steady_state().to_csv(out / "steady_state.csv", index=False)
        (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    if args.report is not None:
        from simulation.report.html import write_report

        if args.report == DEMO_REPORT:  # the demo: beside its results, or here
            target = out / "report.html" if out is not None else Path(DEMO_REPORT)
        else:
            target = Path(args.report) if args.report else (out or Path(".")) / "report.html"
        written = write_report(result.folder, target)
        print(f"Report: {written} (one self-contained HTML file; open it in any browser)")
    if out is not None:
        print(f"Results in {out}/ (runs/ and daily/ as Parquet, manifest.json, summary.csv, "
              "differences.csv, steady_state.csv, summary.txt); run the same command again to "
              "resume or extend.")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    return _compare(["pyramid", "inverted_pyramid"], args)


def _cmd_validate(args: argparse.Namespace) -> int:
    from simulation.checks.validation import CHECKS, markdown, run_checks, table

    names = args.only or None
    if args.list:
        print("\n".join(CHECKS))
        return 0
    if not args.scale > 0:
        raise UsageError(f"--scale = {args.scale} is not allowed: a positive number")
    start = time.perf_counter()
    results = run_checks(names, scale=args.scale, progress=None if args.quiet else (
        lambda name: print(f"running {name} ...", file=sys.stderr, flush=True)))
    print(table(results))
    passed = sum(r.passed for r in results)
    print(f"\n{passed} of {len(results)} checks pass ({time.perf_counter() - start:.0f} s).")
    if args.write:
        command = "service-chain validate" + (f" --scale {args.scale:g}" if args.scale != 1
                                              else "") + "".join(f" --only {n}"
                                                                 for n in names or [])
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown(results, command, time.strftime("%Y-%m-%d")), encoding="utf-8")
        print(f"Written to {path}")
    return 0 if passed == len(results) else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from simulation.report.html import write_report

    folder = Path(args.folder)
    if not (folder / "manifest.json").exists():
        raise UsageError(f"{folder}: not a results folder (no manifest.json); give the --out "
                         "folder of a compare, demo or sweep")
    written = write_report(folder, args.output, title=args.title)
    print(f"Report: {written} ({written.stat().st_size / 1e6:.1f} MB, self-contained)")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    if len(args.scenarios) < 2:
        raise UsageError("compare needs at least two scenarios (the first is the baseline)")
    return _compare(args.scenarios, args)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from simulation.experiments.sweep import Parameter, sweep

    base = _load(args.scenario)
    if not args.vary:
        raise UsageError("sweep needs at least one --vary path=low:high")
    params = [Parameter.parse(v) for v in args.vary]
    runs = args.runs or base.replications
    days = args.days or base.days
    workers = args.workers or default_workers()
    out = _out_dir(args.out)
    print(f"Sweeping {', '.join(p.path for p in params)} of {base.name}: {args.design} design, "
          f"{args.points} points x {runs} replications x {days} days, seed {args.seed}")
    result = sweep(base, params, design=args.design, points=args.points, runs=runs,
                   seed=args.seed, days=days, out=out, workers=workers,
                   progress=not args.quiet and sys.stderr.isatty(), source=args.scenario)
    means = result.means([args.kpi, "retention", "mean_morale"])
    print()
    print(means.round(4).to_string(index=False, max_rows=40))
    saved = ["sweep.json", "points.csv", "sweep_summary.csv"]
    if result.sobol is not None:
        indices = result.indices(args.kpi)
        print(f"\nSobol' indices of {args.kpi} (95% bootstrap intervals):")
        print(indices.round(3).to_string(index=False))
        if out is not None:
            indices.to_csv(out / "sobol.csv", index=False)
            saved.append("sobol.csv")
    if out is not None:
        means.to_csv(out / "points.csv", index=False)
        result.summary([args.kpi, "retention", "mean_morale"]).to_csv(
            out / "sweep_summary.csv", index=False)
        print(f"\nResults in {out}/ (runs/ and daily/ as Parquet, {', '.join(saved)}); "
              "reopen with simulation.SweepResult.open")
    if args.report is not None:
        from simulation.report.html import write_report

        target = Path(args.report) if args.report else (out or Path(".")) / "report.html"
        print(f"Report: {write_report(result.folder, target)}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    model = OrgModel(scenario, rng=args.seed)
    for w in load_warnings(model):
        print(w, file=sys.stderr)
    model.run(args.days)
    kpis = model.kpis()
    width = max(len(k) for k in kpis)
    print(f"{scenario.name}: {model.steps} days, seed {args.seed}\n")
    for key, value in kpis.items():
        shown = _fmt(value) if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")
    out = _out_dir(args.out)
    if out is not None:
        (out / "kpis.json").write_text(json.dumps(kpis, indent=2, default=str) + "\n")
        model.daily().to_csv(out / "daily.csv")
        model.employee_summary().to_csv(out / "employees.csv", index=False)
        model.attribution("employee_id").to_csv(out / "attribution.csv")
        print(f"\nKPIs, daily series, employees and attribution written to {out}/")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    model = OrgModel(scenario, rng=args.seed)
    g = model.graph
    print(f"{scenario.name}: {' '.join(scenario.description.split())}\n")
    print(f"Design: {type(scenario.design).__name__}, queue discipline "
          f"{type(scenario.design.discipline).__name__}")
    print(f"{g.number_of_nodes()} positions, {len(model.customers)} customers at "
          f"{scenario.customers.request_rate:g} requests a day each, "
          f"{g.number_of_edges()} dependencies, {scenario.days} days x "
          f"{scenario.replications} replications by default\n")
    load = offered_load(g, scenario.customers, scenario.work.max_depth)
    load["department"] = [g.nodes[i]["department"] for i in load.position]
    summary = load.groupby(["level", "role"]).agg(
        headcount=("position", "size"), arrivals_per_day=("arrivals_per_day", "mean"),
        rate=("rate", "mean"), load=("load", "mean"), max_load=("load", "max"))
    print("Headcount and offered load (traffic equations):")
    print(summary.sort_index(ascending=False).round(2).to_string())
    deps = pd.DataFrame([{"purpose": re.sub(r"( row)? \d+$", "", str(k)),
                          "need": d["need"].value,
                          "kind": "per request" if d["probability"] else "scheduled"}
                         for _, _, k, d in g.edges(keys=True, data=True)])
    if len(deps):
        print("\nDependencies:")
        print(deps.value_counts().rename("count").to_frame().to_string())
    warnings = load_warnings(model)
    print("\n" + ("\n".join(warnings) if warnings else "Load check: every position is below "
                  f"100% of capacity (highest {load.load.max():.0%})."))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for name, path in bundled().items():
        try:
            text = _first_sentence(load_scenario(path, check_files=False).description)
        except (ScenarioError, OrgChartError) as err:
            text = f"(does not load: {err})"
        print(f"{name:<18} {text}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    text = render_docs() if args.docs else json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _parser(sub: argparse._SubParsersAction, name: str, help_: str, examples: str
            ) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_, description=help_,
                          epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_replication_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs", "-r", type=int, default=None,
                   help="replications per scenario (default: the first scenario's)")
    p.add_argument("--days", type=int, default=None, help="working days per run")
    p.add_argument("--seed", type=int, default=2026, help="root seed (default 2026)")
    p.add_argument("--workers", "-w", type=int, default=None,
                   help="worker processes (default: all cores)")
    p.add_argument("--out", "-o", help="folder for per-run results and the summary")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--precision", type=float, default=None,
                   help="add replications until each scenario's mean delay and retention have "
                        "a 95%% CI within this relative half-width (e.g. 0.05)")
    p.add_argument("--max-runs", type=int, default=200,
                   help="upper limit of replications with --precision (default 200)")


def _add_report_option(p: argparse.ArgumentParser, default: str | None) -> None:
    p.add_argument("--report", nargs="?", const="", default=default, metavar="HTML",
                   help="write the interactive HTML report (to HTML, or OUT/report.html)"
                   + (f"; default OUT/report.html with --out, else {default}" if default
                      else ""))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="service-chain",
        description="Simulate an organization as an internal customer service chain.",
        epilog="SCENARIO is a bundled name (see 'service-chain list') or a path to a .toml file.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = _parser(sub, "list", "list the bundled scenarios", "  service-chain list\n")
    p.set_defaults(func=_cmd_list)
    p = _parser(sub, "describe", "show a scenario: headcount, dependencies and the load check",
                "  service-chain describe pyramid\n"
                "  service-chain describe scenarios/examples/my_company.toml\n")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--seed", type=int, default=1, help="seed for random structure (default 1)")
    p.set_defaults(func=_cmd_describe)
    p = _parser(sub, "run", "run one scenario once and print its KPIs",
                "  service-chain run inverted_pyramid --days 60 --seed 3\n"
                "  service-chain run scenarios/examples/my_company.toml --out results/mine\n")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--days", type=int, default=None, help="working days (default: scenario's)")
    p.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    p.add_argument("--out", "-o", help="folder for kpis.json, daily.csv, employees.csv")
    p.set_defaults(func=_cmd_run)
    p = _parser(sub, "compare", "compare scenarios over paired seeded replications",
                "  service-chain compare pyramid inverted_pyramid two_way_street --runs 30\n"
                "  service-chain compare payroll my_payroll.toml --days 120 --out results/pay\n")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="two or more; the first is the baseline")
    _add_replication_options(p)
    _add_report_option(p, None)
    p.set_defaults(func=_cmd_compare)
    p = _parser(sub, "sweep", "vary parameters over a design and run every point",
                "  service-chain sweep pyramid --vary organization.reporting_rate=0:2 "
                "--design lhs --points 16 --runs 5\n"
                "  service-chain sweep pyramid --vary organization.approval_prob=0:0.6 "
                "--vary people.hiring_delay=5:40 --design sobol --points 64 --runs 3\n")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--vary", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="a parameter and its range (or a,b,c levels); repeat for more")
    p.add_argument("--design", choices=("factorial", "lhs", "sobol"), default="lhs")
    p.add_argument("--points", type=int, default=16,
                   help="design points (Sobol': base size n, n (d + 2) points in all)")
    p.add_argument("--kpi", default="mean_delay", help="KPI for the summary and Sobol' indices")
    _add_replication_options(p)
    _add_report_option(p, None)
    p.set_defaults(func=_cmd_sweep)
    p = _parser(sub, "demo", "the pyramid against the inverted pyramid over many seeded runs",
                "  service-chain demo\n  service-chain demo --runs 40 --workers 2\n")
    _add_replication_options(p)
    _add_report_option(p, DEMO_REPORT)
    p.set_defaults(func=_cmd_demo)
    p = _parser(sub, "validate", "check the model against queueing theory and published patterns",
                "  service-chain validate\n"
                "  service-chain validate --write docs/validation.md\n"
                "  service-chain validate --only little --only tandem\n")
    p.add_argument("--only", action="append", default=[], metavar="CHECK",
                   help="run only this check (repeat for more; see --list)")
    p.add_argument("--list", action="store_true", help="list the checks and stop")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply run lengths and replications (default 1)")
    p.add_argument("--write", metavar="MARKDOWN", help="also write the table and methods here")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    p.set_defaults(func=_cmd_validate)
    p = _parser(sub, "report", "write the interactive HTML report of a results folder",
                "  service-chain report results/cmp -o report.html\n"
                "  service-chain report results/sobol\n")
    p.add_argument("folder", metavar="OUT_DIR", help="the --out folder of compare, demo, sweep")
    p.add_argument("--output", "-o", default=None,
                   help="where to write the HTML (default OUT_DIR/report.html)")
    p.add_argument("--title", default=None, help="title of the report")
    p.set_defaults(func=_cmd_report)
    p = _parser(sub, "schema", "print the JSON Schema of scenario files (or their docs)",
                "  service-chain schema > scenario.schema.json\n"
                "  service-chain schema --docs -o scenarios/README.md\n")
    p.add_argument("--docs", action="store_true", help="Markdown documentation instead")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``service-chain``: 0 on success, 2 on bad usage or bad input."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    for key in ("runs", "days", "workers", "points"):
        value = getattr(args, key, None)
        if value is not None and value < 1:
            print(f"service-chain {args.command}: --{key} = {value} is not allowed: an integer "
                  ">= 1", file=sys.stderr)
            return 2
    try:
        return args.func(args)
    except (ScenarioError, OrgChartError, UsageError, ValueError) as err:
        print(f"service-chain {args.command}: error:\n{err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
