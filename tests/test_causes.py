"""Why customers waited: each one's delay split by kind of time and step of the chain.

The split follows the critical path (``simulation.core.causes``); it must add up to each
customer's delay, give the same rows on both engines, and put prioritisation only where a queue
discipline lets later work go first. The queueing oracle for prioritisation is in
``simulation.checks.queueing.check_priority`` (and its mutant in ``tests/test_mutants.py``).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulation import CustomGraph, InvertedPyramid, OrgModel, Pyramid, Scenario, Silos
from simulation.chain.service_chain import ServiceChain
from simulation.core.causes import ROW, Kind, Step, step_of
from simulation.core.requests import Dependency, Need


def _reviewed(people: bool) -> Scenario:
    from simulation.config.presets import queueing_network, rework_graph

    scenario = queueing_network(rework_graph(p=0.4), 0.8, days=30)
    if people:
        scenario = scenario.with_people(enabled=True, quit_rate_per_month=0.5, hiring_delay=3.0)
    return scenario


def _held() -> Scenario:
    """A pyramid whose frontline waits on others after its work (a position's ``hold``)."""
    g = nx.MultiDiGraph(Pyramid(levels=2, span=4).build(np.random.default_rng(0)))
    for node in g.nodes:
        if g.nodes[node]["level"] == 0:
            g.nodes[node]["hold"] = 0.05
            g.nodes[node]["hold_cv"] = 2.0
    return Scenario(design=CustomGraph(graph=g))


SCENARIOS = {
    "pyramid": Scenario(),
    "inverted": Scenario(design=InvertedPyramid()),
    "silos": Scenario(design=Silos()),
    "reviewed": _reviewed(people=False),
    "reviewed_turnover": _reviewed(people=True),
    "vacancies": Scenario().with_people(quit_rate_per_month=0.5, hiring_delay=3.0,
                                        interim=False),
    "rebalancing": Scenario(design=Pyramid(rebalancing=True)).with_people(
        quit_rate_per_month=0.5, hiring_delay=3.0),
    "gates_as_inputs": Scenario(design=Pyramid(approval_gate=False)),
    "held": _held(),
}


def _run(scenario: Scenario, compiled: bool, days: int = 30) -> OrgModel:
    return OrgModel(scenario, rng=3, compiled=compiled, customer_causes=True).run(days)


DAYS = {"reviewed": 150, "reviewed_turnover": 150}  # about a customer a day


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def pair(request) -> tuple[str, OrgModel, OrgModel]:
    scenario, days = SCENARIOS[request.param], DAYS.get(request.param, 30)
    return request.param, _run(scenario, False, days), _run(scenario, True, days)


def test_the_causes_add_up_to_each_customers_delay_on_both_engines(pair) -> None:
    name, python, compiled = pair
    assert compiled.day.compiled and not python.day.compiled
    for model in (python, compiled):
        rows = model.customer_causes()
        assert len(rows) == model.metrics.external_completed > 100, name
        kinds = rows[[k.name.lower() for k in Kind]].sum(axis=1)
        steps = rows[[f"via_{s.name.lower()}" for s in Step]].sum(axis=1)
        assert np.abs(kinds - rows.delay).max() < 1e-9, name
        assert np.abs(steps - rows.delay).max() < 1e-9, name
        assert (rows.iloc[:, 2:] >= -1e-12).all().all(), name  # no negative time
        assert model.metrics.causes.sum() == pytest.approx(model.metrics.delay_sum, rel=1e-9)


def test_both_engines_give_the_same_rows_and_the_same_blame(pair) -> None:
    name, python, compiled = pair
    a, b = python.customer_causes(), compiled.customer_causes()
    assert a.shape == b.shape and np.array_equal(a.to_numpy(), b.to_numpy()), name
    assert np.array_equal(python.metrics.causes, compiled.metrics.causes), name
    cols = ["blamed_contention", "blamed_prioritisation", "blamed_unavailable", "via_service",
            "via_inputs", "via_review", "via_rework", "via_escalation"]
    left = python.attribution("employee_id")[cols]
    right = compiled.attribution("employee_id")[cols]
    assert np.allclose(left.to_numpy(float), right.to_numpy(float), rtol=1e-12, atol=1e-12)


def test_each_blame_row_adds_up_both_ways(pair) -> None:
    """Per person and for the vacant posts, the kinds and the steps each give the delay blamed."""
    _, _, model = pair
    table = model.attribution("employee_id")
    kinds = table[["blamed_work", "blamed_contention", "blamed_prioritisation",
                   "blamed_unavailable", "blamed_hold", "blamed_handoff"]].sum(axis=1)
    steps = table[[f"via_{s.name.lower()}" for s in Step]].sum(axis=1)
    assert np.allclose(kinds, table.blamed_delay, rtol=1e-9, atol=1e-9)
    assert np.allclose(steps, table.blamed_delay, rtol=1e-9, atol=1e-9)


def test_the_cause_tables_add_up_to_the_mean_delay_delivered(pair) -> None:
    _, _, model = pair
    mean = model.kpis()["mean_delay_completed"]
    assert model.causes("kind").days_per_request.sum() == pytest.approx(mean, rel=1e-9)
    for by in ("step", "need"):
        table = model.causes(by)
        assert table.total.sum() == pytest.approx(mean, rel=1e-9)
        assert np.allclose(table.drop(columns="total").sum(axis=1), table.total)
    kpis = model.kpis()  # the run row counts the open requests too, at their age
    rows = sum(kpis[f"cause_{k.name.lower()}"] for k in Kind) + kpis["cause_open"]
    assert rows == pytest.approx(kpis["mean_delay"], rel=1e-9)


def test_where_each_cause_appears() -> None:
    """Prioritisation needs a discipline that lets later work go first; unavailability needs
    vacancies; hand-offs need departments; rework needs a review; holds need a hold."""
    def kinds(name: str) -> dict[str, float]:
        return _run(SCENARIOS[name], True).causes("kind").days_per_request.to_dict()

    def steps(name: str) -> dict[str, float]:
        return _run(SCENARIOS[name], True, DAYS.get(name, 30)).causes("step").total.to_dict()

    fcfs = Scenario(design=Pyramid(discipline=__import__("simulation").FirstComeFirstServed()))
    assert _run(fcfs, True).causes("kind").loc["prioritisation", "days_per_request"] == 0.0
    assert kinds("pyramid")["prioritisation"] > 0.0  # rank first: managers' work goes first
    assert kinds("pyramid")["handoff"] == 0.0 < kinds("silos")["handoff"]
    assert kinds("pyramid")["unavailable"] < kinds("vacancies")["unavailable"]
    assert kinds("pyramid")["hold"] == 0.0 < kinds("held")["hold"]
    assert steps("reviewed")["rework"] > 0.0 and steps("reviewed")["review"] > 0.0
    assert steps("pyramid")["escalation"] > 0.0  # approvals (gates) up the line
    assert steps("silos")["inputs"] > 0.0


def test_a_tally_that_drops_the_handoffs_is_caught(monkeypatch) -> None:
    """The adding-up test can fail: a chain that forgets one kind of time breaks it."""
    original = ServiceChain._tally

    def forgetful(self, row, need, step, kind, days):
        original(self, row, need, step, kind, 0.0 if kind == Kind.HANDOFF else days)

    monkeypatch.setattr(ServiceChain, "_tally", forgetful)
    rows = _run(SCENARIOS["silos"], False).customer_causes()
    kinds = rows[[k.name.lower() for k in Kind]].sum(axis=1)
    assert np.abs(kinds - rows.delay).max() > 1e-3


def test_the_step_of_a_dependency() -> None:
    assert step_of(Dependency(1, Need.INSTRUCTION, purpose="approval", gate=True)) \
        is Step.ESCALATION
    assert step_of(Dependency(1, Need.INFORMATION, review=True)) is Step.REVIEW
    assert step_of(Dependency(1, Need.INFORMATION, gate=True)) is Step.REVIEW
    assert step_of(Dependency(1, Need.MATERIALS)) is Step.INPUTS
    from simulation.core import rules

    assert rules.REWORK_STEP == Step.REWORK
    assert rules.pass_step(Step.INPUTS, 0) == Step.INPUTS
    assert rules.pass_step(Step.INPUTS, 2) == Step.REWORK
    assert ROW == len(Kind) + len(Step)


def test_customer_causes_must_be_asked_for() -> None:
    model = OrgModel(Scenario(), rng=1).run(2)
    with pytest.raises(ValueError, match="customer_causes=True"):
        model.customer_causes()
    with pytest.raises(ValueError, match="one of kind, step, need"):
        model.causes("who")


def test_an_experiments_runs_and_its_figure_add_up_to_the_delay(small_comparison) -> None:
    """Each run row's causes (after the run-out) add up to its mean delay; the report's bars are
    their means, and by role the blame over the requests delivered gives the same total."""
    from simulation.report.cause_figures import causes, role_causes

    result = small_comparison
    runs = result.runs[result.runs.status == "ok"]
    closed = runs[runs.delay_open == 0]
    assert len(closed) == len(runs) > 0
    for prefix, names in (("cause_", [k.name.lower() for k in Kind]),
                          ("via_", [s.name.lower() for s in Step])):
        total = closed[[prefix + n for n in names]].sum(axis=1)
        assert np.allclose(total, closed.mean_delay, rtol=1e-9)
    fig = causes(runs, result.positions, result.structure)
    kinds = [t for t in fig.data if t.visible is True]
    assert len(kinds) == len(Kind) + 1  # and the requests still open, at their age
    for i, name in enumerate(dict.fromkeys(runs.scenario)):
        bar = sum(t.x[i] for t in kinds)
        assert bar == pytest.approx(runs[runs.scenario == name].mean_delay.mean(), rel=1e-9)
        by_role = role_causes(runs, result.positions, result.structure[name], name)
        served = runs[runs.scenario == name].delivered
        delays = runs[runs.scenario == name].mean_delay * served
        assert by_role.to_numpy().sum() == pytest.approx(delays.sum() / served.sum(), rel=1e-9)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])
def test_open_requests_count_in_the_run_rows_causes(compiled: bool) -> None:
    """A run-out cut short leaves requests open: they count at their age (``cause_open``), so
    the causes still add up to ``mean_delay``, which counts them too."""
    model = OrgModel(Scenario().with_customers(request_rate=0.4), rng=2,
                     compiled=compiled).run(20)
    out = model.run_out(max_days=0)
    assert out["delay_open"] > 0 and out["cause_open"] > 0
    for prefix, names in (("cause_", [k.name.lower() for k in Kind]),
                          ("via_", [s.name.lower() for s in Step])):
        total = sum(out[prefix + n] for n in [*names, "open"])
        assert total == pytest.approx(out["mean_delay"], rel=1e-9)
