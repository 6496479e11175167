"""A people model without built-in bias: internal service judged against an expectation."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from simulation import CustomGraph, FlatTeam, OrgModel, People, Scenario
from simulation.core import rules


def _target(people: People, satisfaction: float) -> float:
    return rules.target_morale(people.baseline_morale, people.resource_effect, satisfaction,
                               people.resource_ref, people.demand_effect, 0.0,
                               people.demand_ref)


def test_the_best_service_lifts_morale_as_far_as_the_worst_lowers_it() -> None:
    """Before: +0.24 for the best service against -0.56 for the worst (reference 0.7)."""
    p = People()
    lift = _target(p, 1.0) - p.baseline_morale
    fall = p.baseline_morale - _target(p, 0.0)
    assert lift == pytest.approx(fall, abs=1e-12) and lift > 0.1
    assert 0.0 < _target(p, 0.0) and _target(p, 1.0) <= 1.0  # neither is clipped
    assert _target(p, p.resource_ref) == p.baseline_morale


def test_an_expectation_just_met_is_neutral() -> None:
    p = People()
    value = p.internal_expectation
    assert rules.disconfirmation(value, p.internal_expectation, p.internal_sensitivity) == 0.5
    assert p.resource_ref == 0.5


def _team(ideal: bool | None) -> Scenario:
    """Six frontliners at light load; with ``ideal``, each relies on a perfect, instant helper
    (``False``: a poor, slow one; None: no internal provider at all)."""
    g = nx.MultiDiGraph()
    for i in range(6):
        g.add_node(i, level=0, skill=0.8, rate=12.0, customer_facing=True)
    if ideal is not None:
        g.add_node(6, level=0, skill=0.999 if ideal else 0.2,
                   rate=math.inf if ideal else 30.0, customer_facing=False)
        for i in range(6):
            g.add_edge(i, 6, key="help", probability=0.5)
    return (Scenario(design=CustomGraph(graph=g)).with_customers(per_position=25.0)
            .with_people(quit_rate_per_month=0.0))


def _frontline_morale(scenario: Scenario, seed: int) -> float:
    model = OrgModel(scenario, rng=seed).run(60)
    return float(np.mean([e.morale for e in model.employees if e.node < 6]))


def test_no_internal_provider_is_neither_a_gain_nor_a_loss() -> None:
    model = OrgModel(Scenario(design=FlatTeam(helpers=0)).with_customers(per_position=20.0),
                     rng=1).run(40)
    assert all(e.load < model.config.people.demand_ref for e in model.employees)
    assert all(e.morale == pytest.approx(0.7, abs=1e-12) for e in model.employees)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ideal_internal_service_gives_at_least_the_morale_of_none(seed: int) -> None:
    none = _frontline_morale(_team(None), seed)
    ideal = _frontline_morale(_team(True), seed)
    poor = _frontline_morale(_team(False), seed)
    assert ideal >= none > poor
    assert ideal - none > 0.1 and none - poor > 0.1
