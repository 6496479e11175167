"""Where the chain breaks: blame adds up to what customers experienced."""

from __future__ import annotations

import pytest
from conftest import run

from simulation import CobbDouglas, OrgModel, Scenario, Silos, WeakestLink


def _reviewed(people: bool) -> Scenario:
    """A rework loop (40% of the work returned after a review), people dynamics on or off."""
    from simulation.config.presets import queueing_network, rework_graph

    scenario = queueing_network(rework_graph(p=0.4), 0.8, days=30)
    if people:
        scenario = scenario.with_people(enabled=True, quit_rate_per_month=0.5, hiring_delay=3.0)
    return scenario


@pytest.mark.parametrize("scenario", [
    Scenario(),
    Scenario(design=Silos()),
    Scenario(design=Silos()).with_work(quality_rule=CobbDouglas()),
    Scenario().with_work(quality_rule=WeakestLink()),
    _reviewed(people=False),
    _reviewed(people=True),
    Scenario().with_people(quit_rate_per_month=0.5, hiring_delay=3.0, interim=False),
], ids=["pyramid", "silos", "cobb_douglas", "weakest_link", "reviewed", "reviewed_turnover",
        "vacancies"])
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])
def test_blamed_delay_and_quality_add_up_to_customer_experience(scenario: Scenario,
                                                                compiled: bool) -> None:
    """Every pass of reviewed work is on the critical path (before 2026-11-30 the passes before
    the last were not: 57% of a rework loop's delay was blamed)."""
    model = OrgModel(scenario, rng=3, compiled=compiled).run(30)
    m = model.metrics
    summary = model.employee_summary()
    vacant = sum(model.chain.vacancy_wait)  # the wait at vacant posts: a row of its own
    assert summary.blamed_delay.sum() + vacant == pytest.approx(m.delay_sum, rel=1e-9)
    assert model.attribution("department").blamed_delay.sum() == pytest.approx(m.delay_sum)
    lost = m.external_completed - m.quality_sum
    assert summary.blamed_quality.sum() == pytest.approx(lost, rel=1e-9)


def test_blame_falls_on_the_bottleneck() -> None:
    """Make one supervisor slow: the delay attributed to them dwarfs their peers'."""
    import networkx as nx

    from simulation import CustomGraph, Pyramid

    g = Pyramid(levels=2, span=4, approval_prob=0.5, reporting_rate=0.0,
                peer_prob=0.0).build(__import__("numpy").random.default_rng(0))
    g = nx.MultiDiGraph(g)
    g.nodes[0]["rate"] = 8.0  # the only supervisor, ~0.9 loaded by approvals
    model = run(Scenario(design=CustomGraph(graph=g)).with_people(enabled=False), days=60)
    s = model.employee_summary().set_index("position")
    assert s.loc[0, "blamed_wait"] > 3 * s.drop(index=0).blamed_wait.max()


def test_frontline_delay_is_mostly_rank_first_waiting_in_the_pyramid() -> None:
    s = run(Scenario(), days=60, seed=1).employee_summary()
    front = s[s.level == 0]
    assert front.blamed_wait.sum() > front.blamed_work.sum()


def test_a_poor_internal_provider_reaches_external_customers() -> None:
    """Internal friction becomes external friction: a weak approver lowers what customers get.

    Approvals as inputs (asked for before the work, mixing the approver's skill into it), so the
    path tested is a poor input; a weak gate's path is in tests/test_quality_gates.py.
    """
    import networkx as nx
    import numpy as np

    from simulation import CustomGraph, Pyramid

    base = nx.MultiDiGraph(Pyramid(levels=2, span=6, approval_prob=0.6, approval_gate=False).build(
        np.random.default_rng(0)))
    weak = base.copy()
    weak.nodes[0]["skill"] = 0.2  # the supervisor who approves the frontline's work
    good = run(Scenario(design=CustomGraph(graph=base)), days=40, seed=5).kpis()
    poor = run(Scenario(design=CustomGraph(graph=weak)), days=40, seed=5).kpis()
    assert poor["mean_quality"] < good["mean_quality"] - 0.05
    assert poor["mean_delay"] > good["mean_delay"]  # rework on poor inputs
    assert poor["customer_satisfaction"] < good["customer_satisfaction"]
