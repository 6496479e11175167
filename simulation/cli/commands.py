"""Command line: ``service-chain`` (or ``python -m simulation``).

Exit codes: 0 on success, 2 on bad usage or bad input (with a message naming the file, key or
row), never a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation.checks.offered_load import offered_load
from simulation.cli import parser as grammar
from simulation.cli.parser import DEMO_REPORT
from simulation.cli.tables import (
    causes_text,
    collapse_lines,
    comparison_table,
    first_sentence,
    fmt,
    load_warnings,
    pairing_lines,
    steady_state_table,
)
from simulation.config.files import (
    ScenarioError,
    bundled,
    bundled_dir,
    json_schema,
    load_scenario,
    render_docs,
)
from simulation.config.orgdata import OrgChartError
from simulation.config.scenario import Scenario
from simulation.core.kpis import KPIS
from simulation.experiments.experiment import (
    compare,
    compare_until,
    default_workers,
)
from simulation.experiments.store import ExperimentMismatchError, FolderBusyError, ResultStore
from simulation.model.orgmodel import OrgModel

if TYPE_CHECKING:
    from simulation.eventlog.read import EventLog
    from simulation.experiments.design_map import MapResult
    from simulation.experiments.results import ExperimentResult


class UsageError(Exception):
    """Bad usage: reported on standard error with exit code 2."""


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


def _compare(specs: list[str], args: argparse.Namespace,
             then: Callable[[ExperimentResult], None] | None = None) -> int:
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
    _csv_tables(args, out)
    if args.precision is not None and not 0 < args.precision < 1:
        raise UsageError(f"--precision = {args.precision} is not allowed: between 0 and 1")
    print(f"{'Comparing' if len(names) > 1 else 'Replicating'} {', '.join(names)}: {runs} "
          f"replications x {days} days, seed {args.seed}, {workers} worker(s)"
          + (", common random numbers" if len(names) > 1 else ""))
    start = time.perf_counter()
    options = {"seed": args.seed, "days": days, "out": out, "workers": workers,
               "executor": getattr(args, "executor", None),
               "progress": _progress(args),
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
    if ok.empty:  # nothing to summarize or compare: say so, with the runs' own error
        print(f"service-chain {args.command}: every run failed ({len(result.failures)}), so "
              f"there is nothing to compare; the first: {result.failures.error.iloc[0]}"
              + (f" (the runs are recorded in {out}; the same command runs them again)"
                 if out is not None else ""), file=sys.stderr)
        return 1
    baseline = result.scenarios[0]  # the folder's, as every table written there uses
    if baseline != names[0]:
        print(f"note: {out} was started with {baseline} first; it stays the baseline of every "
              "table", file=sys.stderr)
    args.tables = {"summary": result.summary(), "differences": result.differences(),
                   "steady_state": result.steady_state(), "collapse_risk": result.collapse_risk()}
    args.result = {"command": args.command, "baseline": baseline, "seed": args.seed,
                   "days": days, "runs": len(ok), "failed": len(result.failures),
                   "summary": _records(args.tables["summary"]),
                   "differences": _records(args.tables["differences"]) if len(names) > 1 else []}
    table, headlines = comparison_table(ok, baseline)
    text = "\n".join([table, *collapse_lines(result), "", steady_state_table(result), "",
                      "\n\n".join(headlines), *pairing_lines(ok, baseline),
                      f"\n{len(ok)} runs ({len(result.failures)} failed) in {elapsed:.1f} s."])
    print()
    print(text)
    if out is not None:
        for name, table in args.tables.items():
            table.to_csv(out / f"{name}.csv", index=False)
        (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    if then is not None:
        then(result)
    _report(args, out, result.folder)
    if out is not None:
        print(f"Results in {out}/ (runs/ and daily/ as Parquet, manifest.json, summary.csv, "
              "differences.csv, steady_state.csv, collapse_risk.csv, summary.txt); run the same "
              "command again to resume or extend.")
    _write_csv_copies(args)
    return 0


#: The demo's map: managerial capacity (both designs) against the pyramid's control (its
#: report frequency), 3 x 3 points of 5 paired runs over 150 days.
DEMO_MAP = ("organization.manager_rate=8:24", "pyramid:organization.reporting_rate=0.05:1")


def _cmd_demo(args: argparse.Namespace) -> int:
    def where_each_wins(result: ExperimentResult) -> None:
        from simulation.experiments.design_map import map_difference

        print(f"\nWhere each wins: the map over {' and '.join(DEMO_MAP)} (3 x 3 points, 5 "
              "paired runs of 150 days each)")
        start = time.perf_counter()
        if args.csv_folders:  # the map's folder keeps its copies as the comparison's does
            ResultStore(result.folder / "map").keep_csv_copies()
            args.csv_folders.append(result.folder / "map")
        found = map_difference(
            load_scenario("pyramid"), load_scenario("inverted_pyramid"), DEMO_MAP,
            points=9, runs=5, days=150, seed=args.seed, out=result.folder / "map",
            workers=args.workers or default_workers(),
            executor=getattr(args, "executor", None), progress=_progress(args))
        print(f"{found.sentence()}\n({len(found.runs)} runs in "
              f"{time.perf_counter() - start:.1f} s; in the report, and in map/ of the "
              "results.)")

    return _compare(["pyramid", "inverted_pyramid"], args, then=where_each_wins)


def _cmd_validate(args: argparse.Namespace) -> int:
    from simulation.checks.mutants import MUTANTS, MutantError, caught, mutant_lines, run_mutants
    from simulation.checks.validation import (
        CHECKS,
        VALIDATION,
        CheckResult,
        markdown,
        run_checks,
        table,
        verified,
    )
    from simulation.experiments.pool import default_workers

    names = args.only or None
    if args.list:
        print("\n".join(CHECKS))
        print("\nmutants (--mutants): " + ", ".join(m.name for m in MUTANTS))
        from simulation.checks.validation import section_of

        args.tables = {"checks": pd.DataFrame({"check": list(CHECKS),
                                               "section": [section_of(n) for n in CHECKS]})}
        args.result = {"command": "validate", "checks": list(CHECKS),
                       "mutants": [m.name for m in MUTANTS]}
        return 0
    if not args.scale > 0:
        raise UsageError(f"--scale = {args.scale} is not allowed: a positive number")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers = {args.workers} is not allowed: 1 or more")
    known = [m.name for m in MUTANTS]
    unknown = sorted(set(args.mutants or []) - set(known))
    if unknown:
        raise UsageError(f"--mutants {', '.join(unknown)}: unknown; one of {', '.join(known)}")
    workers = args.workers or default_workers()
    start = time.perf_counter()
    say = None if args.quiet else (
        lambda name: print(f"done: {name}", file=sys.stderr, flush=True))
    results = run_checks(names, scale=args.scale, progress=say, workers=workers)
    rows = [{**dataclasses.asdict(r), "passed": r.passed} for r in results]
    args.tables = {"checks": pd.DataFrame(rows, columns=[
        *(f.name for f in dataclasses.fields(CheckResult)), "passed"])}
    args.result = {"command": "validate", "scale": args.scale, "verified": verified(results),
                   "checks": rows}
    print(table(results))
    checks = [r for r in results if r.section != VALIDATION]
    findings = [r for r in results if r.section == VALIDATION]
    print(f"\n{sum(r.passed for r in checks)} of {len(checks)} checks pass "
          f"({time.perf_counter() - start:.0f} s).")
    if findings:
        print(f"Validation against data the model was not tuned on: "
              f"{sum(r.passed for r in findings)} of {len(findings)} rows agree (findings "
              "about the model; they do not change the exit status).")
    matrix = None
    if args.mutants is not None:
        try:
            matrix = run_mutants(args.mutants or None, names, scale=args.scale,
                                 workers=workers, progress=say)
        except MutantError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print("\nMutant engines (each should fail at least one check):")
        for line in mutant_lines(matrix):
            print(f"  {line}")
        args.result["mutants"] = [{"mutant": name, "caught": caught(rs),
                                   "checks": [{**dataclasses.asdict(r), "passed": r.passed}
                                              for r in rs]}
                                  for name, rs in matrix.items()]
    options = ((f" --scale {args.scale:g}" if args.scale != 1 else "")
               + "".join(f" --only {n}" for n in names or []))
    if args.write:
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown(results, "service-chain validate" + options,
                                 time.strftime("%Y-%m-%d"),
                                 mutant_lines(matrix) if matrix else None,
                                 "service-chain validate --mutants"
                                 + "".join(f" {m}" for m in args.mutants or []) + options),
                        encoding="utf-8")
        print(f"Written to {path}")
    all_caught = matrix is None or all(caught(rs) for rs in matrix.values())
    return 0 if verified(results) and all_caught else 1


def _cmd_check_network(args: argparse.Namespace) -> int:
    from simulation.checks.network import check_network
    from simulation.checks.validation import table
    from simulation.experiments.pool import default_workers

    scenario = _load(args.scenario)
    if args.max_runs is None:
        args.max_runs = max(80, args.runs)
    if args.max_runs < args.runs:
        raise UsageError(f"--max-runs = {args.max_runs} is not allowed: at least --runs "
                         f"({args.runs})")
    workers = min(args.workers or default_workers(), args.runs)
    start = time.perf_counter()

    def say(done: int, weak: int) -> None:
        if weak and done < args.max_runs:
            print(f"{done} replications: {weak} figure(s) below 90% power, adding {args.runs}",
                  file=sys.stderr, flush=True)

    theory, results, notes = check_network(scenario, runs=args.runs, days=args.days,
                                           seed=args.seed, workers=workers,
                                           max_runs=args.max_runs, progress=say)
    print(f"{scenario.name}: the queueing network inside the scenario against Jackson's product "
          "form (M/M/1 at every position at its visit rate)")
    for note in notes:
        print(f"  - {note}")
    print(f"  - external demand {theory.external.sum():.4g} requests a day; customers wait "
          f"{theory.delay:.4g} days on average in theory")
    print()
    print(table(results))
    passed = sum(r.passed for r in results)
    print(f"\n{passed} of {len(results)} figures within their margins "
          f"({time.perf_counter() - start:.0f} s).")
    weak = [r for r in results if not r.passed and r.power < 0.8]
    if weak:
        print(f"{len(weak)} of the failures have power below 80%: too few visits to tell; "
              "raise --max-runs or --days.")
    return 0 if passed == len(results) else 1


def log_format(args: argparse.Namespace):
    """The event log's format from ``--mapping``, ``--preset`` and the column and state flags."""
    from simulation.eventlog.read import LogError, LogFormat, read_format

    base = read_format(args.mapping) if args.mapping else LogFormat()
    columns = dict(base.columns)
    for role in ("case", "time", "status", "team", "resource", "start", "complete", "lifecycle",
                 "order", "case_start", "need"):
        value = getattr(args, f"column_{role}", None)
        if value:
            columns["state" if role == "status" else role] = value
    states = _pairs(base.states, args.map_state, "--map-state", "NAME=KIND",
                    "'Awaiting Vendor=waiting'")
    needs = _pairs(base.needs, args.map_need, "--map-need", "VALUE=KIND",
                   "'Access request=assistance'")
    try:
        found = dataclasses.replace(
            base, columns=columns, states=states, needs=needs, preset=args.preset or base.preset,
            time_format=args.time_format or base.time_format,
            out_of_order="clamp" if args.clamp_times else base.out_of_order)
        found.need_kinds()
        return found
    except LogError as err:
        raise UsageError(str(err)) from None


def _pairs(base: dict[str, str], items: list[str], flag: str, form: str,
           example: str) -> dict[str, str]:
    """``base`` with each ``NAME=KIND`` of a repeated flag over it (the last ``=`` splits)."""
    out = dict(base)
    for item in items:
        name, sep, kind = item.rpartition("=")
        if not sep or not name.strip():
            raise UsageError(f"{flag} {item!r} is not allowed: {form}, e.g. {example}")
        out[name.strip()] = kind.strip()
    return out


def _cmd_discover(args: argparse.Namespace) -> int:
    from simulation.eventlog.discover import discover
    from simulation.eventlog.read import read_log
    from simulation.eventlog.scenario import (
        UTILISATION,
        overloaded,
        scenario_files,
        service_mode,
        services,
    )

    out = Path(args.output)
    if out.suffix != ".toml":
        raise UsageError(f"--output {args.output!r} is not allowed: a .toml file name")
    utilisation = _utilisation(args.utilisation, UTILISATION)
    fmt = log_format(args)
    start = time.perf_counter()
    log = read_log(args.log, fmt)
    period = _log_period(args, log)
    found = discover(log, args.level, period=period)
    files = scenario_files(found, out.name.removesuffix(".toml"), utilisation, args.service,
                           args.calendars)
    existing = [out.parent / name for name in files if (out.parent / name).exists()]
    if existing and not args.force:
        raise UsageError(f"{existing[0]}: exists; choose another --output or add --force")
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent}: no such folder for --output")
    for name, text in files.items():
        (out.parent / name).write_text(text, encoding="utf-8")
    s = found.summary
    read_as = f" (read as {log.preset})" if log.preset else ""
    print(f"{log.source}{read_as}: {s['cases']} cases opened {s['first_case'][:16]} to "
          f"{s['last_case'][:16]}" + (f"; {s['outside_period']} outside that period left out"
                                      if s["outside_period"] else ""))
    print(f"  calendar {s['calendar']}: {s['working_days']:.1f} working days, "
          f"{s['arrival_rate']:.4g} cases a working day, mean case "
          f"{s['mean_duration']:.3g} working days")
    if s["open"] > 0.05 * s["cases"]:
        print(f"  warning: {s['open']} cases ({s['open'] / s['cases']:.0%}) are still open at the "
              "end of the log: their visits so far count and their running spells count at "
              "their age, so times are lower bounds; an earlier --to lets the period's cases "
              "finish")
    print(f"  {s['positions']} positions ({args.level} level), {s['handovers']} hand-overs, "
          f"{s['ping_pong_cases']} cases going back and forth (A to B to A), longest route "
          f"{s['longest_route']} visits")
    if args.calendars:
        from simulation.eventlog.scenario import shifts

        own = shifts(found)
        print(f"  {len(own)} position(s) given working calendars of their own"
              + (": " + "; ".join(f"{p} {row}" for p, row in zip(
                  found.positions.position, found.positions.calendar, strict=True)
                  if p in own)[:400] if own else ""))
    mode = service_mode(found, args.service)
    if args.service == "auto" and found.timed_work and mode == "split":
        print(f"  the log times work, but {overloaded(found)}: a team works several cases "
              "at once, so visits are split by the stated utilisation (--level person to "
              "time each person's work)")
    table = services(found, utilisation, mode).sort_values("visits", ascending=False).head(8)
    print("\n  busiest positions (times per visit in working days):")
    print(f"  {'position':<24} {'visits':>7} {'queued':>7} {'working':>8} {'waiting':>8} "
          f"{'rate':>8} {'hold':>6}")
    for r in table.itertuples():
        print(f"  {str(r.position)[:24]:<24} {r.visits:>7.0f} {r.queued:>7.3f} "
              f"{r.working:>8.3f} {r.waiting:>8.3f} {r.server_rate:>8.3g} {r.hold:>6.3f}")
    if mode == "split":
        print(f"\nAssumed: servers {utilisation:.0%} busy at the observed load (--utilisation);"
              " the rest of each visit is waiting on others (hold).")
    else:
        print("\nServers from the time working per visit, holds from the time waiting on "
              "others (--service working).")
    for name in files:
        print(f"wrote {out.parent / name}")
    print(f"({time.perf_counter() - start:.1f} s) Next: service-chain run {out}")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    from simulation.eventlog.fit import fit, markdown
    from simulation.eventlog.read import read_log
    from simulation.eventlog.scenario import UTILISATION

    utilisation = _utilisation(args.utilisation, UTILISATION)
    if not 0.0 < args.train_share < 1.0:
        raise UsageError(f"--train-share {args.train_share!r} is not allowed: in (0, 1)")
    if args.runs < 1 or args.warm_up < 0 or args.seed < 0:
        raise UsageError("--runs must be at least 1, --warm-up and --seed at least 0")
    if args.output and Path(args.output).suffix not in (".md", ".csv"):
        raise UsageError(f"--output {args.output!r} is not allowed: a .md or .csv file")
    scenario = _load(args.scenario) if args.scenario else None
    start = time.perf_counter()
    log = read_log(args.log, log_format(args))
    period = _log_period(args, log)
    result = fit(log, scenario, args.level, args.train_share, args.runs, args.seed,
                 utilisation, args.service, period, args.warm_up)
    text = markdown(result)
    print(text)
    if args.output:
        out = Path(args.output)
        if out.suffix == ".csv":
            result.table.to_csv(out, index=False)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


def _utilisation(value: float | None, default: float) -> float:
    """``--utilisation``, or the default; refused outside (0, 1)."""
    utilisation = default if value is None else value
    if not 0.0 < utilisation < 1.0:
        raise UsageError(f"--utilisation {utilisation!r} is not allowed: in (0, 1)")
    return utilisation


def _log_period(args: argparse.Namespace, log: EventLog
                ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``--from`` and ``--to`` as the first and last case start to use, or None (the default)."""
    if args.start is None and args.end is None:
        return None
    period = (_date(args.start, "--from", log.case_start.min()),
              _date(args.end, "--to", log.case_start.max(), end=True))
    if args.start is not None and args.end is not None and period[0] > period[1]:
        raise UsageError(f"--from {args.start} is after --to {args.end}")
    return period


def _date(text: str | None, flag: str, default: pd.Timestamp, end: bool = False
          ) -> pd.Timestamp:
    """A date or time from the command line, as written (an offset dropped, as logs' are).

    With ``end``, a date without a time is the end of that day.
    """
    if text is None:
        return default
    try:
        stamp = pd.Timestamp(text.strip())
    except (ValueError, TypeError, OverflowError):
        stamp = pd.NaT
    if stamp is pd.NaT or not text.strip():
        raise UsageError(f"{flag} {text!r} is not a date (e.g. 2016-03-01)")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if end and len(text.strip()) <= 10:  # a day: all of it
        stamp += pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return stamp


def _cmd_report(args: argparse.Namespace) -> int:
    from simulation.report.html import out_of_date, write_report

    folder = Path(args.folder)
    if not (folder / "manifest.json").exists():
        raise UsageError(f"{folder}: not a results folder (no manifest.json); give the --out "
                         "folder of a compare, demo or sweep")
    if args.output and Path(args.output).is_dir():
        raise UsageError(f"-o {args.output}: is a folder; give the report's file name "
                         "(e.g. report.html)")
    if args.output:
        _html_name("-o", Path(args.output))
    target = Path(args.output) if args.output else folder / "report.html"
    said = out_of_date(folder, target)
    written = write_report(folder, target, title=args.title)
    print(f"Report: {written} ({written.stat().st_size / 1e6:.1f} MB, self-contained)"
          + (f"; it replaces one that was out of date: {said}" if said else ""))
    said = ResultStore(folder).incomplete()
    if said:
        print(f"warning: {said}", file=sys.stderr)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    if len(args.scenarios) < 2:
        raise UsageError("compare needs at least two scenarios (the first is the baseline)")
    return _compare(args.scenarios, args)


def _cmd_replicate(args: argparse.Namespace) -> int:
    return _compare([args.scenario], args)


def _points(design: str, params: list, points: int) -> int:
    """How many points the design will run (a factorial of given levels ignores ``--points``)."""
    from simulation.experiments.inputs import check_counts
    from simulation.experiments.sweep import design_points

    check_counts(points=points)  # before drawing them

    try:
        return len(design_points(design, params, points)[0])
    except ValueError as err:
        raise UsageError(str(err)) from None


def _cmd_sweep(args: argparse.Namespace) -> int:
    from simulation.experiments.sweep import Parameter, sweep

    base = _load(args.scenario)
    if not args.vary:
        raise UsageError("sweep needs at least one --vary path=low:high")
    params = [Parameter.parse(v) for v in args.vary]
    if args.kpi not in KPIS:
        close = difflib.get_close_matches(args.kpi, list(KPIS), n=1)
        raise UsageError(f"--kpi {args.kpi!r} is not a KPI"
                         + (f"; did you mean {close[0]!r}?" if close else "")
                         + f" (KPIs: {', '.join(KPIS)})")
    if args.table == "sobol" and args.design != "sobol":
        raise UsageError("--table sobol is not allowed here: Sobol' indices need --design sobol")
    runs = args.runs or base.replications
    days = args.days or base.days
    workers = args.workers or default_workers()
    out = _out_dir(args.out)
    _csv_tables(args, out)
    print(f"Sweeping {', '.join(p.path for p in params)} of {base.name}: {args.design} design, "
          f"{_points(args.design, params, args.points)} points x {runs} replications x {days} "
          f"days, seed {args.seed}")
    result = sweep(base, params, design=args.design, points=args.points, runs=runs,
                   seed=args.seed, days=days, out=out, workers=workers,
                   executor=getattr(args, "executor", None), progress=_progress(args),
                   source=args.scenario)
    means = result.means([args.kpi, "retention", "mean_morale"])
    summary = result.summary([args.kpi, "retention", "mean_morale"])
    args.tables = {"points": means, "summary": summary}
    args.result = {"command": "sweep", "scenario": base.name, "design": args.design,
                   "seed": args.seed, "days": days, "runs": len(result.runs),
                   "points": _records(means), "summary": _records(summary)}
    if result.sobol is not None:
        args.tables["sobol"] = result.indices(args.kpi)
        args.result["sobol"] = _records(args.tables["sobol"])
    print()
    print(means.round(4).to_string(index=False, max_rows=40))
    saved = ["sweep.json", "points.csv", "sweep_summary.csv"]
    if result.sobol is not None:
        indices = args.tables["sobol"]
        print(f"\nSobol' indices of {args.kpi} (95% bootstrap intervals):")
        print(indices.round(3).to_string(index=False))
        if out is not None:
            indices.to_csv(out / "sobol.csv", index=False)
            saved.append("sobol.csv")
    if out is not None:
        means.to_csv(out / "points.csv", index=False)
        summary.to_csv(out / "sweep_summary.csv", index=False)
        print(f"\nResults in {out}/ (runs/ and daily/ as Parquet, {', '.join(saved)}); "
              "reopen with simulation.SweepResult.open")
    _report(args, out, result.folder)
    _write_csv_copies(args)
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from simulation.experiments.design_map import Lever, map_difference

    a, b = (_load(s) for s in args.scenarios)
    if a.name == b.name:
        raise UsageError(f"the two designs need different names: both are {a.name!r}")
    if not args.vary:
        raise UsageError("map needs at least one --vary path=low:high (two for a map)")
    if args.sobol and args.design != "sobol":
        raise UsageError("--sobol needs --design sobol")
    levers = [Lever.parse(v, [a.name, b.name]) for v in args.vary]
    runs = args.runs or a.replications
    days = args.days or a.days
    out = _out_dir(args.out)
    _csv_tables(args, out)
    count = _points(args.design, [lv.parameter for lv in levers], args.points)
    print(f"Mapping {b.name} against {a.name} over {', '.join(lv.label for lv in levers)}: "
          f"{args.design} design, {count} points x {runs} paired replications x {days} days, "
          f"seed {args.seed}")
    start = time.perf_counter()
    result = map_difference(a, b, levers, design=args.design, points=args.points, runs=runs,
                            seed=args.seed, days=days, out=out,
                            workers=args.workers or default_workers(),
                            executor=getattr(args, "executor", None), progress=_progress(args),
                            sources=dict(zip((a.name, b.name), args.scenarios, strict=True)))
    args.tables = {"differences": result.differences()}
    args.result = {"command": "map", "a": a.name, "b": b.name, "design": args.design,
                   "seed": args.seed, "days": days, "runs": len(result.runs),
                   "sentence": result.sentence(),
                   "differences": _records(args.tables["differences"])}
    _print_map(result)
    print(f"\n{len(result.runs)} runs in {time.perf_counter() - start:.1f} s.")
    if args.sobol:
        for key in ("mean_delay", "retention"):
            print(f"\nSobol' indices of the difference in {key} (95% bootstrap intervals):")
            print(result.indices(key).round(3).to_string(index=False))
    if out is not None:
        args.tables["differences"].to_csv(out / "map.csv", index=False)
        print(f"Results in {out}/ (runs/ as Parquet, map.json, map.csv); run the same command "
              "again to resume or extend.")
    _report(args, out, result.folder)
    _write_csv_copies(args)
    return 0


def _print_map(result: MapResult) -> None:
    """The map's points: each KPI's difference, its interval and who wins there."""
    table = result.differences()
    labels = [lv.label for lv in result.levers]
    print()
    for key in ("mean_delay", "retention"):
        rows = table[table.kpi == key]
        print(f"{KPIS[key].title}, {result.b} minus {result.a}:")
        scale = KPIS[key].scale
        for r in rows.to_dict("records"):
            where = ", ".join(f"{lab} {r[lab]:g}" for lab in labels)
            print(f"  {where}: {fmt(r['diff'], scale)} [{fmt(r['low'], scale)}, "
                  f"{fmt(r['high'], scale)}]  {r['winner']}")
    print("\n" + result.sentence())


def _html_name(flag: str, target: Path) -> None:
    """Refuse a report file whose name does not end in .html (it would replace other data)."""
    if target.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{flag} {target}: a report is an HTML file; give a name ending in "
                         ".html (e.g. report.html)")


def _report(args: argparse.Namespace, out: Path | None, folder: Path) -> None:
    """Write the report of ``folder`` when ``--report`` was given (to HTML or OUT/report.html)."""
    from simulation.report.html import out_of_date, write_report

    if args.report is None:  # an older report in the folder no longer tells the whole story
        if out is not None and (said := out_of_date(out, out / "report.html")):
            print(f"warning: {said}; `service-chain report {out}` writes it anew",
                  file=sys.stderr)
        return
    if args.report == DEMO_REPORT:  # the demo: beside its results, or here
        target = out / "report.html" if out is not None else Path(DEMO_REPORT)
    else:
        target = Path(args.report) if args.report else (out or Path(".")) / "report.html"
        _html_name("--report", target)
    said = out_of_date(folder, target)
    written = write_report(folder, target)
    print(f"Report: {written} (one self-contained HTML file, {written.stat().st_size / 1e6:.1f} "
          "MB; open it in any browser)" + (f"; it replaces one that was out of date: {said}"
                                            if said else ""))


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario)
    if args.log:
        log_path = Path(args.log)
        if not any(s in (".csv", ".xes") for s in (x.lower() for x in log_path.suffixes)):
            raise UsageError(f"--log {args.log!r} is not allowed: a .csv, .csv.gz, .xes or "
                             ".xes.gz file")
        start = _date(args.log_start, "--log-start", pd.Timestamp("2026-01-05"))
        if not log_path.parent.is_dir():
            raise UsageError(f"--log {args.log}: no such folder {str(log_path.parent)!r}")
        scenario = dataclasses.replace(scenario, keep_records=True)
    out = _out_dir(args.out)
    model = OrgModel(scenario, rng=args.seed, customer_causes=out is not None)
    for w in load_warnings(model):
        print(w, file=sys.stderr)
    model.run(args.days)
    kpis = model.kpis()
    if args.log:  # the work finished by the horizon, before the run-out moves the model on
        from simulation.eventlog.write import simulated_log, write_log

        write_log(simulated_log(model, start=start), log_path)
    if out is not None:  # the tables at the horizon, before the run-out moves the model on
        model.daily().to_csv(out / "daily.csv")
        model.employee_summary().to_csv(out / "employees.csv", index=False)
    if args.report is not None:
        from simulation.experiments.experiment import horizon_tables

        tables = horizon_tables(model)
    kpis.update(model.run_out())
    causes = model.causes("step")
    args.tables = {"kpis": pd.DataFrame([{"scenario": scenario.name, "seed": args.seed, **kpis}]),
                   "causes": causes.reset_index()}
    args.result = {"command": "run", "scenario": scenario.name, "seed": args.seed,
                   "kpis": dict(kpis), "causes": _records(args.tables["causes"])}
    width = max(len(k) for k in kpis)
    print(f"{scenario.name}: {kpis['days']} days, seed {args.seed}\n")
    for key, value in kpis.items():
        shown = fmt(value) if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")
    print(causes_text(model))
    if out is not None:  # blame and causes after the run-out: every counted request in them
        model.attribution("employee_id").to_csv(out / "attribution.csv")
        causes.to_csv(out / "causes.csv")
        model.customer_causes().to_csv(out / "customer_causes.csv", index=False)
        (out / "kpis.json").write_text(  # JSON allows no NaN: an undefined figure is null
            json.dumps(_plain(kpis), indent=2, default=str, allow_nan=False) + "\n")
        print(f"\nKPIs, daily series, employees, attribution and waiting causes written to "
              f"{out}/")
    if args.log:
        print(f"Event log written to {log_path}")
    if args.report is not None:
        _run_report(args, out, model, kpis, tables)
    return 0


def _run_report(args: argparse.Namespace, out: Path | None, model: OrgModel,
                kpis: dict[str, Any], tables: dict[str, pd.DataFrame]) -> None:
    """``run --report``: the one run as a results folder of one run (a temporary one), reported.

    The report of a one-design folder is the comparison report's: the KPI cards (no interval
    from one run), the day-by-day series, the organization, where the chain breaks, why
    customers wait and internal service.
    """
    import tempfile

    from simulation.experiments.experiment import run_out_tables, write_run

    tables = run_out_tables(model, tables, model.config.name, 0)
    with tempfile.TemporaryDirectory(prefix="service-chain-run-") as folder:
        write_run(folder, model, kpis, tables, args.seed, source=args.scenario)
        _report(args, out, Path(folder))


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
    rule = getattr(scenario.design, "facing_rule", None)
    if rule is not None:
        print(f"Who faces customers: {rule(g)}\n")
    load = offered_load(g, scenario.customers, scenario.work.max_depth)
    load["department"] = [g.nodes[i]["department"] for i in load.position]
    summary = load.groupby(["level", "role"]).agg(
        headcount=("position", "size"), arrivals_per_day=("arrivals_per_day", "mean"),
        rate=("rate", "mean"), load=("load", "mean"), max_load=("load", "max"))
    summary = summary.sort_index(ascending=False)
    print("Headcount and offered load (traffic equations):")
    print(summary.round(2).to_string())
    deps = pd.DataFrame([{"purpose": re.sub(r"( row)? \d+$", "", str(k)),
                          "need": d["need"].value,
                          "kind": "per request" if d["probability"] else "scheduled"}
                         for _, _, k, d in g.edges(keys=True, data=True)])
    counts = (deps.value_counts().rename("count").to_frame() if len(deps) else
              pd.DataFrame(columns=["count"], index=pd.MultiIndex.from_arrays(
                  [[], [], []], names=["purpose", "need", "kind"])))
    if len(deps):
        print("\nDependencies:")
        print(counts.to_string())
    warnings = load_warnings(model)
    print("\n" + ("\n".join(warnings) if warnings else "Load check: every position is below "
                  f"100% of capacity (highest {load.load.max():.0%})."))
    args.tables = {"positions": load, "levels": summary.reset_index(),
                   "dependencies": counts.reset_index()}
    args.result = {
        "command": "describe", "scenario": scenario.name, "description": scenario.description,
        "seed": args.seed, "design": type(scenario.design).__name__,
        "discipline": type(scenario.design.discipline).__name__,
        "positions": g.number_of_nodes(), "customers": len(model.customers),
        "request_rate": scenario.customers.request_rate, "dependencies": g.number_of_edges(),
        "days": scenario.days, "replications": scenario.replications,
        "facing_rule": rule(g) if rule is not None else None,
        "highest_load": load.load.max(), "warnings": warnings,
        "levels": _records(args.tables["levels"]),
        "per_position": _records(load),
        "dependency_kinds": _records(args.tables["dependencies"])}
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for name, path in bundled().items():
        try:
            text = first_sentence(load_scenario(path, check_files=False).description)
        except (ScenarioError, OrgChartError) as err:
            text = f"(does not load: {err})"
        print(f"{name:<18} {text}")
    examples = sorted((bundled_dir() / "examples").glob("*.toml"))
    if examples:
        print(f"\nExamples to copy and edit (give the path; in {bundled_dir() / 'examples'}):")
        for path in examples:
            try:
                text = first_sentence(load_scenario(path, check_files=False).description)
            except (ScenarioError, OrgChartError) as err:
                text = f"(does not load: {err})"
            print(f"{path.name:<22} {text}")
    return 0


#: Solara's settings for a page with no network: no telemetry (and ``--no-check-version``). Its
#: asset proxy stays on: it serves the page's JavaScript and CSS from solara-assets.
OFFLINE = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}


def _cmd_live(args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess

    missing = [m for m in ("solara", "solara_assets", "matplotlib")
               if importlib.util.find_spec(m) is None]
    if missing:
        print(f"error: the live page needs {', '.join(missing)}: install the live extra, "
              "pip install -e '.[live]' (or 'service-chain[live]')", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"error: --port {args.port} is not allowed: 1 to 65535", file=sys.stderr)
        return 2
    app = Path(__file__).resolve().parents[1] / "live" / "app.py"
    command = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host,
               "--port", str(args.port), "--production", "--no-check-version"]
    if args.no_open:
        command.append("--no-open")
    print(f"serving the live page at http://{args.host}:{args.port} (Ctrl-C stops it)",
          file=sys.stderr)
    try:
        return subprocess.call(command, env={**os.environ, **OFFLINE})
    except KeyboardInterrupt:
        return 130


def _cmd_show(args: argparse.Namespace) -> int:
    from simulation.config.files import resolve, scenario_toml

    target = Path(args.output) if args.output else None
    if target is not None:  # before the scenario is read: a wrong name is refused at once
        if target.suffix.lower() != ".toml":
            raise UsageError(f"--output {args.output!r} is not allowed: a .toml file name")
        if target.is_dir():
            raise UsageError(f"--output {args.output}: is a folder; give a .toml file name")
        if target.exists() and not args.force:
            raise UsageError(f"--output {args.output}: exists; choose another name or add "
                             "--force")
        if not target.parent.is_dir():
            raise UsageError(f"--output {args.output}: no such folder {str(target.parent)!r}")
    scenario = _load(args.scenario)
    text = scenario_toml(scenario, str(resolve(args.scenario)))
    if target is None:
        sys.stdout.write(text)
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"Written to {target} (service-chain describe {target} to check it)")
    return 0


def _cmd_completion(args: argparse.Namespace) -> int:
    try:
        import shtab
    except ImportError:
        raise UsageError("completion scripts need shtab, a dependency of service-chain: "
                         "pip install shtab (or reinstall: pip install -e .)") from None
    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    text = render_docs() if args.docs else json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _say_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: object = None, line: str | None = None) -> None:
    """Warnings on the command line: one line, no source location."""
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``service-chain``: 0 on success, 2 on bad usage or bad input."""
    import warnings

    warnings.showwarning = _say_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    for key in ("runs", "days", "workers", "points", "max_runs"):
        value = getattr(args, key, None)
        if value is not None and value < 1:
            print(f"service-chain {args.command}: --{key.replace('_', '-')} = {value} is not "
                  "allowed: an integer >= 1", file=sys.stderr)
            return 2
    if getattr(args, "seed", None) is not None and args.seed < 0:
        print(f"service-chain {args.command}: --seed = {args.seed} is not allowed: an integer "
              ">= 0", file=sys.stderr)
        return 2
    try:
        report = getattr(args, "report", None)
        if report and report != DEMO_REPORT:  # before any run, not after them
            _html_name("--report", Path(report))
        data = ("json" if getattr(args, "json", False) else
                "csv" if getattr(args, "csv", False) else None)
        if getattr(args, "table", None) and data != "csv":
            raise UsageError(f"--table {args.table} names the table --csv prints: add --csv")
        with _dask(args) as executor:
            args.executor = executor
            if data is None:
                return _run_command(args)
            stdout = sys.stdout
            with contextlib.redirect_stdout(sys.stderr):  # the words to stderr, data to stdout
                code = _run_command(args)
        if data == "json":
            print(json.dumps(_plain(getattr(args, "result", None)), indent=1), file=stdout)
        else:
            _csv_table(args).to_csv(stdout, index=False)
        return code
    except (ScenarioError, OrgChartError, UsageError, ValueError, FolderBusyError) as err:
        print(f"service-chain {args.command}: error:\n{err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {_saved(args)}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as err:  # a read-only or full disk, a folder that cannot be made
        where = err.filename or getattr(args, "out", None) or getattr(args, "output", None)
        said = f"{where}: " if where else ""
        resumes = args.command in ("compare", "replicate", "sweep", "map", "demo")
        print(f"service-chain {args.command}: error:\n{said}{err.strerror or err}"
              + (". Runs already written are kept; fix this and run the same command again: "
                 "it resumes." if resumes else "."), file=sys.stderr)
        return 2


#: Seconds between progress lines when standard error is not a terminal (a batch job's log).
PROGRESS_EVERY = 10.0


def _progress(args: argparse.Namespace) -> bool | float:
    """A bar on a terminal, a line every few seconds in a log, nothing with --quiet."""
    if args.quiet:
        return False
    return True if sys.stderr.isatty() else PROGRESS_EVERY


@contextlib.contextmanager
def _dask(args: argparse.Namespace) -> Iterator[Any]:
    """The executor ``--dask`` names (None without it), its cluster closed at the end."""
    spec = getattr(args, "dask", None)
    if not spec:
        yield None
        return
    try:
        import distributed
    except ImportError:
        raise UsageError("--dask needs Dask's distributed scheduler: pip install "
                         "'service-chain[dask]'") from None
    allowed = "local, local:N (N >= 1), tcp://HOST:PORT or a scheduler file (.json)"
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and (not n.isdigit() or int(n) < 1):
            raise UsageError(f"--dask {spec!r} is not allowed: {allowed}")
        import logging

        with distributed.LocalCluster(n_workers=int(n) if n else args.workers or
                                      default_workers(), threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=logging.ERROR
                                      ) as cluster, distributed.Client(cluster) as client:
            yield client.get_executor()
        return
    if "://" in spec or spec.endswith(".json"):
        where = {"scheduler_file": spec} if spec.endswith(".json") else {"address": spec}
        if spec.endswith(".json") and not Path(spec).is_file():
            raise UsageError(f"--dask {spec}: no such scheduler file")
        try:
            client = distributed.Client(**where, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            raise UsageError(f"--dask {spec}: no scheduler answered ({err})") from None
        with client:
            yield client.get_executor()
        return
    raise UsageError(f"--dask {spec!r} is not allowed: {allowed}")


def _csv_table(args: argparse.Namespace) -> pd.DataFrame:
    """The table ``--csv`` prints: ``--table``'s, or the command's first."""
    name = args.table or args.csv_default
    tables = getattr(args, "tables", None) or {}
    if name not in tables:
        raise UsageError(f"--table {name}: {args.command} made no such table this time (it made "
                         f"{', '.join(tables) or 'none'})")
    return tables[name]


def _csv_tables(args: argparse.Namespace, out: Path | None) -> None:
    """Mark ``--out`` to keep CSV copies (``--csv-tables``); note the folders that keep them.

    The experiment writes the copies while it holds the folder (``run_experiment``); a folder
    marked before keeps them current without the flag.
    """
    args.csv_folders = []
    if args.csv_tables and out is None:
        raise UsageError("--csv-tables needs --out: the CSV copies are written beside the "
                         "Parquet tables in that folder")
    if out is None:
        return
    store = ResultStore(out)
    if args.csv_tables:
        try:
            store.keep_csv_copies()
        except FileExistsError as err:
            raise UsageError(f"--csv-tables: {err}") from None
    if store.keeps_csv_copies():
        args.csv_folders.append(out)


def _write_csv_copies(args: argparse.Namespace) -> None:
    """Say where the CSV copies are (the experiments wrote them, each folder's every run)."""
    for folder in getattr(args, "csv_folders", None) or []:
        written = ResultStore(folder).csv_copies()
        if written:
            print(f"CSV copies of the tables (every run in the folder): "
                  f"{', '.join(str(p) for p in written)}")


def _plain(value: Any) -> Any:
    """A result as JSON allows it: NaN and infinities as null, numpy numbers as Python's."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as a list of rows (JSON's way)."""
    return table.to_dict("records")


def _saved(args: argparse.Namespace) -> str:
    """What an interrupted command leaves: the runs saved, and how to go on."""
    resumable = args.command in ("compare", "replicate", "sweep", "map", "demo")
    out = getattr(args, "out", None)
    if not resumable:
        return "nothing to resume"
    if not out:
        return "no run was saved (without --out the runs stay in memory)"
    try:
        runs = ResultStore(Path(out)).read_runs()
        done = int((runs.status == "ok").sum()) if "status" in runs else len(runs)
    except Exception:  # the folder may not exist yet: say so, never a traceback
        done = 0
    return (f"{done} finished run{'s' if done != 1 else ''} saved in {out}; the same command "
            "resumes from there")


def _run_command(args: argparse.Namespace) -> int:
    """Run the command; with ``--or-new``, a folder of another experiment sends it to a new one."""
    while True:
        try:
            return args.func(args)
        except ExperimentMismatchError as err:
            if not getattr(args, "or_new", False) or not args.out:
                raise
            refused, args.out = args.out, str(_next_folder(Path(args.out)))
            print(f"note: {refused} holds another experiment ({_differences(err)}); trying "
                  f"{args.out} (--or-new)", file=sys.stderr)


def _next_folder(folder: Path) -> Path:
    """``out`` -> ``out-2`` -> ``out-3``: the same command finds its own folder again."""
    folder = folder.resolve()  # "." has no name to number
    match = re.fullmatch(r"(.*)-(\d+)", folder.name)
    stem, n = (match.group(1), int(match.group(2))) if match else (folder.name, 1)
    return folder.with_name(f"{stem}-{n + 1}")


def _differences(err: ExperimentMismatchError) -> str:
    text = str(err)
    return text.split(": holds a different experiment: ", 1)[-1].split(". Its runs", 1)[0]


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, each command bound to its handler."""
    return grammar.build_parser({
        "list": _cmd_list, "describe": _cmd_describe, "run": _cmd_run, "compare": _cmd_compare,
        "sweep": _cmd_sweep, "replicate": _cmd_replicate, "map": _cmd_map, "demo": _cmd_demo,
        "validate": _cmd_validate, "check-network": _cmd_check_network,
        "discover": _cmd_discover, "fit": _cmd_fit, "show": _cmd_show,
        "completion": _cmd_completion,
        "report": _cmd_report, "schema": _cmd_schema, "live": _cmd_live})
