"""Simulated logs out: a run's external requests as an event log, in CSV or XES.

A case is an external customer's request; its events are the state changes of each visit to a
position: ``queued`` when the work joined the position's queue (its inputs all in), ``working``
when the work began, ``waiting`` when the work was passed on (at the end of its last pass, or
when its quality gates released it) but waited on others outside the chain (the position's
hold), and ``done`` when the customer had the answer, if that was by the end of the run. The
team is the position's role and the resource its name (an org chart's employee id or name), so
the log reads back with ``discover`` at either level. Times are put on the wall clock by a
working calendar: one model day is one working day.

Only work finished by the end of the run has records; a case still open then has the visits it
finished and no ``done``. A request with several inputs at once (fork-join) has its visits
interleaved; a Markov route's visits follow one another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import pandas as pd

from simulation.eventlog.calendar import Calendar

#: Where a run's working time 0 falls on the wall clock by default (a Monday).
START = pd.Timestamp("2026-01-05")
COLUMNS = ("case", "timestamp", "state", "team", "resource")


class LoggedRun(Protocol):
    """What the writer reads from a model: its graph, its records and when work left."""

    graph: nx.MultiDiGraph

    def records(self) -> pd.DataFrame: ...  # noqa: D102


def simulated_log(model: LoggedRun, calendar: Calendar | None = None,
                  start: pd.Timestamp | str = START) -> pd.DataFrame:
    """The run's external requests as state changes (needs ``Scenario.keep_records``).

    Columns ``case``, ``timestamp``, ``state``, ``team``, ``resource``, ``need`` (what the
    request asked of the position: a need kind, ``service`` for a customer's own request).
    """
    calendar = calendar or Calendar()
    records = model.records()
    records = records[records["external"]]
    passed = {r: (on, out) for r, on, out in model.metrics.releases}  # type: ignore[attr-defined]
    now = model.clock.now  # type: ignore[attr-defined]
    nodes = model.graph.nodes  # positions 0..n-1, in whatever order the graph holds them
    team = np.array([str(nodes[n]["role"]) for n in range(len(nodes))], dtype=object)
    name = np.array([str(nodes[n]["name"]) for n in range(len(nodes))], dtype=object)
    request = records["request_id"].to_numpy()
    last_pass = ~records.duplicated("request_id", keep="last").to_numpy()
    on = records["request_id"].map(lambda r: passed.get(r, (np.nan, np.nan))[0]).to_numpy(
        dtype=float)
    out = records["request_id"].map(lambda r: passed.get(r, (np.nan, np.nan))[1]).to_numpy(
        dtype=float)
    node = records["provider_node"].to_numpy()
    need = records["need"].map(str).to_numpy(dtype=object)
    root = records["root_id"].to_numpy()
    known = ~np.isnan(on)
    parts = [
        (records["ready"].to_numpy(), "queued", np.ones(len(records), dtype=bool)),
        (records["start"].to_numpy(), "working", np.ones(len(records), dtype=bool)),
        (on, "waiting", last_pass & known & (np.nan_to_num(out) > np.nan_to_num(on))),
        (out, "done", last_pass & (request == root) & known & (np.nan_to_num(out) <= now)),
    ]
    frames = []
    for rank, (times, state, keep) in enumerate(parts):
        frames.append(pd.DataFrame({"root": root[keep], "t": times[keep], "rank": rank,
                                    "state": state, "team": team[node[keep]],
                                    "resource": name[node[keep]], "need": need[keep]}))
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["root", "t", "rank"], kind="stable")
    origin = calendar.working_days(pd.Series([pd.Timestamp(start)]))[0]
    stamps = calendar.wall_clock(origin + events["t"].to_numpy())
    return pd.DataFrame({"case": "C" + events["root"].astype(str).to_numpy(),
                         "timestamp": stamps, "state": events["state"].to_numpy(),
                         "team": events["team"].to_numpy(),
                         "resource": events["resource"].to_numpy(),
                         "need": events["need"].to_numpy()})


def write_log(log: pd.DataFrame, path: str | Path) -> Path:
    """Write a simulated log as CSV or XES (by the suffix; ``.gz`` compresses)."""
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if ".xes" in suffixes:
        text = _xes(log)
        if suffixes[-1] == ".gz":
            import gzip

            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    if ".csv" not in suffixes:
        raise ValueError(f"{path}: a log is written as .csv, .csv.gz, .xes or .xes.gz")
    table = log.copy()
    table["timestamp"] = table["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
    table.to_csv(path, index=False)
    return path


def _xes(log: pd.DataFrame) -> str:
    """XES (IEEE 1849): a trace per case, an event per state change."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<log xes.version="1849.2016" xmlns="http://www.xes-standard.org/">',
             '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>',
             '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>',
             '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>']
    stamps = log["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "+00:00"
    table = log.assign(stamp=stamps)
    for case, events in table.groupby("case", sort=False):
        lines.append(f'<trace><string key="concept:name" value={quoteattr(str(case))}/>')
        for e in events.itertuples():
            lines.append(
                f'<event><string key="concept:name" value={quoteattr(e.state)}/>'
                f'<string key="org:group" value={quoteattr(str(e.team))}/>'
                f'<string key="org:resource" value={quoteattr(str(e.resource))}/>'
                + (f'<string key="need" value={quoteattr(str(e.need))}/>'
                   if getattr(e, "need", "") else "")
                + f'<date key="time:timestamp" value="{e.stamp}"/></event>')
        lines.append("</trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"
