"""Control costs what it costs: each dependency's task has its own work content."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from test_compiled import assert_same_run

from simulation import CustomGraph, InvertedPyramid, OrgModel, Pyramid, Scenario


def _reports(work: float, compiled: bool) -> float:
    """Busy time of an employee who only writes reports of that work content."""
    g = nx.MultiDiGraph()
    g.add_node(0, level=1, rate=20.0, customer_facing=True)
    g.add_node(1, level=0, rate=10.0, customer_facing=False)
    g.add_edge(0, 1, key="reporting", per_day=4.0, probability=0.0, work=work)
    scenario = Scenario(design=CustomGraph(graph=g)).with_customers(
        count=0, acquisition_per_day=0.0).with_people(enabled=False)
    model = OrgModel(scenario, rng=4, compiled=compiled).run(200)
    writer = model.chain.occupant[1]
    model.employees  # noqa: B018 - brings the counters up to date
    return writer.busy_until_now()


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])
def test_a_report_of_a_quarter_task_takes_a_quarter_of_the_time(compiled: bool) -> None:
    full, quarter = _reports(1.0, compiled), _reports(0.25, compiled)
    assert full == pytest.approx(4.0 * 200 / 10.0, rel=0.1)  # 4 reports a day, 10 tasks a day
    assert quarter / full == pytest.approx(0.25, rel=0.02)  # the same draws, a quarter the work


@pytest.mark.parametrize("design", [
    Pyramid(report_work=0.25, approval_work=0.5),
    InvertedPyramid(coaching_work=2.0, support_work=0.5, peer_work=3.0, reporting_rate=0.5,
                    report_work=0.3),
], ids=["pyramid", "inverted"])
def test_the_engines_agree_on_work_content(design) -> None:
    assert_same_run(Scenario(design=design), seed=8, days=40)


def test_lighter_reports_free_the_frontline() -> None:
    heavy = OrgModel(Scenario().with_people(enabled=False), rng=2).run(60).kpis()
    light = OrgModel(Scenario(design=Pyramid(report_work=0.1)).with_people(enabled=False),
                     rng=2).run(60).kpis()
    assert light["mean_delay"] < heavy["mean_delay"]


def test_a_work_content_must_be_positive() -> None:
    g = nx.MultiDiGraph()
    g.add_node(0)
    g.add_node(1)
    g.add_edge(0, 1, work=0.0)
    with pytest.raises(ValueError, match="work"):
        CustomGraph(graph=g).build(None)
    with pytest.raises(ValueError, match="report_work"):
        Pyramid(report_work=-1.0)


def test_every_design_and_data_source_sets_work_content(tmp_path) -> None:
    from simulation import FlatTeam, Silos
    from simulation.config.orgdata import OrgChart

    _, edges = OrgModel(Scenario(design=FlatTeam(peer_work=0.5)), rng=1).structure()
    assert set(edges.work) == {0.5}
    _, edges = OrgModel(Scenario(design=Silos(approval_work=0.3, cross_work=2.0)),
                        rng=1).structure()
    assert dict(edges.groupby("purpose").work.first()) == {"approval": 0.3,
                                                           "cross-department": 2.0}
    chart = tmp_path / "chart.csv"
    chart.write_text("employee_id,name,role,department,manager_id\n1,A,boss,x,\n2,B,clerk,x,1\n")
    links = tmp_path / "map.csv"
    links.write_text("employee,relies_on,need,how_often,work\n2,1,information,weekly,0.25\n")
    _, edges = OrgModel(Scenario(design=OrgChart(org_chart=str(chart),
                                                 internal_customers=str(links))),
                        rng=1).structure()
    assert edges.work.tolist() == [0.25]
    links.write_text("employee,relies_on,need,how_often,work\n2,1,information,weekly,0\n")
    with pytest.raises(ValueError, match="row 2, column 'work'"):
        OrgChart(org_chart=str(chart), internal_customers=str(links)).build(
            np.random.default_rng(0))
