"""An organization given as a graph of your own (networkx), normalised to the model's attributes."""

from __future__ import annotations

import math
from dataclasses import field

import networkx as nx
import numpy as np
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from simulation.config.bounds import Footprint
from simulation.config.building import add_dependency, add_position, check_exclusive
from simulation.config.designs import OrgDesign
from simulation.core.errors import require
from simulation.core.requests import Need
from simulation.core.shifts import shift_calendar


@dataclass(frozen=True, config=ConfigDict(extra="forbid", arbitrary_types_allowed=True))
class CustomGraph(OrgDesign):
    """Your own organization as a graph (copied, checked, defaults filled in).

    Missing node attributes get defaults (level 0, skill 0.8, rate 12, customer facing when level
    is 0, demand share 1); missing edge attributes too (need information, probability 1, weight 1,
    handoff when departments differ, not exclusive).
    """

    graph: nx.DiGraph = field(default_factory=nx.MultiDiGraph)

    def footprint(self) -> Footprint:
        """The graph's nodes; customer-facing as marked, or at level 0 by default."""
        facing = [d for _, d in self.graph.nodes(data=True)
                  if d.get("customer_facing", d.get("level", 0) == 0)]
        try:
            capacity = sum(float(d.get("rate", _NODE_DEFAULTS["rate"])) for d in facing)
        except (TypeError, ValueError):
            capacity = None  # building says what is wrong with a rate
        return Footprint(self.graph.number_of_nodes(), len(facing), capacity)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Return a validated copy of the user's graph."""
        return normalise_graph(self.graph, inverted=self.inverted)


_NODE_DEFAULTS = {"level": 0, "skill": 0.8, "rate": 12.0, "department": "organization"}


def normalise_graph(graph: nx.DiGraph, inverted: bool = False) -> nx.MultiDiGraph:
    """Copy ``graph`` into a MultiDiGraph with every attribute the model needs, or raise.

    Raises:
        ValueError: naming the node or edge, the attribute, the value and what is allowed.
    """
    g = nx.MultiDiGraph(inverted=inverted, design=graph.graph.get("design", "CustomGraph"))
    if graph.number_of_nodes() == 0:
        raise ValueError("the organization graph has no positions (nodes)")
    for node, data in graph.nodes(data=True):
        attrs = {**_NODE_DEFAULTS, **data}
        level = attrs["level"]
        require(isinstance(level, int) and level >= 0, f"node {node!r}", "level", level,
               "an integer >= 0")
        require(0 < float(attrs["skill"]) <= 1, f"node {node!r}", "skill", attrs["skill"],
               "in (0, 1]")
        require(float(attrs["rate"]) > 0, f"node {node!r}", "rate", attrs["rate"],
               "a positive number of tasks per day (inf for no work time)")
        role = attrs.get("role", "frontline" if level == 0 else f"level {level}")
        facing = bool(attrs.get("customer_facing", level == 0))
        demand = attrs.get("demand")
        if demand is not None:
            require(isinstance(demand, int | float) and not isinstance(demand, bool)
                    and 0 < demand < math.inf, f"node {node!r}", "demand", demand,
                    "a positive share of external demand (a relative weight)")
            require(facing, f"node {node!r}", "demand", demand,
                    "only on a customer-facing position")
            demand = float(demand)
        hold = attrs.get("hold", 0.0)
        require(isinstance(hold, int | float) and not isinstance(hold, bool)
                and 0.0 <= hold < math.inf, f"node {node!r}", "hold", hold,
                "a mean time in days, 0 or more, that finished work waits on others")
        hold_cv = attrs.get("hold_cv", 1.0)
        require(isinstance(hold_cv, int | float) and not isinstance(hold_cv, bool)
                and 1.0 <= hold_cv <= 100.0, f"node {node!r}", "hold_cv", hold_cv,
                "from 1 (exponential) to 100")
        shift = _shift(node, attrs)
        add_position(
            g, node, role=role, level=level, department=str(attrs["department"]),
            skill=float(attrs["skill"]), rate=float(attrs["rate"]),
            customer_facing=facing, name=attrs.get("name"), manager=attrs.get("manager"),
            demand=demand, hold=float(hold), hold_cv=float(hold_cv), **shift,
        )
    for node, data in graph.nodes(data=True):
        boss = data.get("manager")
        require(boss is None or (boss in graph and boss != node), f"node {node!r}", "manager",
                boss, "another position of the graph (or none)")
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else (
        (u, v, d.get("purpose", "dependency"), d) for u, v, d in graph.edges(data=True))
    for u, v, key, data in edges:
        where = f"dependency {u!r} -> {v!r}"
        require(u != v, where, "provider", v, "someone other than the internal customer")
        prob = float(data.get("probability", 0.0 if data.get("per_day") else 1.0))
        per_day = float(data.get("per_day", 0.0))
        weight = float(data.get("weight", 1.0))
        work = float(data.get("work", 1.0))
        require(0 < work <= 100 and math.isfinite(work), where, "work", work,
                "a work content in (0, 100] tasks")
        require(0 <= prob <= 1, where, "probability", prob, "a probability in [0, 1]")
        require(per_day >= 0 and math.isfinite(per_day), where, "per_day", per_day, ">= 0")
        require(weight > 0, where, "weight", weight, "> 0")
        review = data.get("review", False)
        require(isinstance(review, bool), where, "review", review, "true or false")
        gate = data.get("gate", False)
        require(isinstance(gate, bool), where, "gate", gate, "true or false")
        require(not (gate and review), where, "gate", gate, "false for a review (one or other)")
        thoroughness = float(data.get("thoroughness", 0.0))
        require(0 <= thoroughness <= 1, where, "thoroughness", thoroughness, "in [0, 1]")
        directed = data.get("directed", False)
        require(isinstance(directed, bool), where, "directed", directed, "true or false")
        require(not directed or (per_day > 0 and graph.nodes[u].get("manager") == v), where,
                "directed", directed, "false unless a scheduled request (per_day > 0) to the "
                "customer's manager")
        exclusive = data.get("exclusive", False)
        require(isinstance(exclusive, bool), where, "exclusive", exclusive, "true or false")
        require(not exclusive or not (review or gate or per_day > 0), where, "exclusive",
                exclusive, "false for a review, a gate or a scheduled request (an exclusive "
                "input is one of the alternatives a request needs before the work)")
        if review:
            require(prob < 1, where, "probability", prob,
                    "below 1 for a review (work returned every time would never finish)")
            require(per_day == 0, where, "per_day", per_day, "0 for a review")
        need = data.get("need", Need.INFORMATION)
        try:
            need = Need(need)
        except ValueError:
            allowed = ", ".join(n.value for n in Need if n is not Need.SERVICE)
            raise ValueError(f"{where}.need = {need!r} is not allowed: one of {allowed}") from None
        add_dependency(g, u, v, purpose=str(key), need=need, probability=prob, per_day=per_day,
                       weight=weight, handoff=data.get("handoff"), review=review, work=work,
                       gate=gate, thoroughness=thoroughness, directed=directed,
                       exclusive=exclusive)
    check_exclusive(g)
    return g


def _shift(node: object, attrs: dict) -> dict:
    """A node's working calendar attributes, checked (:func:`shift_calendar`)."""
    shift = {"shift_start": attrs.get("shift_start", 0.0),
             "shift_end": attrs.get("shift_end", 1.0), "workdays": attrs.get("workdays", "")}
    for key in ("shift_start", "shift_end"):
        value = shift[key]
        require(isinstance(value, int | float) and not isinstance(value, bool),
                f"node {node!r}", key, value, "a fraction of the working day, 0 to 1")
    require(isinstance(shift["workdays"], str), f"node {node!r}", "workdays", shift["workdays"],
            "a string of 0 and 1, e.g. 11110")
    try:
        shift_calendar(float(shift["shift_start"]), float(shift["shift_end"]), shift["workdays"])
    except ValueError as err:
        raise ValueError(f"node {node!r}: {err}") from None
    return {"shift_start": float(shift["shift_start"]), "shift_end": float(shift["shift_end"]),
            "workdays": shift["workdays"]}
