"""Organization designs: same people, different mechanisms; valid graphs; clear errors."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest

from simulation import (
    CustomerFirst,
    CustomGraph,
    FlatTeam,
    Hierarchy,
    InvertedPyramid,
    OrgModel,
    Pyramid,
    RankFirst,
    Scenario,
    Silos,
    TwoWayStreet,
)
from simulation.checks.offered_load import offered_load

MECHANISMS = ("approval_prob", "escalation_prob", "reporting_rate", "support_prob",
              "coaching_rate", "discipline")


def _people(g: nx.MultiDiGraph) -> list[tuple]:
    return [(n, d["role"], d["level"], d["department"], d["skill"], d["rate"])
            for n, d in sorted(g.nodes(data=True))]


def test_pyramid_and_inverted_pyramid_have_the_same_people_and_capacity() -> None:
    a = Pyramid().build(np.random.default_rng(3))
    b = InvertedPyramid().build(np.random.default_rng(3))
    assert _people(a) == _people(b)
    assert a.graph["inverted"] is False and b.graph["inverted"] is True


def test_pyramid_and_inverted_pyramid_differ_in_edges_not_only_labels() -> None:
    a = Pyramid().build(np.random.default_rng(3))
    b = InvertedPyramid().build(np.random.default_rng(3))
    purposes_a = {k for _, _, k in a.edges(keys=True)}
    purposes_b = {k for _, _, k in b.edges(keys=True)}
    assert "reporting" in purposes_a and "reporting" not in purposes_b
    assert {"support", "coaching"} <= purposes_b and not {"support", "coaching"} & purposes_a
    # reporting runs down the hierarchy (the boss relies on the subordinate) ...
    for u, v, k in a.edges(keys=True):
        if k == "reporting":
            assert a.nodes[u]["level"] == a.nodes[v]["level"] + 1
    # ... support runs the other way (the frontline relies on its manager)
    for u, v, k in b.edges(keys=True):
        if k == "support":
            assert b.nodes[v]["level"] == b.nodes[u]["level"] + 1
    assert isinstance(Pyramid().discipline, RankFirst)
    assert isinstance(InvertedPyramid().discipline, CustomerFirst)


def test_the_difference_is_exactly_the_mechanisms() -> None:
    """A pyramid given the inverted pyramid's mechanism parameters *is* the inverted pyramid."""
    inverted = InvertedPyramid()
    converted = Pyramid(**{k: getattr(inverted, k) for k in MECHANISMS})
    a = OrgModel(Scenario(design=inverted), rng=12)
    b = OrgModel(Scenario(design=converted), rng=12)
    a.run_for(30)
    b.run_for(30)
    assert a.kpis() == b.kpis()


@pytest.mark.parametrize("design", [Pyramid(), InvertedPyramid(), TwoWayStreet(), FlatTeam(),
                                    Silos(), Hierarchy(levels=4, span=3)])
def test_default_designs_are_stable_with_every_position_below_full_load(design) -> None:
    model = OrgModel(Scenario(design=design), rng=0)
    load = offered_load(model.graph, model.config.customers)
    assert (load.load < 0.95).all(), load.sort_values("load").tail(3)
    assert load.load.max() > 0.4  # and nobody is idle: a meaningful test bed


def test_builders_use_only_the_generator_they_are_given() -> None:
    a = FlatTeam().build(np.random.default_rng(5))
    b = FlatTeam().build(np.random.default_rng(5))
    c = FlatTeam().build(np.random.default_rng(6))
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))
    assert _people(a) == _people(b)
    assert _people(a) != _people(c)


def test_hierarchy_size_and_levels() -> None:
    g = Hierarchy(levels=4, span=3).build(np.random.default_rng(0))
    assert g.number_of_nodes() == 1 + 3 + 9 + 27
    assert sum(1 for _, d in g.nodes(data=True) if d["level"] == 0) == 27
    assert all(d["customer_facing"] == (d["level"] == 0) for _, d in g.nodes(data=True))


def test_silos_mark_cross_department_handoffs() -> None:
    g = Silos(departments=3, members=4).build(np.random.default_rng(0))
    cross = [(u, v) for u, v, k, d in g.edges(keys=True, data=True) if d["handoff"]]
    assert cross
    for u, v in cross:
        assert g.nodes[u]["department"] != g.nodes[v]["department"]


def test_better_communication_shortens_delay_across_silos() -> None:
    """Over five paired seeds: handoffs without friction mean faster, better service."""
    poor, good = [], []
    for seed in range(5):
        for out, level in ((poor, 0.0), (good, 1.0)):
            model = OrgModel(Scenario(design=Silos()).with_work(communication=level), rng=seed)
            model.run_for(40)
            out.append(model.kpis())
    assert sum(k["mean_delay"] for k in good) < sum(k["mean_delay"] for k in poor)
    assert all(g["mean_quality"] > p["mean_quality"] for g, p in zip(good, poor, strict=True))


def test_custom_graph_with_string_labels_and_defaults() -> None:
    g = nx.DiGraph()
    g.add_node("clerk", department="payroll", level=0, customer_facing=False)
    g.add_node("manager", level=1)
    g.add_node("agent", level=0)
    g.add_edge("clerk", "manager", per_day=0.2, need="information")  # weekly hours report
    g.add_edge("agent", "clerk", probability=0.1)
    model = OrgModel(Scenario(design=CustomGraph(graph=g)), rng=0)
    model.run_for(10)
    labels = {d["id"] for _, d in model.graph.nodes(data=True)}
    assert labels == {"clerk", "manager", "agent"}
    assert model.metrics.internal_completed > 0


@pytest.mark.parametrize(("edge", "message"), [
    ({"probability": 1.5}, "probability = 1.5 is not allowed"),
    ({"per_day": -1.0}, "per_day = -1.0 is not allowed"),
    ({"need": "love"}, "need = 'love' is not allowed: one of materials"),
    ({"weight": 0.0}, "weight = 0.0 is not allowed"),
])
def test_bad_custom_graphs_name_the_edge_the_key_and_what_is_allowed(edge, message) -> None:
    g = nx.DiGraph()
    g.add_node("a")
    g.add_node("b")
    g.add_edge("a", "b", **edge)
    with pytest.raises(ValueError, match=message) as err:
        OrgModel(Scenario(design=CustomGraph(graph=g)), rng=0)
    assert "'a' -> 'b'" in str(err.value)


def test_bad_design_parameters_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"approval_prob\n  Input should be less than or equal"):
        Pyramid(approval_prob=2)
    with pytest.raises(ValueError, match=r"size\n  Input should be greater than or equal to 1"):
        FlatTeam(size=0)
    with pytest.raises(ValueError, match=r"FlatTeam.helpers = 5 is not allowed: 0 to size - 1"):
        FlatTeam(size=3, helpers=5)
    with pytest.raises(ValueError, match=r"specialist_rate\n  Input should be greater than 0"):
        Silos(specialist_rate=0)
    with pytest.raises(ValueError, match=r"unknown queue discipline 'lifo'"):
        Pyramid(discipline="lifo")


def test_replace_keeps_validation() -> None:
    with pytest.raises(ValueError, match="span"):
        dataclasses.replace(Pyramid(), span=0)


def test_a_review_returns_work_for_another_pass_and_the_load_check_knows_it() -> None:
    from simulation.config.presets import queueing_network, rework_graph

    scenario = dataclasses.replace(queueing_network(rework_graph((3.0, 1.0), 0.4), 1.0),
                                   keep_records=True)
    model = OrgModel(scenario, rng=3)
    model.run(400)
    records = model.records()
    passes = records[records.provider_node == 0].groupby("root_id").size()
    reviews = records[records.provider_node == 1].groupby("root_id").size().reindex(passes.index,
                                                                          fill_value=0)
    assert ((passes == reviews) | (passes == reviews + 1)).all()  # pass, review, pass, ...
    # 1 / (1 - 0.4) = 5/3 passes per request (geometric: variance 0.4 / 0.6^2), within 3 SE
    assert abs(passes.mean() - 5 / 3) < 3 * np.sqrt(0.4 / 0.36 / len(passes))
    assert abs(passes.mean() - 2.0) > 3 * np.sqrt(0.5 / 0.25 / len(passes))  # not 50% returns
    # every record is a service, but a request completes once: at the root's last pass
    assert model.metrics.requests_completed == model.metrics.external_completed + reviews.sum()
    assert len(records) > model.metrics.requests_completed
    load = offered_load(model.graph, scenario.customers)
    assert load.arrivals_per_day.tolist() == pytest.approx([5 / 3, 2 / 3])


def test_a_review_returned_every_time_is_refused() -> None:
    g = nx.DiGraph()
    g.add_node("a")
    g.add_node("b")
    g.add_edge("a", "b", probability=1.0, review=True)
    with pytest.raises(ValueError, match="below 1 for a review"):
        OrgModel(Scenario(design=CustomGraph(graph=g)), rng=0)
