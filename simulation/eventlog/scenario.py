"""A discovered service chain written as a scenario: a TOML file, its org chart and its map.

Each position's time per visit ``W`` (working days, measured) is shared between its server and a
hold (waiting on others: finished work the server no longer occupies). Two ways to share it:

- ``working``, where the log times work (start and complete events): the server's rate is one
  over the mean time working per visit, the hold the mean time waiting on others; queueing
  comes out of the model, and the fit shows whether it matches.
- ``split``, where the log has one timestamp per change and time in a "working" state is
  elapsed time, not effort (a ticketing system): the split is not in the log, so it rests on one
  stated assumption, the servers' utilisation ``u`` at the observed load. An M/M/1 server at
  that load has rate ``mu = lambda / u`` and mean sojourn ``S = u / (lambda (1 - u))``; the rest
  of the visit, ``W - S``, is the hold. Where ``S`` would exceed ``W`` the whole visit is the
  server's (``mu = lambda + 1 / W``, a lower load).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.core.shifts import shift_calendar
from simulation.eventlog.discover import Discovery, rotated

#: Servers' utilisation at the observed load (assumption: the log has elapsed times, not effort;
#: ``discover --utilisation`` sets it, and docs/eventlogs.md shows what it changes).
UTILISATION = 0.75
#: Requests a customer makes per working day (assumption; it sets only how many customers share
#: the measured demand, which the discovered scenario keeps fixed: no churn, no word of mouth).
REQUESTS_PER_CUSTOMER = 1.0 / 21.0


#: Rate of a position whose visits take no time (an org chart's rates are finite).
INSTANT = 1e6


@dataclass(frozen=True)
class Service:
    """A position's server rate and hold from its measured visits."""

    rate: float  # tasks per working day
    hold: float  # mean working days after the work, waiting on others
    load: float  # the server's utilisation at the observed visit rate


def split(visit_rate: float, sojourn: float, utilisation: float = UTILISATION) -> Service:
    """The server and the hold that give mean time ``sojourn`` per visit at ``visit_rate``."""
    if not 0.0 < utilisation < 1.0:
        raise ValueError(f"utilisation = {utilisation!r} is not allowed: in (0, 1)")
    if not (sojourn > 0.0 and visit_rate > 0.0):  # visits of no length (or none finished)
        return Service(INSTANT, 0.0, 0.0)
    server = utilisation / (visit_rate * (1.0 - utilisation))
    if server >= sojourn:
        rate = visit_rate + 1.0 / sojourn
        return Service(rate, 0.0, visit_rate / rate)
    return Service(visit_rate / utilisation, sojourn - server, utilisation)


SERVICES = ("auto", "working", "split")


def service_mode(discovery: Discovery, service: str = "auto") -> str:
    """``working`` or ``split``.

    ``auto`` is ``working`` where the log times work and no position's server would then be
    overloaded (a team working several cases at once is not one server: its visits are split).
    """
    if service not in SERVICES:
        raise ValueError(f"service = {service!r} is not allowed: one of {', '.join(SERVICES)}")
    if service == "auto":
        timed = discovery.timed_work and float(discovery.positions["working"].sum()) > 0.0
        return "working" if timed and overloaded(discovery) is None else "split"
    return service


def overloaded(discovery: Discovery) -> str | None:
    """Why timing work would overload a server (the worst position, in words), or None."""
    table = discovery.positions
    load = table["visit_rate"] * table["working"]
    if not len(table) or load.max() < 1.0:
        return None
    row = table.loc[load.idxmax()]
    return (f"position {row['position']!r}: {row['visit_rate']:.4g} visits a working day of "
            f"{row['working']:.4g} working days each would load its server {load.max():.3g} "
            "times over")


def timed(visit_rate: float, working: float, waiting: float) -> Service:
    """The server from the time working per visit, the hold from the time waiting on others."""
    hold = waiting if waiting > 0.0 else 0.0  # NaN: no finished visit
    if not working > 0.0:
        return Service(INSTANT, hold, 0.0)
    return Service(1.0 / working, hold, visit_rate * working)


def services(discovery: Discovery, utilisation: float = UTILISATION,
             service: str = "auto") -> pd.DataFrame:
    """The positions table with each one's ``server_rate``, ``hold`` and ``server_load``."""
    table = discovery.positions.copy()
    if service_mode(discovery, service) == "working":
        parts = [timed(v, a, o) for v, a, o in
                 zip(table["visit_rate"], table["working"], table["waiting"], strict=True)]
    else:
        parts = [split(v, w, utilisation) for v, w in
                 zip(table["visit_rate"], table["sojourn"], strict=True)]
    table["server_rate"] = [p.rate for p in parts]
    table["hold"] = [p.hold for p in parts]
    table["server_load"] = [p.load for p in parts]
    table["hold_cv"] = _hold_cv(discovery, table, service_mode(discovery, service))
    return table


def _hold_cv(discovery: Discovery, table: pd.DataFrame, mode: str) -> list[float]:
    """Each hold's coefficient of variation, from the finished visits, in [1, 100].

    ``working``: the spread of the time waiting per visit; ``split``: of each visit's time
    beyond the server's mean sojourn. Below 1 (or with fewer than 10 visits) it is 1, the
    exponential.
    """
    visits = discovery.visits
    finished = visits[visits["finished"]] if len(visits) else visits
    groups = dict(list(finished.groupby("position"))) if len(finished) else {}
    out = []
    for row in table.itertuples():
        part = groups.get(row.position)
        if part is None or len(part) < 10 or row.hold <= 0.0:
            out.append(1.0)
            continue
        if mode == "working":
            h = part["waiting"].to_numpy(dtype=float)
        else:
            server = 1.0 / (row.server_rate - row.visit_rate)
            h = np.clip(part["sojourn"].to_numpy(dtype=float) - server, 0.0, None)
        mean = h.mean()
        cv = h.std() / mean if mean > 0 else 1.0
        out.append(float(min(max(cv, 1.0), 100.0)))
    return out


def _number(x: float) -> str:
    return f"{x:.6g}"


def _csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def shifts(discovery: Discovery) -> dict[str, tuple[float, float, str]]:
    """Each position's own working calendar: ``(shift_start, shift_end, workdays)``.

    Only where it differs from the organization's. The shift is the position's working hours
    as fractions of the organization's working day; ``workdays`` marks the organization's
    working weekdays the position works, as a cycle from the scenario's first day
    (:mod:`simulation.core.shifts`). Positions with too few events of their own have none.
    """
    org = discovery.calendar
    out = {}
    for row in discovery.positions.itertuples():
        if not row.shift_weekdays:
            continue
        days = {int(d) for d in row.shift_weekdays.split(",")}
        low, high = row.shift_hours
        start = round(min(max((low - org.start) / org.hours, 0.0), 1.0), 6)
        end = round(min(max((high - org.start) / org.hours, 0.0), 1.0), 6)
        marks = rotated(["1" if d in days else "0" for d in org.weekdays],
                        discovery.summary["first_day"])
        workdays = "".join(marks)
        if end <= start or "1" not in workdays or shift_calendar(start, end, workdays) is None:
            continue
        out[row.position] = (start, end, workdays)
    return out


def scenario_files(discovery: Discovery, stem: str, utilisation: float = UTILISATION,
                   service: str = "auto", calendars: bool = False) -> dict[str, str]:
    """File name to contents: ``<stem>.toml``, its org chart, its map and the discovery record.

    With ``calendars``, positions whose own activity (work, passing on, resolving) keeps other
    hours or days than the organization's get them as working calendars (:func:`shifts`); a
    split visit's server then works the stated utilisation in its own hours (its rate divided by
    its share of the organization's working time).

    Raises:
        ValueError: where a position's server would be overloaded (``working`` on a log whose
            working time is elapsed time), naming it.
    """
    mode = service_mode(discovery, service)
    if mode == "working" and (why := overloaded(discovery)) is not None:
        raise ValueError(f"{discovery.source}: {why}: the log's time working is elapsed time, "
                         "or a team works several cases at once (try --level person); discover "
                         "with --service split (a stated utilisation)")
    table = services(discovery, utilisation, mode)
    person = discovery.level == "person"
    shifted = shifts(discovery) if calendars else {}
    chart = [["employee_id", "name", "role", "department", "manager_id", "customer_facing",
              "demand", "rate", "hold", "hold_cv",
              *(["shift_start", "shift_end", "workdays"] if shifted else [])]]
    for row in table.itertuples():
        facing = row.last > 0
        rate = row.server_rate
        shift = shifted.get(row.position)
        if shift is not None and mode == "split":  # busy u of its own hours, not of the day
            rate = rate / ((shift[1] - shift[0]) * shift[2].count("1") / len(shift[2]))
        chart.append([row.position, row.position, row.team if person else row.position,
                      row.team if person else "organization", "", "yes" if facing else "no",
                      int(row.last) if facing else "", _number(rate),
                      _number(row.hold), _number(row.hold_cv),
                      *([*shift[:2], shift[2]] if shift else ["", "", ""] if shifted else [])])
    routing = discovery.reversed_routing()
    mapping = [["employee", "relies_on", "need", "how_often", "exclusive"]]
    for target, rows in routing.groupby("target", sort=True):
        probabilities = _at_most_one(rows["probability"].to_numpy())
        for source, need, p in zip(rows["source"], rows["need"], probabilities, strict=True):
            if p > 0.0:  # the need the log gives the hand-over, else information (assumption)
                mapping.append([target, source, need or "information", f"{p:.10f}", "yes"])
    s = discovery.summary
    has_map = len(mapping) > 1  # no hand-over at all: no internal-customer map
    days = max(1, math.ceil(s["working_days"]))
    lasts = table.loc[table["last"] > 0, "last"]
    customers = max(1, round(s["arrival_rate"] / REQUESTS_PER_CUSTOMER),
                    math.ceil(lasts.sum() / lasts.min()))  # every facing position seats one
    depth = int(min(50, max(6, s["longest_route"])))
    chart_name, map_name = f"{stem}_org_chart.csv", f"{stem}_internal_customers.csv"
    toml = "\n".join([
        f"name = {json.dumps(stem)}",
        f"description = {json.dumps(_description(discovery, utilisation, mode))}",
        f"days = {days}",
        "",
        "[organization]",
        'builder = "org_chart"',
        f"org_chart = {json.dumps(chart_name)}",
        *([f"internal_customers = {json.dumps(map_name)}"] if has_map else []),
        "approval_prob = 0.0",
        "",
        "[work]",
        "# hand-overs in the log are instantaneous: the wait after one is the next position's",
        "handoff_delay = 0.0",
        "rework = 0.0",
        f"max_depth = {depth}",
        "",
        "[people]",
        "# morale, learning and quits are not in the log: switch on to study them (the",
        "# model's defaults, from the literature, not from this organization)",
        "enabled = false",
        "",
        "[customers]",
        f"# {s['arrival_rate']:.6g} cases per working day, measured; customers neither leave",
        "# nor talk (not in the log)",
        f"count = {customers}",
        f"request_rate = {s['arrival_rate'] / customers:.10g}",
        "# cases opened over the working day (equal parts) and over the week (from day 0)",
        f"hourly = [{', '.join(f'{x:.6g}' for x in s['hourly'])}]",
        f"weekly = [{', '.join(f'{x:.6g}' for x in rotated(s['weekly'], s['first_day']))}]",
        "churn = false",
        "word_of_mouth = false",
        "acquisition_per_day = 0.0",
        "failure_demand = 0.0",
        "",
    ])
    record = {
        "source": discovery.source, "level": discovery.level, "service": mode,
        "utilisation": utilisation if mode == "split" else None,
        "summary": {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in s.items()},
        "calendar": {"weekdays": list(discovery.calendar.weekdays),
                     "start": discovery.calendar.start, "end": discovery.calendar.end},
        "arrivals_per_week_by_weekday_and_hour": discovery.arrivals.round(4).to_numpy()
        .tolist(),
        "positions": json.loads(table.replace([np.inf], None).to_json(orient="records")),
    }
    files = {f"{stem}.toml": toml, chart_name: _csv(chart), map_name: _csv(mapping),
             f"{stem}_discovery.json": json.dumps(record, indent=1) + "\n"}
    if not has_map:
        del files[map_name]
    return files


def _at_most_one(p: np.ndarray) -> np.ndarray:
    """Probabilities rounded down to 10 places, so their sum stays at most 1."""
    return np.floor(p * 1e10) / 1e10


def _description(discovery: Discovery, utilisation: float, mode: str) -> str:
    s = discovery.summary
    how = ("the time working and waiting on others per visit are measured" if mode == "working"
           else "the split of each visit between work and waiting on others assumes servers "
                f"{utilisation:.0%} busy")
    return (f"Discovered by service-chain discover from {Path(discovery.source).name}: "
            f"{s['cases']} cases opened {s['period_start'][:10]} to {s['period_end'][:10]}, "
            f"{s['positions']} positions ({discovery.level} level), calendar "
            f"{s['calendar']} (one model day is one working day). Routing, demand and time "
            f"per visit are measured; {how}. "
            + ("Each hand-over's need is the log's." if (discovery.transitions["need"] != "").any()
               else "The log does not say what hand-overs need: each is information "
                    "(assumption)."))


def write_scenario(discovery: Discovery, out: str | Path, utilisation: float = UTILISATION,
                   service: str = "auto", calendars: bool = False) -> list[Path]:
    """Write the scenario ``out`` (a .toml path) and its files beside it; returns the paths."""
    out = Path(out)
    stem = out.name.removesuffix(".toml")
    written = []
    for name, text in scenario_files(discovery, stem, utilisation, service, calendars).items():
        path = out.parent / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
