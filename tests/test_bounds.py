"""Bounds before work: an oversized scenario is refused, with its estimate, before it is built."""

from __future__ import annotations

import math
import tracemalloc

import networkx as nx
import numpy as np
import pytest
from pydantic.dataclasses import dataclass

from simulation.config import bounds
from simulation.config.bounds import Footprint, TooLargeError
from simulation.config.building import add_position
from simulation.config.designs import FlatTeam, OrgDesign, Pyramid, Silos
from simulation.config.orgdata import Team, Teams
from simulation.config.scenario import Scenario
from simulation.experiments.experiment import run_experiment
from simulation.model.orgmodel import OrgModel


def test_each_design_knows_its_size_before_it_is_built() -> None:
    for design in (Pyramid(), Pyramid(levels=4, span=3), FlatTeam(size=7), Silos(),
                   Teams(teams=[Team(name="desk", size=4), Team(name="boss", level=1)])):
        graph = design.build(np.random.default_rng(0))
        facing = [d["rate"] for _, d in graph.nodes(data=True) if d["customer_facing"]]
        assert design.footprint() == Footprint(graph.number_of_nodes(), len(facing),
                                               sum(facing)), design


def test_the_default_pyramid_s_estimate() -> None:
    est = bounds.estimate(Scenario(), days=250)
    assert (est.positions, est.customers) == (31, 1250)  # 25 frontline x 40 x market 1.25
    assert est.requests_per_day == pytest.approx(1250 * 0.18 * 1.5)
    assert 1e6 < est.memory < 1e8


@pytest.mark.parametrize("scenario", [
    Scenario(),
    Scenario(design=FlatTeam(size=200)).with_customers(count=30_000),
    Scenario(keep_records=True),
], ids=["pyramid", "many customers", "records kept"])
def test_the_memory_estimate_is_not_below_what_a_run_takes(scenario: Scenario) -> None:
    """Measured with tracemalloc over a short run: the estimate must not be an underestimate."""
    days = 40
    OrgModel(scenario, rng=1).run(2)  # compiled and imported before measuring
    tracemalloc.start()
    try:
        OrgModel(scenario, rng=1).run(days)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = bounds.estimate(scenario, days)
    assert peak <= est.memory <= 20 * peak + 5e6, (peak, est)


def test_hard_limits_hold_on_every_machine() -> None:
    with pytest.raises(TooLargeError, match="days = 100,001 is beyond the longest run"):
        bounds.check(Scenario(), days=bounds.MAX_DAYS + 1)
    with pytest.raises(ValueError, match="give 318,877,551 positions"):
        Pyramid(levels=6, span=50)
    many = Teams(teams=[Team(name=f"t{i}", size=10_000) for i in range(101)])
    with pytest.raises(TooLargeError, match="1,010,000 positions is more than the model holds"):
        OrgModel(Scenario(design=many))  # refused before 1 million positions are built


def test_memory_is_checked_against_the_machine_and_the_workers(monkeypatch, tmp_path) -> None:
    scenario = Scenario().with_customers(count=200_000)  # about 0.4 GB a run with the process
    need = bounds.estimate(scenario).memory + bounds.PROCESS_BYTES
    monkeypatch.setattr(bounds, "physical_memory", lambda: int(2 * need / bounds.MEMORY_SHARE))
    assert bounds.check(scenario, workers=2) is not None
    with pytest.raises(TooLargeError, match=r"3 runs at once\); this machine has .*fewer workers"):
        bounds.check(scenario, workers=3)
    with pytest.raises(TooLargeError, match="3 runs at once"):
        run_experiment([scenario], 3, out=tmp_path / "out", workers=3)
    assert not (tmp_path / "out").exists()  # refused before the folder was made


@dataclass(frozen=True)
class Sprawl(OrgDesign):
    """A design of a student's that does not say its size before it is built."""

    size: int = 5

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph(design="Sprawl")
        for i in range(self.size):
            add_position(g, i, role="agent", level=0, department="d", skill=0.8, rate=12.0,
                         customer_facing=True)
        return g


def test_a_design_without_a_footprint_is_checked_once_built(monkeypatch) -> None:
    assert Sprawl().footprint() is None
    OrgModel(Scenario(design=Sprawl()), rng=1)
    monkeypatch.setattr(bounds, "MAX_POSITIONS", 4)
    with pytest.raises(TooLargeError, match="5 positions is more than the model holds"):
        OrgModel(Scenario(design=Sprawl()), rng=1)


def test_a_run_too_long_is_refused_before_it_starts() -> None:
    model = OrgModel(Scenario(), rng=1)
    with pytest.raises(TooLargeError, match="beyond the longest run"):
        model.run(bounds.MAX_DAYS + 1)
    assert model.clock.now == 0.0 and model.daily().empty


def test_an_org_chart_s_size_is_read_as_it_will_be_built() -> None:
    from pathlib import Path

    from simulation.config.files import load_scenario

    design = load_scenario(Path(__file__).parent.parent / "scenarios" / "examples"
                           / "my_company.toml").design
    graph = design.build(np.random.default_rng(0))
    facing = sum(d["customer_facing"] for _, d in graph.nodes(data=True))
    assert design.footprint() == Footprint(graph.number_of_nodes(), facing)


@pytest.mark.parametrize("market", [10_000.0, math.inf])
def test_a_large_market_is_a_ceiling_not_the_customers(market: float) -> None:
    """The market is approached slowly; a run starts with its customers and gains a few."""
    est = bounds.check(Scenario().with_customers(market=market))
    assert est.customers == 2 * 1000 + 250 * 1  # doubled by word of mouth, plus marketing
    assert bounds.check(Scenario().with_customers(market=market, count=0)).customers <= 250


def test_numpy_integers_are_counts_like_any_other(tmp_path) -> None:
    from simulation.config.files import load_scenario
    from simulation.experiments.experiment import compare

    scenario = load_scenario("flat_team")
    OrgModel(scenario, rng=1).run(np.int64(2))
    compare([scenario], runs=np.int64(1), seed=np.int64(7), days=np.int64(2), out=tmp_path,
            workers=1)
    again = compare([scenario], runs=2, seed=7, days=2, out=tmp_path, workers=1)  # resumes
    assert len(again.runs) == 2 and (again.runs.status == "ok").all()

