"""Discovery: a service chain from an event log.

Each case becomes a route of *visits*: the spells it spent with one position (a team, or a
person), from the moment the position took it until it passed it on or resolved it, split into
time queued, working and waiting on others, all on the working-time clock of the log's calendar.
From the routes come

- **routing**: how often work goes from each position to each other (first-order Markov, so a
  ticket that goes back and forth keeps every visit);
- **demand**: cases per working day, where they start and where they are resolved;
- **service**: each position's visit rate and mean time per visit, turned into a service rate by
  the M/M/1 sojourn ``W = 1 / (mu - lambda)`` (a team as one server that shares its attention
  over the tickets it holds: processor sharing has the same mean sojourn);
- **calendars** of the organization and of each position.

The model serves a request by first gathering its inputs (fork-join), so a route is written
backwards: the position that resolves a case faces its customer, and each position's exclusive
inputs are the positions that hand it work, with the shares of its visits they hand it
(:func:`reversed_routing`). The reversed route of a Markov route is Markov with the same visits.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.eventlog.calendar import Calendar, discover_calendar
from simulation.eventlog.read import EventLog, LogError
from simulation.eventlog.states import Kind

LEVELS = ("team", "person")
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class Discovery:
    """What a log says about its organization, on the working-time clock.

    Attributes:
        positions: One row per position: ``position``, ``team``, ``visits``, ``first`` (cases
            starting there), ``last`` (cases resolved there), mean ``queued``, ``working``,
            ``waiting`` and ``sojourn`` per finished visit (working days), ``visit_rate``
            (visits per working day), ``rate`` (service rate, tasks per working day), ``load``,
            ``calendar``.
        transitions: ``source``, ``target``, ``count`` of hand-overs among the finished cases.
        arrivals: Cases opened by weekday (rows) and hour (columns), per week of the period.
        calendar: The organization's working calendar (the clock all times are on).
        summary: Counts and spans: cases, finished, open, one-event, period, working days,
            arrival rate, hand-overs, ping-pong cases, longest route.
        level: ``team`` or ``person``.
        source: The log read.
        visits: Every visit: ``case``, ``position``, ``begin``, ``end``, ``queued``,
            ``working``, ``waiting``, ``sojourn`` (working days), ``finished``.
        timed_work: Whether the log times work (start and complete events).
        cases: Every case: ``case``, ``arrival``, ``end`` (working days; NaN while open),
            ``done``.
    """

    positions: pd.DataFrame
    transitions: pd.DataFrame
    arrivals: pd.DataFrame
    calendar: Calendar
    summary: dict
    level: str
    source: str
    visits: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    timed_work: bool = False
    cases: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def routing(self) -> pd.DataFrame:
        """Forward probabilities: of the visits to ``source``, the share handed to ``target``."""
        visits = self.positions.set_index("position")["visits"]
        table = self.transitions.copy()
        table["probability"] = table["count"] / table["source"].map(visits).to_numpy()
        return table

    def reversed_routing(self) -> pd.DataFrame:
        """The model's inputs: of the visits to ``target``, the share that ``source`` handed it.

        What is left of each target's visits (its ``first``) are the cases that start there.
        Routes of cases still open at the end of the log count as far as they have gone.
        """
        visits = self.positions.set_index("position")["visits"]
        table = self.transitions.copy()
        table["probability"] = table["count"] / table["target"].map(visits).to_numpy()
        return table


def restricted_mean(durations: np.ndarray, finished: np.ndarray) -> float:
    """The Kaplan-Meier mean of durations some of which are still running (censored).

    The area under the product-limit survival curve up to the longest duration seen: the sample
    mean when nothing is censored; longer than the finished ones' mean when the long ones are
    the ones still running at the end of the log (as they are).
    """
    if not len(durations):
        return math.nan
    order = np.lexsort((~finished, durations))  # at equal times, endings before censorings
    d, done = durations[order], finished[order]
    at_risk = len(d) - np.arange(len(d))
    survival = np.cumprod(np.where(done, 1.0 - 1.0 / at_risk, 1.0))
    before = np.concatenate([[0.0], d[:-1]])
    alive = np.concatenate([[1.0], survival[:-1]])
    return float(np.sum(alive * (d - before)))


def position_keys(events: pd.DataFrame, level: str) -> pd.Series:
    """Who holds the case after each event: its team (or person), gaps filled within the case.

    A missing team takes the case's previous known team (else its next); a case with none is
    ``(unassigned)``. At the person level a missing person is the team's unassigned queue.
    """
    if level not in LEVELS:
        raise LogError(f"level {level!r} is not allowed: team or person")
    team = events["team"].astype(object).replace("", np.nan)
    by_case = team.groupby(events["case"].to_numpy(), sort=False)
    team = by_case.ffill().fillna(team.groupby(events["case"].to_numpy(), sort=False).bfill())
    team = team.fillna(UNASSIGNED)
    if level == "team":
        return team
    person = events["resource"].astype(object).replace("", np.nan)
    return person.fillna(team + " " + UNASSIGNED)


#: A week with fewer cases than this share of the busiest week's, at either end of the log, is
#: outside its period (an assumption: the sparse tails of an export are not its steady demand).
BUSY_SHARE = 0.05
#: Events of its own (work, passing on, resolving) a position needs for its calendar.
CALENDAR_EVENTS = 50
#: Share of its busiest weekday's own events a weekday needs to be one of a position's working
#: days (assumption): lower than the organization's (``DAY_SHARE``), as the day after a day off
#: clears that day's backlog and is twice as busy as the rest.
POSITION_DAY_SHARE = 0.25


def busy_period(starts: pd.Series, share: float = BUSY_SHARE) -> tuple[pd.Timestamp,
                                                                        pd.Timestamp]:
    """``[first, last]`` case start of the run of weeks from the first to the last busy week."""
    week = starts.dt.to_period("W")
    counts = week.value_counts()
    busy = counts.index[counts >= share * counts.max()]
    inside = starts[(week >= busy.min()) & (week <= busy.max())]
    return inside.min(), inside.max()


def discover(log: EventLog, level: str = "team", calendar: Calendar | None = None,
             period: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> Discovery:
    """Discover positions, routing, demand, service and calendars from ``log``.

    Args:
        log: The log.
        level: ``team`` or ``person``: what a position is.
        calendar: The working calendar (default: discovered from the log's times).
        period: First and last case start to use, inclusive (default: :func:`busy_period`).

    Raises:
        LogError: where the log has nothing to measure.
    """
    if level not in LEVELS:
        raise LogError(f"level {level!r} is not allowed: team or person")
    whole = log
    first, last = period or busy_period(log.case_start)
    log = log.between(first, last + pd.Timedelta(1, "ns"))
    if log.events.empty:
        raise LogError(f"{log.source}: no case starts between {first} and {last}")
    events = log.events
    times = events["time"]
    if (times == times.dt.normalize()).all():
        raise LogError(f"{log.source}: every time is at midnight (dates without a time of day): "
                       "how long a case stays anywhere within a day cannot be measured; the "
                       "log needs times of day")
    if level == "person" and (events["resource"] == "").all():
        raise LogError(f"{log.source}: no event names a person (no resource column, or every "
                       "value missing): --level person needs one; name it with --resource, "
                       "or discover at the team level")
    calendar = calendar or discover_calendar(times)
    key = position_keys(events, level)
    team = position_keys(events, "team")
    work_time = calendar.working_days(events["time"])
    case = events["case"].to_numpy()
    kind = events["kind"].to_numpy()
    visits, cases = _visits(case, kind, key.to_numpy(), work_time,
                            calendar.working_days(log.case_start.reindex(pd.unique(case))),
                            events["need"].to_numpy(dtype=object) if "need" in events
                            else np.full(len(case), "", dtype=object))
    if visits.empty:
        raise LogError(f"{log.source}: no case holds a position for any time: nothing to "
                       "measure")
    export = float(calendar.working_days(pd.Series([whole.events["time"].max()]))[0])
    running = ~visits["finished"]  # the last spell of a case still open: its age at the end
    visits.loc[running, "sojourn"] = export - visits.loc[running, "begin"]
    if not cases["done"].any():
        raise LogError(f"{log.source}: no case reaches a done state (resolved or closed): "
                       "nothing shows where work ends or how long it took; map the states "
                       "that end a case to done (--map-state 'NAME=done')")
    finished = visits[visits["finished"]]
    start_w = float(cases["arrival"].min())
    end_w = float(cases["arrival"].max())
    span = end_w - start_w
    if span * calendar.hours < 1.0:
        raise LogError(f"{log.source}: the cases start within {span * calendar.hours * 60:.0f} "
                       f"minutes of working time ({calendar.describe()}): too short a period "
                       "to measure demand over; at least an hour of working time is needed")
    done = cases[cases["done"]]
    routes = visits.groupby("case", sort=False)["position"].agg(list)  # open cases' so far
    pairs = [pair for route in routes for pair in itertools.pairwise(route)]
    transitions = (pd.DataFrame(pairs, columns=["source", "target"]).value_counts()
                   .rename("count").reset_index()
                   if pairs else pd.DataFrame({"source": [], "target": [], "count": []}))
    transitions["need"] = _hand_over_needs(routes, visits, transitions)
    ping_pong = sum(any(r[i] == r[i + 2] for i in range(len(r) - 2)) for r in routes)
    positions = _positions(visits, finished, routes, set(done["case"]), span, events, key, team)
    opened = log.case_start
    arrivals = pd.crosstab(opened.dt.day_of_week, opened.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0)
    weeks = max((opened.max() - opened.min()) / pd.Timedelta(days=7), 1.0)
    arrivals = arrivals / weeks
    lengths = routes[routes.index.isin(done["case"])].map(len)
    hourly, weekly = _profiles(cases["arrival"].to_numpy(dtype=float), calendar)
    summary = {
        "period_start": str(first), "period_end": str(last),
        "outside_period": int(whole.cases - log.cases),
        "cases": len(cases), "finished": len(done), "open": int((~cases["done"]).sum()),
        "one_event": int((events.groupby("case", sort=False).size() == 1).sum()),
        "first_case": str(opened.min()), "last_case": str(opened.max()),
        "working_days": span, "arrival_rate": float(len(cases) / span),
        "handovers": len(pairs), "ping_pong_cases": int(ping_pong),
        "longest_route": int(lengths.max()) if len(lengths) else 0,
        "route_p99": float(np.percentile(lengths, 99)) if len(lengths) else 0.0,
        "mean_duration": restricted_mean(
            np.where(cases["done"], cases["end"], export) - cases["arrival"],
            cases["done"].to_numpy()),
        "calendar": calendar.describe(), "hours_per_day": calendar.hours,
        "positions": len(positions), "level": level, "first_day": math.floor(start_w),
        "hourly": hourly, "weekly": weekly, "log_end": export,
    }
    return Discovery(positions, transitions, arrivals, calendar, summary, level, log.source,
                     visits, log.timed_work, cases)


def _profiles(arrival: np.ndarray, calendar: Calendar) -> tuple[list[float], list[float]]:
    """Cases opened per hour of the working day, and per working day of the week (mean a day).

    On the working clock, as the model will see them: a case opened outside working time
    counts at the start of the next working time. The week's days in the calendar's order.
    """
    parts = max(1, round(calendar.hours))
    day = np.floor(arrival)
    hour = np.minimum((arrival - day) * parts, parts - 1).astype(int)
    hourly = np.bincount(hour, minlength=parts).astype(float)
    n = len(calendar.weekdays)
    days = np.arange(day.min(), day.max() + 1)
    seen = np.bincount((days % n).astype(int), minlength=n)
    counts = np.bincount((day % n).astype(int), minlength=n)
    weekly = np.divide(counts, seen, out=np.full(n, np.nan), where=seen > 0)
    weekly[np.isnan(weekly)] = np.nanmean(weekly)  # a weekday the period never had: the mean
    return hourly.tolist(), weekly.tolist()


def rotated(week: list[float], shift: int) -> list[float]:
    """A week's values as seen from ``shift`` days later (day ``j`` takes ``shift + j``)."""
    n = len(week)
    return [week[(shift + j) % n] for j in range(n)]


def _hand_over_needs(routes: pd.Series, visits: pd.DataFrame,
                     transitions: pd.DataFrame) -> list[str]:
    """Each hand-over's need: the one the log gives most often to the visits handing over.

    What the source was asked for, which the target relies on it for once the routes are
    reversed into inputs ("" where the log gives none; ties to the first alphabetically).
    """
    asked = visits.groupby("case", sort=False)["need"].agg(list)
    rows = [(a, b, n) for route, needs in zip(routes, asked, strict=True)
            for (a, b), n in zip(itertools.pairwise(route), needs[:-1], strict=True) if n]
    if not rows:
        return [""] * len(transitions)
    counts = pd.DataFrame(rows, columns=["source", "target", "need"]).value_counts().reset_index()
    counts = counts.sort_values(["source", "target", "count", "need"],
                                ascending=[True, True, False, True])
    first = counts.drop_duplicates(["source", "target"]).set_index(["source", "target"])["need"]
    return [first.get((s, t), "") for s, t in zip(transitions["source"], transitions["target"],
                                                 strict=True)]


def _visits(case: np.ndarray, kind: np.ndarray, key: np.ndarray, w: np.ndarray,
            arrival: np.ndarray, need: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each case's visits (position spells) and the case's arrival, end and whether resolved.

    A case ends at the first event of its last run of done states (later events only close it);
    a spell in a done state before that (a resolution reopened) counts as waiting. A case
    resolved at its first event (at first contact) is one visit to the position on that event,
    from when the case was opened. A visit's ``need`` is the first its events say ("" if none).
    """
    n = len(case)
    bounds = np.flatnonzero(np.r_[True, case[1:] != case[:-1], True])
    rows: list[tuple] = []
    case_rows: list[tuple] = []
    done_kind, working, waiting = Kind.DONE.value, Kind.WORKING.value, Kind.WAITING.value
    for c, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        kinds = kind[lo:hi]
        not_done = np.flatnonzero(kinds != done_kind)
        resolved = not len(not_done) or not_done[-1] < hi - lo - 1
        stop = lo + not_done[-1] + 1 if len(not_done) else lo  # index of the resolving event
        end = w[stop] if resolved else np.nan
        start = min(arrival[c], w[lo])
        case_rows.append((case[lo], start, end, resolved))
        if not len(not_done):  # resolved at its first event: one visit, opened to resolved
            rows.append((case[lo], key[lo], start, w[lo], w[lo] - start, 0.0, 0.0, True,
                         need[lo]))
            continue
        current, begin, asked = key[lo], start, need[lo]
        spent = {"queued": w[lo] - start, "working": 0.0, "waiting": 0.0}
        for i in range(lo, stop):
            t_next = w[i + 1] if i + 1 < n and i + 1 < hi else np.nan
            if key[i] != current:
                rows.append((case[lo], current, begin, w[i], spent["queued"],
                             spent["working"], spent["waiting"], True, asked))
                current, begin, asked = key[i], w[i], need[i]
                spent = {"queued": 0.0, "working": 0.0, "waiting": 0.0}
            elif not asked:
                asked = need[i]
            if i + 1 >= stop and not resolved:
                break  # the last spell of an open case: still running at the log's end
            gap = t_next - w[i]
            k = kind[i]
            bucket = ("working" if k == working else "waiting" if k in (waiting, done_kind)
                      else "queued")
            spent[bucket] += gap
        rows.append((case[lo], current, begin, end if resolved else np.nan, spent["queued"],
                     spent["working"], spent["waiting"], bool(resolved), asked))
    visits = pd.DataFrame(rows, columns=["case", "position", "begin", "end", "queued", "working",
                                         "waiting", "finished", "need"])
    visits["sojourn"] = visits["end"] - visits["begin"]
    cases = pd.DataFrame(case_rows, columns=["case", "arrival", "end", "done"])
    return visits, cases  # a case still open at the end: only its last spell is unfinished


def _positions(visits: pd.DataFrame, finished: pd.DataFrame, routes: pd.Series, done: set,
               span: float, events: pd.DataFrame, key: pd.Series, team: pd.Series
               ) -> pd.DataFrame:
    """Per position: visits (all: routing and load), finished ones (times), firsts and lasts.

    A case's last visit counts only where the case was resolved.
    """
    grouped = finished.groupby("position", sort=True)
    table = grouped[["queued", "working", "waiting", "sojourn"]].mean()
    table = table.reindex(sorted(set(visits["position"])))  # NaN: no finished visit there
    means = {p: restricted_mean(g["sojourn"].to_numpy(dtype=float), g["finished"].to_numpy())
             for p, g in visits.groupby("position")}
    scale = pd.Series(means).reindex(table.index) / table["sojourn"]
    for column in ("queued", "working", "waiting"):  # the spells still running: pro rata
        table[column] = table[column] * scale
    table["sojourn"] = pd.Series(means).reindex(table.index)
    table["running"] = (visits.groupby("position")["finished"].size()
                        - visits.groupby("position")["finished"].sum()).reindex(table.index)
    table["finished_visits"] = grouped.size().reindex(table.index).fillna(0).astype(int)
    table["visits"] = visits.groupby("position").size().reindex(table.index).fillna(0)
    firsts = routes.map(lambda r: r[0]).value_counts()
    lasts = routes[routes.index.isin(done)].map(lambda r: r[-1]).value_counts()
    table["first"] = firsts.reindex(table.index).fillna(0).astype(int)
    table["last"] = lasts.reindex(table.index).fillna(0).astype(int)
    table["visit_rate"] = table["visits"] / span
    with np.errstate(divide="ignore"):
        table["rate"] = np.where(table["sojourn"] > 0,
                                 table["visit_rate"] + 1.0 / table["sojourn"], np.inf)
    table["load"] = table["visit_rate"] / table["rate"]
    owner = (pd.DataFrame({"position": key, "team": team}).value_counts().reset_index()
             .drop_duplicates("position").set_index("position")["team"])
    table["team"] = owner.reindex(table.index).fillna(UNASSIGNED)
    calendars = {}  # from what the position itself does: work, pass on, resolve (not arrivals)
    own = (events["kind"] != Kind.QUEUED).to_numpy()
    for position, times in events["time"][own].groupby(key.to_numpy()[own]):
        if len(times) >= CALENDAR_EVENTS:
            calendars[position] = discover_calendar(times, day_share=POSITION_DAY_SHARE)
    found = pd.Series(calendars, dtype=object).reindex(table.index)
    table["calendar"] = found.map(lambda c: c.describe() if isinstance(c, Calendar)
                                  else "too few events")
    table["shift_weekdays"] = found.map(lambda c: ",".join(map(str, c.weekdays))
                                        if isinstance(c, Calendar) else "")
    table["shift_hours"] = found.map(lambda c: (c.start, c.end) if isinstance(c, Calendar)
                                     else None)
    table = table.reset_index().rename(columns={"index": "position"})
    return table[["position", "team", "visits", "finished_visits", "running", "first", "last",
                  "queued", "working", "waiting", "sojourn", "visit_rate", "rate", "load",
                  "calendar", "shift_weekdays", "shift_hours"]]
