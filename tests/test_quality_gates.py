"""Control that can pay: approvals as quality gates that find defects and send work back."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_compiled import assert_same_run
from test_conservation import assert_conserved

from simulation import OrgModel, Pyramid, Scenario


def gated(thoroughness: float, failure_demand: float = 0.5, **people) -> Scenario:
    scenario = Scenario(design=Pyramid(approval_gate=True, thoroughness=thoroughness)) \
        .with_customers(failure_demand=failure_demand)
    return scenario.with_people(**people) if people else scenario


@pytest.mark.parametrize("thoroughness", [0.0, 0.8])
def test_the_engines_agree_on_gates_through_turnover(thoroughness: float) -> None:
    model = assert_same_run(gated(thoroughness, quit_rate_per_month=0.5, hiring_delay=3.0,
                                  interim=False), seed=5, days=60)
    assert model.metrics.quits > 20 and model.kpis()["defect_rate"] > 0


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])
def test_nothing_is_lost_and_blame_adds_up_through_gates(compiled: bool) -> None:
    model = OrgModel(gated(0.9), rng=2, compiled=compiled)
    for _ in range(25):
        model.step()
        assert_conserved(model)
    table = model.attribution("role")
    assert table.blamed_delay.sum() == pytest.approx(model.metrics.delay_sum, rel=1e-9)
    lost = model.metrics.external_completed - model.metrics.quality_sum
    assert table.blamed_quality.sum() == pytest.approx(lost, rel=1e-9)


def test_without_gates_nothing_changes() -> None:
    """Thoroughness matters only where approvals are gates; without gates or complaints no
    defect is drawn, and the runs are those of before gates existed."""
    def run(thoroughness: float) -> dict:
        design = Pyramid(approval_gate=False, thoroughness=thoroughness)
        scenario = Scenario(design=design).with_customers(failure_demand=0.0)
        return OrgModel(scenario, rng=3).run(30).kpis()

    plain = run(0.5)
    assert run(0.9) == plain
    assert np.isnan(plain["defect_rate"])


@pytest.mark.slow
def test_thorough_approvals_deliver_fewer_defects_and_cost_delay() -> None:
    """12 paired runs of 100 days: thoroughness 0.8 against 0 (a gate that never finds one),
    without failure demand (which thorough gates would also relieve: the cost alone is tested)
    and without people dynamics (whose quits, at the calibrated rate, drown the cost in noise:
    [-0.15, +0.19] days with them).

    Found: defects reaching customers 16.7% against 20.4% of requests, paired difference
    [-4.0, -3.5] points; mean delay 0.31 against 0.26 days, [+0.04, +0.05].
    """
    keys = ("defect_rate", "mean_delay")

    def runs(thoroughness: float) -> np.ndarray:
        scenario = gated(thoroughness, 0.0).with_people(enabled=False)
        return np.array([[OrgModel(scenario, rng=child).run(100).kpis()[k]
                          for k in keys] for child in np.random.SeedSequence(15).spawn(12)])

    lax, thorough = runs(0.0), runs(0.8)
    for j, sign in ((0, -1), (1, +1)):
        d = thorough[:, j] - lax[:, j]
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        assert sign * (d.mean() - sign * half) > 0, (keys[j], d.mean(), half)


def test_a_custom_graph_can_gate_any_dependency() -> None:
    import networkx as nx

    from simulation import CustomGraph

    g = nx.MultiDiGraph()
    g.add_node(0, level=0, customer_facing=True)
    g.add_node(1, level=1, customer_facing=False)
    g.add_edge(0, 1, key="check", probability=1.0, gate=True, thoroughness=1.0, work=0.2)
    scenario = Scenario(design=CustomGraph(graph=g)).with_customers(count=20)
    model = assert_same_run(scenario, seed=1, days=20)
    assert model.chain.gates_of[0] and model.kpis()["defect_rate"] >= 0.0
    g.edges[0, 1, "check"]["review"] = True
    with pytest.raises(ValueError, match="gate"):
        CustomGraph(graph=g).build(np.random.default_rng(0))


def test_the_engines_agree_on_failure_demand_through_quits() -> None:
    """Seed 6 once found a hire's delay drawn in another order on the two paths (when quits
    and hires shared the decisions stream); quits and hiring delays now have their own
    stream, drawn by position, and complaints still use the decisions stream."""
    model = assert_same_run(Scenario().with_customers(failure_demand=0.5), seed=8, days=50)
    assert model.metrics.quits >= 2 and model.metrics.complaints > 100


def test_complaints_come_from_defects_and_earn_nothing() -> None:
    price = 100.0
    model = OrgModel(Scenario().with_customers(failure_demand=0.6, price=price), rng=4).run(40)
    m = model.metrics
    defects, complaints = m.defects_delivered, m.complaints
    expected, sd = 0.6 * defects, np.sqrt(defects * 0.6 * 0.4)
    assert abs(complaints - expected) < 4 * sd
    assert m.revenue <= price * (m.external_completed - 0.9 * complaints)  # complaints are free
    k = model.kpis()
    assert k["failure_demand"] == pytest.approx(complaints / m.external_arrived)
    calm = OrgModel(Scenario().with_customers(failure_demand=0.0), rng=4).run(40).kpis()
    assert k["service_satisfaction"] < calm["service_satisfaction"]
    assert calm["failure_demand"] == 0.0  # none possible: a point estimate, not NaN
