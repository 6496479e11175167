"""Fit, measured: a scenario's simulated log against a real log on a held-out period.

The log's period is split in time: discovery sees the first part (70% of the span of case
starts in working time by default; the calendar is the whole period's), the comparison the
rest. The model is run over the held-out period, after a
warm-up, and its log is compared with the real one on the measures process-simulation studies
use (Chapela-Campa et al. 2023, *Can I trust my simulation model?*, and their
``log-distance-measures``, whose definitions are followed; the library itself pins pandas below
3): case durations (Earth mover's distance and quantiles), arrivals, hand-overs per case, the
3-gram distance of routes (control flow), and each position's time per visit. Beside the model
stands a baseline that knows nothing of queues: the training period's own cases, as if the
future were the past. A model earns trust where it is no further from the held-out log than
that baseline.
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

from simulation.config.files import load_scenario
from simulation.config.scenario import Scenario
from simulation.eventlog.calendar import Calendar, discover_calendar
from simulation.eventlog.discover import Discovery, busy_period, discover, rotated
from simulation.eventlog.read import EventLog, LogError, from_frame
from simulation.eventlog.scenario import UTILISATION, scenario_files
from simulation.eventlog.write import simulated_log
from simulation.model.orgmodel import OrgModel

#: Share of the period's span that discovery sees.
TRAIN_SHARE = 0.7
#: Working days the model runs before the held-out period (it starts empty).
WARM_UP = 20
#: Most working days the model runs on after the held-out period for its cases to finish.
RUN_OUT = 2000


@dataclass(frozen=True)
class FitResult:
    """The fit table and what it was measured on.

    Attributes:
        table: One row per measure: ``measure``, ``unit``, ``held_out`` (the real value where
            one applies), ``model`` and ``baseline`` (their values), ``model_distance`` and
            ``baseline_distance`` (from the held-out log; smaller is closer).
        positions: Per position, mean time per visit (working days) in the held-out log, the
            model and the baseline, with visits.
        split: When the held-out period starts; ``period`` its first and last case start.
        scenario: The scenario simulated.
        notes: What the reader should know (cases, replications, warm-up).
    """

    table: pd.DataFrame
    positions: pd.DataFrame
    split: pd.Timestamp
    period: tuple[pd.Timestamp, pd.Timestamp]
    scenario: Scenario
    notes: list[str]


def fit(log: EventLog, scenario: Scenario | None = None, level: str = "team",
        train_share: float = TRAIN_SHARE, replications: int = 3, seed: int = 2026,
        utilisation: float = UTILISATION, service: str = "auto",
        period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
        warm_up: int = WARM_UP) -> FitResult:
    """Discover on the first part of ``log`` (unless a ``scenario`` is given), simulate the rest.

    Raises:
        LogError: where a part of the period has no finished case to compare.
    """
    if not 0.0 < train_share < 1.0:
        raise ValueError(f"train_share = {train_share!r} is not allowed: in (0, 1)")
    if replications < 1:
        raise ValueError(f"replications = {replications!r} is not allowed: at least 1")
    first, last = period or busy_period(log.case_start)
    calendar = discover_calendar(log.between(first, last).events["time"])
    span = calendar.working_days(pd.Series([first, last]))
    split = calendar.wall_clock(np.array([span[0] + train_share * (span[1] - span[0])]))[0]
    train = discover(log, level, calendar, (first, split - pd.Timedelta(1, "ns")))
    held = discover(log, level, calendar, (split, last))
    notes = [f"discovered on {train.summary['cases']} cases opened {first:%Y-%m-%d %H:%M} to "
             f"{split:%Y-%m-%d %H:%M}; compared on {held.summary['cases']} opened from then to "
             f"{last:%Y-%m-%d %H:%M}"]
    discovered = scenario is None
    if scenario is None:
        scenario = _discovered(train, utilisation, service)
    else:
        notes.append("the scenario was given: if it was discovered from this log's held-out "
                     "period too, the comparison is not held out")
    days = math.ceil(held.summary["working_days"])
    first_day = train.summary["first_day"] if discovered else None
    sim = _simulate(scenario, calendar, split, days + 1, warm_up, replications, seed, level,
                    (split, last), first_day)
    notes.append(f"the model: {replications} replication(s) of {warm_up} working days of "
                 f"warm-up and {days} of the held-out period, {sim.summary['cases']:.0f} cases "
                 "each" + (f"; {sim.summary['open']:.0f} still open after {RUN_OUT} more days "
                           "(counted at their age)" if sim.summary["open"] else ""))
    if held.summary["open"]:
        notes.append(f"{held.summary['open']} held-out cases still open at the end of the log "
                     "count at their age (a lower bound)")
    table = _measures(held, sim, train, calendar, log.between(split, last + pd.Timedelta(1, "ns")))
    return FitResult(table, _positions(held, sim, train), split, (first, last), scenario, notes)


def _discovered(train: Discovery, utilisation: float, service: str) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        for name, text in scenario_files(train, "fit", utilisation, service).items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        scenario = load_scenario(Path(folder) / "fit.toml")
        return replace(scenario, design=scenario.design.with_contents())


def _simulate(scenario: Scenario, calendar: Calendar, split: pd.Timestamp, days: int,
              warm_up: int, replications: int, seed: int, level: str,
              period: tuple[pd.Timestamp, pd.Timestamp], first_day: int | None) -> Discovery:
    """The model's cases arriving in the held-out period, pooled over replications."""
    scenario = replace(scenario, keep_records=True)
    origin = math.floor(calendar.working_days(pd.Series([split]))[0]) - warm_up  # a day's start
    if first_day is not None and scenario.customers.weekly is not None:  # the week from origin
        week = rotated(list(scenario.customers.weekly), origin - first_day)
        scenario = replace(scenario, customers=replace(scenario.customers, weekly=tuple(week)))
    start = calendar.wall_clock(np.array([origin]))[0]
    frames = []
    seeds = np.random.SeedSequence(seed).generate_state(replications)
    for k, s in enumerate(seeds):
        model = OrgModel(scenario, rng=int(s))
        model.run(warm_up + days)
        model.run_out(RUN_OUT)  # every case of the window to its end (its age if never)
        frame = simulated_log(model, calendar, start)
        frame["case"] = f"r{k}-" + frame["case"]
        frames.append(frame)
    log = from_frame(pd.concat(frames, ignore_index=True))
    found = discover(log, level, calendar, period)
    summary = {**found.summary, "cases": found.summary["cases"] / replications,
               "open": found.summary["open"] / replications,
               "arrival_rate": found.summary["arrival_rate"] / replications}
    positions = found.positions.copy()
    for column in ("visits", "finished_visits", "first", "last"):
        positions[column] = positions[column] / replications  # per replication
    return replace(found, summary=summary, positions=positions)


def _durations(found: Discovery) -> np.ndarray:
    """Every case's duration: a finished one's, an open one's age at the end of its log."""
    cases = found.cases
    end = np.where(cases["done"], cases["end"], found.summary["log_end"])
    return (end - cases["arrival"]).to_numpy(dtype=float)


def _routes(found: Discovery) -> list[list[str]]:
    finished = found.visits[found.visits["finished"]]
    return finished.groupby("case", sort=False)["position"].agg(list).tolist()


def ngram_distance(a: list[list[str]], b: list[list[str]], n: int = 3) -> float:
    """Distance of the n-gram frequencies of two sets of routes, in [0, 1].

    Each route is padded with ``n - 1`` start and end marks, as ``log-distance-measures``
    defines it; the frequencies are per route, so sets of different sizes compare (the library
    counts absolute frequencies of logs of equal size). The sum of absolute differences over
    the sum of both: 0 for the same routes in the same shares, 1 for no n-gram in common.
    """
    def grams(routes: list[list[str]]) -> dict:
        counts: Counter = Counter()
        for route in routes:
            padded = [None] * (n - 1) + list(route) + [None] * (n - 1)
            counts.update(tuple(padded[i:i + n]) for i in range(len(padded) - n + 1))
        size = max(len(routes), 1)
        return {k: v / size for k, v in counts.items()}

    ga, gb = grams(a), grams(b)
    total = sum(ga.values()) + sum(gb.values())
    if not total:
        return 0.0
    return sum(abs(ga.get(k, 0.0) - gb.get(k, 0.0)) for k in set(ga) | set(gb)) / total


def _time_of_day(found: Discovery) -> np.ndarray:
    arrival = found.cases["arrival"].to_numpy(dtype=float)
    return arrival - np.floor(arrival)


def _measures(held: Discovery, sim: Discovery, train: Discovery, calendar: Calendar,
              held_log: EventLog) -> pd.DataFrame:
    if not held.cases["done"].any():
        raise LogError(f"{held_log.source}: no case of the held-out period is finished: "
                       "nothing to compare")
    real_d, sim_d, base_d = _durations(held), _durations(sim), _durations(train)
    rows = []

    def row(measure: str, unit: str, real: float, model: float, base: float,
            dm: float, db: float) -> None:
        rows.append({"measure": measure, "unit": unit, "held_out": real, "model": model,
                     "baseline": base, "model_distance": dm, "baseline_distance": db})

    row("case duration: Earth mover's distance", "working days", math.nan, math.nan, math.nan,
        wasserstein_distance(real_d, sim_d), wasserstein_distance(real_d, base_d))
    for q in (0.5, 0.9, 0.95):
        r, m, b = (float(np.quantile(x, q)) for x in (real_d, sim_d, base_d))
        row(f"case duration: {round(q * 100)}th percentile", "working days", r, m, b,
            abs(m - r), abs(b - r))
    r, m, b = (float(x.mean()) for x in (real_d, sim_d, base_d))
    row("case duration: mean", "working days", r, m, b, abs(m - r), abs(b - r))
    r, m, b = (h.summary["arrival_rate"] for h in (held, sim, train))
    row("arrivals: cases per working day", "cases", r, m, b, abs(m - r), abs(b - r))
    real_t, sim_t, base_t = (_time_of_day(h) for h in (held, sim, train))
    row("arrivals: time of the working day, Earth mover's distance", "working days", math.nan,
        math.nan, math.nan, wasserstein_distance(real_t, sim_t),
        wasserstein_distance(real_t, base_t))
    routes = [_routes(h) for h in (held, sim, train)]
    lengths = [np.array([len(x) - 1 for x in r], dtype=float) for r in routes]
    r, m, b = (float(x.mean()) for x in lengths)
    row("hand-overs per case: mean", "hand-overs", r, m, b, abs(m - r), abs(b - r))
    row("hand-overs per case: Earth mover's distance", "hand-overs", math.nan, math.nan,
        math.nan, wasserstein_distance(lengths[0], lengths[1]),
        wasserstein_distance(lengths[0], lengths[2]))
    row("routes: 3-gram distance (control flow)", "0 to 1", math.nan, math.nan, math.nan,
        ngram_distance(routes[0], routes[1]), ngram_distance(routes[0], routes[2]))
    pos = _positions(held, sim, train)
    weights = pos["visits_held_out"].to_numpy(dtype=float)
    for kind in ("queued", "working", "waiting", "sojourn"):
        real = pos[f"{kind}_held_out"].to_numpy(dtype=float)
        model = np.nan_to_num(pos[f"{kind}_model"].to_numpy(dtype=float))
        base = np.nan_to_num(pos[f"{kind}_baseline"].to_numpy(dtype=float))
        ok = ~np.isnan(real)
        w = weights[ok] / weights[ok].sum() if weights[ok].sum() else weights[ok]
        row(f"time per visit {kind}: mean absolute error over positions (visit-weighted)",
            "working days", math.nan, math.nan, math.nan,
            float(np.sum(w * np.abs(model[ok] - real[ok]))),
            float(np.sum(w * np.abs(base[ok] - real[ok]))))
    return pd.DataFrame(rows)


def _positions(held: Discovery, sim: Discovery, train: Discovery) -> pd.DataFrame:
    cols = ["queued", "working", "waiting", "sojourn"]
    parts = []
    for name, found in (("held_out", held), ("model", sim), ("baseline", train)):
        t = found.positions.set_index("position")[[*cols, "finished_visits"]]
        t = t.rename(columns={"finished_visits": "visits", **{c: c for c in cols}})
        parts.append(t.add_suffix(f"_{name}"))
    table = parts[0].join(parts[1:], how="left")
    return table.sort_values("visits_held_out", ascending=False).reset_index()


def markdown(result: FitResult) -> str:
    """The fit table as Markdown, with what it was measured on and how to read it."""
    lines = ["| measure | unit | held-out log | model | baseline | model's distance | "
             "baseline's distance |", "|---|---|---:|---:|---:|---:|---:|"]

    def cell(x: float) -> str:
        return "" if isinstance(x, float) and math.isnan(x) else f"{x:.4g}"

    for r in result.table.itertuples():
        closer = "**" if r.model_distance <= r.baseline_distance else ""
        lines.append(f"| {r.measure} | {r.unit} | {cell(r.held_out)} | {cell(r.model)} | "
                     f"{cell(r.baseline)} | {closer}{cell(r.model_distance)}{closer} | "
                     f"{cell(r.baseline_distance)} |")
    better = int((result.table.model_distance <= result.table.baseline_distance).sum())
    notes = "\n".join(f"- {n}" for n in result.notes)
    name = ("the scenario discovered from the first part" if result.scenario.name == "fit"
            else f"scenario {result.scenario.name!r}")
    return (f"Fit of {name} on the held-out period from "
            f"{result.split:%Y-%m-%d %H:%M}\n\n{notes}\n- baseline: the training period's own "
            "cases, as if the future were the past\n- the model is as close as the baseline or "
            f"closer (bold) on {better} of {len(result.table)} measures\n\n" + "\n".join(lines))
