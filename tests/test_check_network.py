"""A researcher's own network: Markov routing, per-position demand, and the Jackson check.

The network is the scenario file ``scenarios/examples/jackson_network.toml`` (exclusive routing,
a single input, a rework loop, demand 2 : 1). Its match with the product form per position and
overall, with power, is the validation battery's ``jackson_network`` check
(``test_validation_queueing.py``); here the check must fail on engines that route wrongly or
ignore exclusive routing.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from simulation.checks import network
from simulation.checks.network import ProductFormError, as_network, compare, jackson
from simulation.checks.result import seeds
from simulation.cli.commands import main
from simulation.config.custom_graph import CustomGraph
from simulation.config.files import load_scenario
from simulation.config.presets import queueing_network, tandem_graph
from simulation.model.orgmodel import OrgModel

FILE = Path(__file__).parent.parent / "scenarios" / "examples" / "jackson_network.toml"
RUNS, DAYS = 8, 1000


def _simulate(scenario, mutate=None):
    """The prediction, the replications (of a mutated network, if given) and the graph."""
    reduced, _ = as_network(scenario)
    graph = nx.convert_node_labels_to_integers(reduced.design.build(np.random.default_rng(0)),
                                               ordering="sorted")
    theory = jackson(graph, network.demand_per_day(reduced, graph))
    speed = network.VISITS_PER_DAY / theory.visits.sum()
    fast, _ = as_network(scenario, speed=speed)
    if mutate is not None:
        wrong = nx.MultiDiGraph(fast.design.graph)
        mutate(wrong)
        fast = dataclasses.replace(fast, design=dataclasses.replace(fast.design, graph=wrong))
    reps = [network.replicate(fast, DAYS, DAYS // 10, child, speed)
            for child in seeds(7, RUNS)]
    return theory, reps, graph


@pytest.fixture(scope="module")
def measured():
    return _simulate(load_scenario(str(FILE)))


def _by_name(results):
    return {r.check: r for r in results}


def test_the_file_s_prediction_and_a_correct_engine_agree(measured):
    """The prediction's figures; the full match with power is the battery's jackson_network."""
    theory, reps, _ = measured
    assert theory.external[:2].tolist() == pytest.approx([1.0, 0.5])  # 2 : 1 of 1.5 a day
    qc = theory.names.index("quality control")
    assert theory.visits[qc] == pytest.approx(0.7 * 0.25 / 0.75, rel=1e-12)  # rework loop
    results = _by_name(compare(theory, reps, "test"))
    for row in ("front desk: visits per day", "front desk: utilisation",
                "specialist: visits per day", "external customers: mean delay"):
        assert results[row].passed and results[row].power > 0.95, results[row]


def test_check_fails_when_routing_is_off_by_a_tenth(measured):
    """The routing mutant's error (probabilities 0.9 times) in the prediction is caught."""
    _, reps, graph = measured
    wrong = nx.MultiDiGraph(graph)
    for _, _, d in wrong.edges(data=True):
        if d.get("exclusive"):
            d["probability"] *= 0.9
    off = jackson(wrong, 1.5)
    failed = [r.check for r in compare(off, reps, "test") if not r.passed]
    assert "specialist: visits per day" in failed and "back office: utilisation" in failed


def test_check_fails_on_an_engine_that_ignores_exclusive_routing(measured):
    """Independent draws keep every visit rate but let work wait for two inputs at once."""
    theory, _, _ = measured

    def independent(graph):
        for _, _, d in graph.edges(data=True):
            d["exclusive"] = False

    _, reps, _ = _simulate(load_scenario(str(FILE)), independent)
    results = _by_name(compare(theory, reps, "test"))
    assert results["specialist: visits per day"].passed  # the same visits ...
    assert not results["external customers: mean delay"].passed  # ... but shorter delays


def test_exclusive_routing_and_histograms_are_twins():
    scenario = load_scenario(str(FILE))
    reduced, _ = as_network(scenario, speed=20.0)
    runs = []
    for compiled in (True, False):
        model = OrgModel(reduced, rng=3, compiled=compiled, position_histograms=True)
        model.run(40)
        runs.append(model)
    a, b = runs
    assert a.compiled and not b.compiled
    assert a.metrics.position_counts.sum() > 2000
    assert np.array_equal(a.metrics.position_counts, b.metrics.position_counts)
    cols = ["tasks_done", "mean_sojourn", "sojourn_p50", "sojourn_p95"]
    assert a.positions()[cols].equals(b.positions()[cols])
    assert a.run_out()["mean_delay"] == b.run_out()["mean_delay"]


def test_tandem_prediction_is_the_sum_of_mm1_sojourns():
    graph = nx.convert_node_labels_to_integers(
        CustomGraph(graph=tandem_graph((2.0, 3.0, 4.0))).build(np.random.default_rng(0)))
    theory = jackson(graph, 1.0)
    assert theory.delay == pytest.approx(1 / 1 + 1 / 2 + 1 / 3, rel=1e-12)
    assert theory.utilisation.tolist() == pytest.approx([1 / 4, 1 / 3, 1 / 2])
    assert theory.quantile(0.95)[2] == pytest.approx(np.log(20) / 1.0)


def _graph(*edges, rates=(3.0, 2.0, 2.0)):
    g = nx.DiGraph()
    for i, rate in enumerate(rates):
        g.add_node(i, rate=rate, customer_facing=i == 0)
    for u, v, attrs in edges:
        g.add_edge(u, v, **attrs)
    return nx.convert_node_labels_to_integers(CustomGraph(graph=g).build(None))


@pytest.mark.parametrize(("edges", "message"), [
    ([(0, 1, {"probability": 0.5}), (0, 2, {"probability": 0.5})], "several inputs at once"),
    ([(0, 1, {"probability": 0.5, "review": True}),
      (0, 2, {"probability": 0.5, "review": True})], "two reviewers"),
    ([(0, 1, {"probability": 0.5}), (1, 2, {"probability": 0.5}),
      (2, 1, {"probability": 0.5})], "cycle"),
    ([(0, 1, {"probability": 0.5, "gate": True, "thoroughness": 0.5})], "quality gate"),
    ([(0, 1, {"probability": 0.5, "work": 2.0})], "work 2"),
    ([(0, 1, {"probability": 1.0})], "no steady state"),
])
def test_networks_without_product_form_are_refused(edges, message):
    rates = (3.0, 2.0, 2.0) if message != "no steady state" else (3.0, 0.9, 2.0)
    with pytest.raises(ProductFormError, match=message):
        jackson(_graph(*edges, rates=rates), 1.0)


def test_exclusive_alternatives_must_sum_to_at_most_one():
    g = nx.DiGraph()
    for i in range(3):
        g.add_node(i, rate=2.0, customer_facing=i == 0)
    g.add_edge(0, 1, probability=0.7, exclusive=True)
    g.add_edge(0, 2, probability=0.6, exclusive=True)
    with pytest.raises(ValueError, match=r"exclusive inputs' probabilities sum to 1\.3"):
        CustomGraph(graph=g).build(None)


def test_demand_shares_give_each_position_exactly_its_rate():
    g = nx.DiGraph()
    g.add_node(0, rate=50.0, customer_facing=True, demand=3.0)
    g.add_node(1, rate=50.0, customer_facing=True, demand=1.5)
    g.add_node(2, rate=50.0, customer_facing=True)  # weighs 1 when others give a share
    model = OrgModel(queueing_network(g, 10.0), rng=2)
    factor, homes = model.market.rate_factor, [c.home for c in model.customers]
    rates = np.bincount(homes, minlength=3) * factor * 10.0 / len(homes)
    expected = [60 / 11, 30 / 11, 20 / 11]  # 3 : 1.5 : 1 of 10 a day; quotas 545, 273, 182
    assert rates.tolist() == pytest.approx(expected, rel=1e-12)
    assert not np.allclose(factor, 1.0)
    model.run(1000)
    served = model.positions().external_served.to_numpy() / model.clock.now
    assert served == pytest.approx(expected, rel=0.1)  # 4 standard errors


def test_team_options_are_checked():
    scenario = load_scenario(str(FILE))
    team = scenario.design.teams[2]
    with pytest.raises(ValueError, match="does not face customers"):
        dataclasses.replace(team, demand=1.0)
    dep = scenario.design.dependencies[0]
    with pytest.raises(ValueError, match="with exclusive = true"):
        dataclasses.replace(dep, how_often="weekly")
    with pytest.raises(ValueError, match="review after it"):
        dataclasses.replace(dep, review=True)


def test_cli_check_network_refuses_a_network_without_product_form(capsys):
    assert main(["check-network", "pyramid", "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert "work 0.25" in err or "product form" in err


def test_cli_check_network_prints_each_position(capsys):
    code = main(["check-network", str(FILE), "--runs", "2", "--max-runs", "2", "--days", "200",
                 "-w", "1"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    for name in ("front desk: mean sojourn", "quality control: utilisation",
                 "external customers: mean delay"):
        assert name in out
    assert "equal share of demand" not in out  # the file gives its shares


def test_org_chart_columns_give_demand_exclusive_routing_and_reviews(tmp_path):
    (tmp_path / "chart.csv").write_text(
        "employee_id,name,role,department,manager_id,customer_facing,demand\n"
        "1,Ann,desk,front,,yes,2\n2,Bob,desk,front,,yes,\n3,Cy,expert,back,,no,\n"
        "4,Di,audit,back,,no,\n", encoding="utf-8")
    (tmp_path / "map.csv").write_text(
        "employee,relies_on,need,how_often,exclusive,review\n"
        "1,3,information,0.6,yes,\n1,4,information,0.4,yes,\n3,4,information,0.2,,yes\n",
        encoding="utf-8")
    from simulation.config.orgdata import OrgChart, OrgChartError

    chart = OrgChart(org_chart=str(tmp_path / "chart.csv"),
                     internal_customers=str(tmp_path / "map.csv"))
    g = chart.build(np.random.default_rng(0))
    assert g.nodes["1"]["demand"] == 2.0 and g.nodes["2"]["demand"] is None
    edges = {(u, v): d for u, v, d in g.edges(data=True)}
    assert edges["1", "3"]["exclusive"] and edges["3", "4"]["review"]
    (tmp_path / "map.csv").write_text(
        "employee,relies_on,need,how_often,exclusive\n1,3,information,0.7,yes\n"
        "1,4,information,0.4,yes\n", encoding="utf-8")
    with pytest.raises(OrgChartError, match=r"sum to 1\.1"):
        chart.build(np.random.default_rng(0))


def test_two_edges_to_one_provider_are_two_inputs_and_refused():
    g = nx.MultiDiGraph()
    g.add_node(0, rate=3.0, customer_facing=True)
    g.add_node(1, rate=3.0, customer_facing=False)
    g.add_edge(0, 1, key="a", probability=0.5)
    g.add_edge(0, 1, key="b", probability=0.5)
    built = nx.convert_node_labels_to_integers(CustomGraph(graph=g).build(None))
    with pytest.raises(ProductFormError, match="several inputs at once"):
        jackson(built, 1.0)


def test_a_chain_as_deep_as_max_depth_is_accepted_and_one_deeper_refused():
    chain = _graph((0, 1, {"probability": 0.5}), (1, 2, {"probability": 0.5}))
    assert jackson(chain, 1.0, max_depth=2).delay > 0
    with pytest.raises(ProductFormError, match=r"passes work\.max_depth = 1"):
        jackson(chain, 1.0, max_depth=1)


def test_no_customers_with_shares_is_allowed_and_bad_run_counts_are_refused():
    g = nx.DiGraph()
    g.add_node(0, rate=5.0, customer_facing=True, demand=2.0)
    scenario = queueing_network(g, 1.0)
    empty = dataclasses.replace(scenario, customers=dataclasses.replace(
        scenario.customers, count=0))
    assert OrgModel(empty, rng=1).market.customers == []
    with pytest.raises(ValueError, match="runs = 0"):
        network.check_network(scenario, runs=0)
    with pytest.raises(ValueError, match="days = 5"):
        network.check_network(scenario, days=5)


def test_offered_load_shares_demand_by_the_positions_weights():
    """Demand shares (3 : 1 : none, which weighs 1) set each desk's load, not an even split."""
    from simulation.checks.offered_load import offered_load
    from simulation.config.scenario import Customers

    g = nx.DiGraph()
    for i, demand in enumerate((3.0, 1.0, None)):
        attrs = {"rate": 10.0, "customer_facing": True}
        if demand is not None:
            attrs["demand"] = demand
        g.add_node(i, **attrs)
    graph = nx.convert_node_labels_to_integers(CustomGraph(graph=g).build(None))
    load = offered_load(graph, Customers(count=100, request_rate=0.05))
    np.testing.assert_allclose(load.arrivals_per_day, [3.0, 1.0, 1.0])
