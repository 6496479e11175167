"""Reports carry information: managers move waiting work by what the latest reports show."""

from __future__ import annotations

import numpy as np
import pytest
from test_compiled import assert_same_run

from simulation import OrgModel, Pyramid, Scenario


@pytest.mark.parametrize("people", [{}, {"quit_rate_per_month": 0.4, "hiring_delay": 4.0}],
                         ids=["steady", "turnover"])
def test_the_engines_agree_on_rebalancing(people: dict) -> None:
    scenario = Scenario(design=Pyramid(rebalancing=True, reporting_rate=0.5))
    model = assert_same_run(scenario.with_people(**people) if people else scenario, seed=6,
                            days=40)
    assert sum(e.handed for e in model.employees) > 20  # work was moved


def _spread(model: OrgModel) -> float:
    """Mean, over teams of frontline peers, of the spread (sd) of their utilisation."""
    s = model.positions().set_index("position")
    teams = [g for groups in model.chain.teams.values() for g in groups
             if model.chain.level[g[0]] == 0]
    return float(np.mean([s.loc[g, "utilisation"].std() for g in teams]))


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "compiled"])
def test_fresh_reports_spread_the_load_more_evenly(compiled: bool) -> None:
    """Daily reports with a manager acting on them against no reports (nothing to act on)."""
    busy = Scenario().with_people(enabled=False).with_customers(per_position=46.0)
    spreads = {}
    for reports in (0.0, 1.0):
        design = Pyramid(rebalancing=True, reporting_rate=reports, report_work=0.25)
        spreads[reports] = [_spread(OrgModel(Scenario(design=design, people=busy.people,
                                                      customers=busy.customers),
                                             rng=seed, compiled=compiled).run(40))
                            for seed in range(4)]
    assert all(b < a for a, b in zip(spreads[0.0], spreads[1.0], strict=True)), spreads


def test_a_stale_report_is_acted_on_as_it_stands() -> None:
    """The manager moves what the latest report shows, not what is there now."""
    scenario = Scenario(design=Pyramid(rebalancing=True, reporting_rate=0.0)).with_people(
        enabled=False).with_customers(per_position=60.0)
    model = OrgModel(scenario, rng=2, compiled=False).run(3)
    chain = model.chain
    p, q = chain.teams[1][0][-1], chain.teams[1][0][1]  # frontline peers under supervisor 1
    busy, idle = chain.occupant[p], chain.occupant[q]
    queued = len(busy.queue)
    assert queued > 0
    chain.report_time[p], chain.report_load[p] = 0.5, 8.0  # two days old: p had 8
    chain.report_time[q], chain.report_load[q] = 0.5, 0.0
    before = idle.accepted
    chain.rebalance()
    moved = min(4, queued)
    assert idle.accepted - before == moved
    assert (chain.report_load[p], chain.report_load[q]) == (8.0 - moved, float(moved))
    chain.report_load[p], chain.report_load[q] = 0.0, 8.0  # the same people, the other picture
    before, queued = busy.accepted, len(idle.queue)
    assert queued > 0
    chain.rebalance()
    assert busy.accepted - before == min(4, queued)  # the work flows back, by the picture


def test_work_covered_for_a_vacant_post_is_not_moved() -> None:
    """Only a post's own queued work is given up: covered work stays with whoever covers it
    (the compiled twin is held to the same by the engine comparison through turnover)."""
    scenario = Scenario(design=Pyramid(rebalancing=True)).with_people(
        enabled=False).with_customers(per_position=60.0)
    model = OrgModel(scenario, rng=2, compiled=False).run(3)
    chain = model.chain
    gone = chain.teams[1][0][0]
    model.workforce._quit(chain.occupant[gone])
    coverer = chain.servers[gone]
    model.run_for(1)
    covered = [r for _, _, r in coverer.queue if r.node != coverer.node]
    own = [r for _, _, r in coverer.queue if r.node == coverer.node]
    assert covered and own
    moved = chain.move(coverer, len(coverer.queue), chain.teams[1][0][-1])
    assert moved == len(own)
    stayed = [r for _, _, r in coverer.queue if r.node != coverer.node]
    assert {id(r) for r in stayed} == {id(r) for r in covered}  # a heap: order is its own
