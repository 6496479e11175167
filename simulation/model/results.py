"""The run's results as tables: one function per table, each reading a model.

``OrgModel``'s methods of the same names delegate here (``model.kpis()`` is
``results.kpis(model)``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from simulation.chain.metrics import DelayHistogram, histogram_quantile
from simulation.core.causes import NEEDS, Kind, Step
from simulation.core.collapse import collapsed
from simulation.model.view import ModelParts

if TYPE_CHECKING:
    import mesa

    from simulation.agents.employee import Employee
    from simulation.model.collector import TimeAverages
    from simulation.model.market import Market
    from simulation.model.workforce import Workforce


class Run(ModelParts, Protocol):
    """What the tables read from a model."""

    market: Market
    workforce: Workforce
    averages: TimeAverages
    datacollector: mesa.DataCollector
    seed_entropy: int
    spawn_key: tuple[int, ...]

    @property
    def employees(self) -> list[Employee]:
        """Current employees, their counters up to date."""
        ...

    @property
    def former_employees(self) -> list[Employee]:
        """Employees who left."""
        ...


def daily(model: Run) -> pd.DataFrame:
    """One row per simulated day (index ``day``, from 1)."""
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.RangeIndex(1, len(df) + 1, name="day")
    return df


def records(model: Run) -> pd.DataFrame:
    """Every service record (only with ``Scenario.keep_records``)."""
    if not model.config.keep_records:
        raise RuntimeError("records were aggregated: build the scenario with keep_records=True")
    from simulation.core.requests import ServiceRecord

    return pd.DataFrame(model.metrics.records, columns=ServiceRecord._fields)


def employee_summary(model: Run) -> pd.DataFrame:
    """One row per employee (past and present): load, service given, blame attributed.

    ``employee_id`` is the person (a new hire is a new person); ``position_id`` the post as the
    organization names it (an org chart's employee id); ``name`` the post's name for its first
    holder and, for the people hired into it later, that name with ``(hire k)``.
    """
    now = model.clock.now
    rows = []
    people = sorted([*model.former_employees, *model.employees], key=lambda e: e.unique_id)
    hires: dict[int, int] = {}
    for e in people:
        k = hires[e.node] = hires.get(e.node, -1) + 1
        node = model.graph.nodes[e.node]
        span = ((e.left if e.left is not None else now) - e.hired) or math.nan
        n = e.internal_served
        rows.append({
            "employee_id": e.unique_id, "position": e.node,
            "position_id": str(node.get("id", e.node)),
            "name": str(node["name"]) + (f" (hire {k})" if k else ""),
            "role": e.role, "level": e.level,
            "department": e.department, "active": e.active, "hired": e.hired,
            "left": e.left, "morale": e.morale, "skill": e.skill,
            "accepted": e.accepted, "tasks_done": e.tasks_done, "handed_over": e.handed,
            "area": e.area + e.present * (now - e.last_change), "sojourn_sum": e.sojourn_sum,
            "backlog_until": e.backlog_until if e.backlog_until > e.hired else math.nan,
            "utilisation": e.busy_until_now() / span,
            "internal_served": n, "external_served": e.external_served,
            "internal_response": e.internal_response / n if n else math.nan,
            "internal_satisfaction": e.internal_score / n if n else math.nan,
            "blamed_wait": e.blamed_wait, "blamed_work": e.blamed_work,
            "blamed_handoff": e.blamed_handoff, "blamed_hold": e.blamed_hold,
            "blamed_delay": e.blamed_wait + e.blamed_work + e.blamed_handoff + e.blamed_hold,
            "blamed_quality": e.blamed_quality,
            **_blame_causes(e),
        })
    return pd.DataFrame(rows)


#: The kind columns of the blame tables, by :class:`Kind` (``blamed_`` + name).
BLAME_KINDS = tuple(f"blamed_{k.name.lower()}" for k in Kind)
#: The step columns of the blame tables, by :class:`Step` (``via_`` + name).
BLAME_STEPS = tuple(f"via_{s.name.lower()}" for s in Step)


def _blame_causes(e: Any) -> dict[str, float]:
    """An employee's blamed delay by kind of time and by step of the chain."""
    prioritisation = e.blamed_overtaken
    unavailable = e.blamed_left + e.blamed_off
    kinds = (e.blamed_work, e.blamed_wait - prioritisation - unavailable, prioritisation,
             unavailable, e.blamed_hold, e.blamed_handoff)
    return {**dict(zip(BLAME_KINDS, kinds, strict=True)),
            **dict(zip(BLAME_STEPS, map(float, e.blamed_steps), strict=True))}


def structure(model: Run) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The organization as tables: positions (nodes) and internal-service dependencies.

    ``nodes``: ``position``, ``position_id`` (the design's own id: an org chart's employee
    id), ``name``, ``role``, ``level``, ``department``, ``manager`` (the position reported
    to; -1: none), ``customer_facing``, ``demand`` (share of external demand; NaN: customers
    choose at random). ``edges``: ``provider``, ``customer`` (positions), ``need``, ``purpose``,
    ``probability`` (per request), ``per_day`` (scheduled), ``review``, ``work`` (the
    provider's task's work content, in tasks), ``gate`` and ``thoroughness`` (a quality
    gate's), ``directed`` (coaching given by the reports), ``exclusive`` (one of the
    customer's alternatives: Markov routing).
    """
    nodes = pd.DataFrame([
        {"position": n, "position_id": str(d.get("id", n)), "name": str(d["name"]),
         "role": str(d["role"]), "level": int(d["level"]), "department": str(d["department"]),
         "manager": int(d.get("manager", -1)), "customer_facing": bool(d["customer_facing"]),
         "demand": math.nan if d.get("demand") is None else float(d["demand"])}
        for n, d in sorted(model.graph.nodes(data=True))])
    edges = pd.DataFrame([
        {"provider": v, "customer": u, "need": d["need"].value, "purpose": str(k),
         "probability": float(d["probability"]), "per_day": float(d["per_day"]),
         "review": bool(d.get("review", False)), "work": float(d.get("work", 1.0)),
         "gate": bool(d.get("gate", False)), "thoroughness": float(d.get("thoroughness", 0.0)),
         "directed": bool(d.get("directed", False)),
         "exclusive": bool(d.get("exclusive", False))}
        for u, v, k, d in sorted(model.graph.edges(keys=True, data=True),
                                 key=lambda e: (e[0], e[1], str(e[2])))],
        columns=["provider", "customer", "need", "purpose", "probability", "per_day",
                 "review", "work", "gate", "thoroughness", "directed", "exclusive"])
    return nodes, edges


def positions(model: Run) -> pd.DataFrame:
    """One row per position: its occupants' service, load and blame summed over the run.

    Morale is the current occupant's (NaN while vacant); utilisation and internal
    satisfaction are weighted over the occupants. The blame is split by kind and step as in
    :func:`attribution`. ``vacancy_wait`` is the delay to external customers while the
    position stood vacant (blamed on the vacancy, not on its occupants: unavailable time).
    ``tasks_done`` counts the visits its occupants finished and ``mean_sojourn`` divides their
    time present (queue and work, including work they handed on when they left) by it; with
    ``position_histograms``, ``sojourn_p50``, ``sojourn_p90`` and ``sojourn_p95`` are
    quantiles of the sojourn of each visit to the position, from joining its queue (vacant or
    not) to the end of the work.
    """
    people = model.employee_summary()
    people["busy"] = people.utilisation * (people.left.fillna(model.clock.now) - people.hired)
    people["score"] = people.internal_satisfaction.fillna(0.0) * people.internal_served
    sums = people.groupby("position")[[
        "busy", "score", "internal_served", "external_served", "blamed_wait", "blamed_work",
        "blamed_handoff", "blamed_hold", "blamed_delay", "blamed_quality", *BLAME_KINDS[1:4],
        *BLAME_STEPS, "tasks_done", "sojourn_sum"]].sum()
    table = pd.DataFrame({"position": range(model.graph.number_of_nodes())}).set_index(
        "position").join(sums)
    table["occupants"] = people.groupby("position").size()
    table["morale"] = people[people.active].set_index("position").morale
    table["utilisation"] = table.pop("busy") / model.clock.now if model.clock.now else math.nan
    served = table.internal_served.replace(0, math.nan)
    table["internal_satisfaction"] = table.pop("score") / served
    table["vacancy_wait"] = np.asarray(model.chain.vacancy_wait, dtype=float)
    table["mean_sojourn"] = table.pop("sojourn_sum") / table.tasks_done.replace(0, math.nan)
    counts = model.metrics.position_counts
    if counts is not None:
        for q in (0.5, 0.9, 0.95):
            table[f"sojourn_p{round(q * 100)}"] = [histogram_quantile(c, q) for c in counts]
    return table.reset_index()


def flows(model: Run) -> pd.DataFrame:
    """Services per provider and customer position (customer -1: external customers).

    ``services``, ``satisfaction`` (the customer's mean judgement) and ``response`` (mean
    days from request to delivery).
    """
    model.metrics.flows = model.day.flows(model.metrics)
    return pd.DataFrame(model.metrics.flow_table(), columns=[
        "provider", "customer", "services", "satisfaction", "response"])


#: The row of :func:`attribution` that holds the wait at vacant posts.
VACANT = "vacant posts"


def attribution(model: Run, by: str = "level") -> pd.DataFrame:
    """Where the chain breaks, summed by ``level``, ``role``, ``department``, post or employee.

    Delay (days) and quality lost on external customers' critical paths, largest first;
    shares are of the total over all external requests completed so far. The delay is split by
    kind of time (``blamed_work``, ``blamed_hold``, ``blamed_handoff``, and the queueing wait
    ``blamed_wait`` as ``blamed_contention``, ``blamed_prioritisation`` and
    ``blamed_unavailable``) and by step of the chain (``via_service``, ``via_inputs``,
    ``via_review``, ``via_rework``, ``via_escalation``): see :mod:`simulation.core.causes`. By post
    (``position_id``, an org chart's employee id) or person (``employee_id``), the rows carry
    the name, role and department too. The wait while
    posts stood vacant is a row of its own, ``"vacant posts"`` (:data:`VACANT`), so the rows
    add up to the customers' delay.
    """
    allowed = ("level", "role", "department", "position_id", "employee_id")
    if by not in allowed:
        raise ValueError(f"by = {by!r} is not allowed: one of {', '.join(allowed)}")
    cols = ["blamed_wait", "blamed_work", "blamed_handoff", "blamed_hold", "blamed_delay",
            "blamed_quality", *BLAME_KINDS[1:4], *BLAME_STEPS]
    people = model.employee_summary()
    table = people.groupby(by)[cols].sum()
    if by in ("employee_id", "position_id"):  # who they are, not only a number
        keys = ["name", "position_id", "role", "department"] if by == "employee_id" else [
            "role", "department"]
        first = people.groupby(by)[keys].first()
        if by == "position_id":
            first.insert(0, "name", people.groupby(by)["name"].first().str.replace(
                r" \(hire \d+\)$", "", regex=True))
        table = first.join(table)
    vacant = float(np.sum(model.chain.vacancy_wait))
    if vacant > 0.0:
        steps = np.asarray(model.chain.vacancy_steps, dtype=float).sum(axis=0)
        table.loc[VACANT] = {**dict.fromkeys(cols, 0.0), "blamed_wait": vacant,
                             "blamed_delay": vacant, "blamed_unavailable": vacant,
                             **dict(zip(BLAME_STEPS, steps.tolist(), strict=True)),
                             **dict.fromkeys(table.columns.difference(cols), "")}
    for col in ("blamed_delay", "blamed_quality"):
        total = table[col].sum()
        table[col.replace("blamed_", "share_")] = table[col] / total if total else math.nan
    return table.sort_values("blamed_delay", ascending=False)


def causes(model: Run, by: str = "kind") -> pd.DataFrame:
    """Why customers waited: their delay by kind of time, step of the chain or need.

    Days per external request delivered (counted ones: arrived before the run-out), from each
    request's critical path; the open requests are not in it until they are delivered (after
    :meth:`OrgModel.run_out` none is). ``by="kind"``: one row per kind of time, with its
    ``share``; ``by="step"`` or ``"need"``: one row per step or need, a column per kind and
    their ``total``. Every way, the rows add up to ``mean_delay_completed``.
    """
    allowed = ("kind", "step", "need")
    if by not in allowed:
        raise ValueError(f"by = {by!r} is not allowed: one of {', '.join(allowed)}")
    n = model.metrics.external_completed
    cells = model.metrics.causes / n if n else model.metrics.causes * math.nan
    kinds = [k.name.lower() for k in Kind]
    if by == "kind":
        days = cells.sum(axis=(0, 1))
        total = days.sum()
        return pd.DataFrame({"days_per_request": days,
                             "share": days / total if total else math.nan},
                            index=pd.Index(kinds, name="kind"))
    if by == "step":
        grid, index = cells.sum(axis=0), pd.Index([s.name.lower() for s in Step], name="step")
    else:
        grid, index = cells.sum(axis=1), pd.Index([str(need) for need in NEEDS], name="need")
    table = pd.DataFrame(grid, index=index, columns=kinds)
    table["total"] = grid.sum(axis=1)
    return table


def customer_causes(model: Run) -> pd.DataFrame:
    """Each counted customer request delivered, its delay split by kind and by step.

    Columns ``arrival``, ``delay``, a column per kind (:class:`Kind`) and one per step
    (``via_`` + :class:`Step`); each group adds up to ``delay``. Kept only when the model was
    made with ``customer_causes=True``.
    """
    if not model.metrics.customer_causes:
        raise ValueError("customer causes were not kept: make the model with "
                         "OrgModel(..., customer_causes=True)")
    columns = ["arrival", "delay", *(k.name.lower() for k in Kind),
               *(f"via_{s.name.lower()}" for s in Step)]
    return pd.DataFrame(model.metrics.cause_rows, columns=columns)


def cause_kpis(model: Run) -> dict[str, float]:
    """The run row's causes: ``cause_`` + kind and ``via_`` + step, days per counted request.

    Every counted request is in them, as ``mean_delay`` counts it: a delivered one by its
    causes, one still open by its age so far (``cause_open``, also ``via_open``), so each group
    adds up to ``mean_delay``.
    """
    table = causes(model, "step")
    n = model.metrics.external_completed
    _, arrivals = model.day.census()
    ages = [model.clock.now - t for t in arrivals if t < model.metrics.window_end]
    total = n + len(ages)
    share = n / total if total else math.nan  # of the counted requests, the delivered ones
    kinds = table.drop(columns="total").sum(axis=0) * share
    open_days = sum(ages) / total if total else math.nan
    return {**{f"cause_{k}": float(v) for k, v in kinds.items()}, "cause_open": open_days,
            **{f"via_{s}": float(v) for s, v in (table["total"] * share).items()},
            "via_open": open_days}


def delays(model: Run) -> dict[str, float]:
    """Delay of every customer request counted, the ones still open at their age so far.

    ``mean_delay`` and ``p95_delay`` count every external request that arrived (before the
    run-out, once :meth:`OrgModel.run_out` has begun): a delivered one at its delay, an open one
    at its age now, a lower bound on its delay. ``delay_open`` says how many were open (after a
    complete run-out none is, and the figures are exact). ``mean_delay_completed`` and
    ``p95_delay_completed`` are over the delivered ones only: they leave out the open
    requests, which are the long ones.
    """
    m = model.metrics
    now = model.clock.now
    _, arrivals = model.day.census()
    ages = [now - t for t in arrivals if t < m.window_end]
    n = m.external_completed
    total = n + len(ages)
    histogram = DelayHistogram()
    histogram.counts = m.histogram.counts.copy()
    histogram.add(ages)
    return {
        "mean_delay": (m.delay_sum + sum(ages)) / total if total else math.nan,
        "p95_delay": histogram.quantile(0.95),
        "delay_open": len(ages),
        "mean_delay_completed": m.delay_sum / n if n else math.nan,
        "p95_delay_completed": m.histogram.quantile(0.95),
    }


def kpis(model: Run) -> dict[str, Any]:
    """One flat dict of run-level results (the row an experiment stores)."""
    m = model.metrics
    n = m.external_completed
    market = model.market
    ever = market.initial + market.acquired
    staff = model.employees
    little_l, little_lambda, _ = m.little(model.clock.now)
    delay = delays(model)
    return {
        "days": model.steps,
        "seed_entropy": str(model.seed_entropy),
        "spawn_key": "/".join(map(str, model.spawn_key)),
        "employees": len(model.chain.occupant),
        "customers_active": len(market.customers),
        "customers_lost": market.lost,
        "customers_acquired": market.acquired,
        "retention": 1.0 - market.lost / ever if ever else math.nan,
        "external_arrived": m.external_arrived,
        "external_completed": n,
        "internal_arrived": m.internal_arrived,
        "internal_completed": m.internal_completed,
        "in_progress": model.chain.in_progress(),
        "collapsed": collapsed(*(model.datacollector.model_vars.get(key, [])
                                 for key in ("open_requests", "arrivals"))),
        **delay,
        "defect_rate": (m.defects_delivered / n if n and model.chain.defects else math.nan),
        "failure_demand": m.complaints / m.external_arrived if m.external_arrived else math.nan,
        "mean_quality": m.quality_sum / n if n else math.nan,
        "service_satisfaction": m.satisfaction_sum / n if n else math.nan,
        "customer_satisfaction": market.satisfaction_of_all_served(),
        "customer_satisfaction_end": (float(np.mean(market.satisfaction()))
                                      if market.customers else math.nan),
        "customer_satisfaction_daily": model.averages.mean("customer_satisfaction"),
        "revenue": m.revenue,
        "internal_service": (m.internal_score_sum / m.internal_score_n
                             if m.internal_score_n else math.nan),
        "mean_morale": model.averages.mean("mean_morale"),
        "mean_morale_end": float(np.mean([e.morale for e in staff])) if staff else math.nan,
        "quits": m.quits,
        "hires": m.hires,
        "turnover_per_month": (m.quits / len(model.chain.occupant) / model.steps * 21.0
                               if model.steps else math.nan),
        "little_L": little_l,
        "little_lambda": little_lambda,
        "little_W": delay["mean_delay"],
        **cause_kpis(model),
        "events": model.clock.events,
    }
