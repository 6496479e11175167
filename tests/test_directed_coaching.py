"""Reports carry information: a manager gives coaching to whoever the latest reports show
struggling, one session per report, on both engines."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from test_compiled import assert_same_run

from simulation import CustomGraph, OrgModel, Scenario, TwoWayStreet
from simulation.compiled.gate import load_kernel


def _team(model: OrgModel) -> list[int]:
    """The first frontline team (same supervisor, same role)."""
    chain = model.chain
    return next(g for groups in chain.teams.values() for g in groups
                if chain.level[g[0]] == 0)


def _picture(chain, team: list[int], skills: list[float]) -> None:
    for p, s in zip(team, skills, strict=True):
        chain.report_time[p], chain.report_skill[p] = 1.0, s


@pytest.fixture
def quiet() -> OrgModel:
    scenario = Scenario(design=TwoWayStreet()).with_people(enabled=False)
    return OrgModel(scenario, rng=3, compiled=False).run(1)


def test_sessions_go_to_the_least_skilled_by_the_latest_reports(quiet: OrgModel) -> None:
    chain = quiet.chain
    team = _team(quiet)
    _picture(chain, team, [0.9, 0.6, 0.8, 0.7, 0.95])  # stale: nobody's skill is looked at now
    order = [chain.coached(team[0]) for _ in range(6)]
    assert order == [team[1], team[3], team[2], team[0], team[4], team[0]]
    assert all(math.isinf(chain.report_skill[p]) for p in team)  # every report used up


def test_without_a_report_or_a_person_in_post_the_session_stays(quiet: OrgModel) -> None:
    chain = quiet.chain
    team = _team(quiet)
    for p in team:
        chain.report_time[p] = -1.0
    assert chain.coached(team[2]) == team[2]  # no report yet: nothing to act on
    _picture(chain, team, [0.9, 0.5, 0.8, 0.7, 0.95])
    quiet.workforce._quit(chain.occupant[team[1]])  # the least skilled left: covered or vacant
    assert chain.coached(team[2]) == team[3]


def test_undirected_coaching_is_not_redirected() -> None:
    model = OrgModel(Scenario(design=TwoWayStreet(directed_coaching=False)), rng=3,
                     compiled=False).run(1)
    assert not any(dep.directed for _, dep in model.chain.scheduled)
    no_reports = OrgModel(Scenario(design=TwoWayStreet(reporting_rate=0.0)), rng=3).run(1)
    assert not any(dep.directed for _, dep in no_reports.chain.scheduled)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([0.5, 0.6, 0.7, math.inf])),
                min_size=5, max_size=5),
       st.integers(0, 4), st.integers(1, 6))
def test_the_kernel_chooses_as_the_chain_does(picture, start, calls) -> None:
    """Twin: ``ServiceChain.coached`` and the kernel's ``_coached`` on the same picture."""
    k = load_kernel()
    model = OrgModel(Scenario(design=TwoWayStreet()).with_people(enabled=False), rng=3,
                     compiled=True)
    chain, engine = model.chain, model.chain.engine
    team = _team(model)
    for p, (reported, skill) in zip(team, picture, strict=True):
        chain.report_time[p], chain.report_skill[p] = (1.0 if reported else -1.0), skill
    sv = engine.sv.copy()
    python = [chain.coached(team[start]) for _ in range(calls)]
    compiled = [int(k._coached(engine.pos, sv, team[start])) for _ in range(calls)]
    assert python == compiled
    np.testing.assert_array_equal(sv, engine.sv)


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
@pytest.mark.parametrize("people", [{}, {"quit_rate_per_month": 0.4, "hiring_delay": 4.0}],
                         ids=["steady", "turnover"])
def test_the_engines_agree_on_directed_coaching(people: dict, directed: bool) -> None:
    scenario = Scenario(design=TwoWayStreet(coaching_rate=0.3, directed_coaching=directed))
    assert_same_run(scenario.with_people(**people) if people else scenario, seed=6, days=40)


def test_a_hire_is_not_known_until_their_first_report() -> None:
    """The post's last report was the leaver's (or the coverer's): a hire starts unreported."""
    scenario = Scenario(design=TwoWayStreet()).with_people(enabled=False)
    model = OrgModel(scenario, rng=3, compiled=False).run(1)
    chain = model.chain
    team = _team(model)
    _picture(chain, team, [0.9, 0.6, 0.8, 0.7, 0.95])
    model.workforce._quit(chain.occupant[team[1]])
    assert chain.coached(team[0]) == team[3]  # the post is covered: left out
    model.workforce._hire(team[1])
    assert chain.occupant[team[1]] is not None
    assert chain.report_time[team[1]] < 0  # no report of the newcomer yet
    assert chain.coached(team[0]) == team[2]  # so they are not chosen on the leaver's report


def test_a_session_due_to_an_empty_post_is_not_given_to_another(quiet: OrgModel) -> None:
    """Directing changes who is coached, never how many sessions there are."""
    chain = quiet.chain
    team = _team(quiet)
    _picture(chain, team, [0.9, 0.6, 0.8, 0.7, 0.95])
    due = {node: i for i, (node, dep) in enumerate(chain.scheduled) if dep.directed}
    quiet.workforce._quit(chain.occupant[team[1]])
    assert chain.submit_scheduled(due[team[1]]) is None  # nobody there to be due a session
    assert chain.submit_scheduled(due[team[0]]).origin == team[3]  # the least skilled in post


@pytest.mark.slow
def test_the_less_skilled_receive_more_coaching() -> None:
    """Spearman correlation of a frontline employee's skill with the sessions they received
    (16 seeds x 120 days, two-way street, directed against not on the same seed): mean -0.16
    directed against -0.04 not, lower on 15 of 16 seeds, paired t p = 8e-5 (one-sided).
    Weaker than the reports alone would make it: sessions (0.25 a day) outnumber reports (0.2),
    and a session with every report used up stays with whom it was due to."""
    def rho(directed: bool, seed: int) -> float:
        scenario = Scenario(design=TwoWayStreet(directed_coaching=directed), keep_records=True)
        model = OrgModel(scenario, rng=seed).run(120)
        r = model.records()
        sessions = r[(r.depth == 0) & ~r.external & (r.need == "instruction")] \
            .groupby("requester_id").size()
        front = [e for e in model.employees if e.level == 0]
        return stats.spearmanr([e.skill for e in front],
                               [sessions.get(e.unique_id, 0) for e in front])[0]

    directed = np.array([rho(True, seed) for seed in range(16)])
    undirected = np.array([rho(False, seed) for seed in range(16)])
    assert stats.ttest_rel(directed, undirected, alternative="less").pvalue < 0.01
    assert (directed < undirected).sum() >= 12, (directed, undirected)  # sign test p = 0.04
    assert directed.mean() < -0.1, directed


def test_a_custom_graph_may_direct_only_a_scheduled_request_to_the_manager() -> None:
    g = nx.MultiDiGraph()
    g.add_node(0, level=1, customer_facing=False)
    g.add_node(1, level=0, manager=0)
    g.add_edge(1, 0, key="coaching", per_day=0.2, need="instruction", directed=True)
    assert CustomGraph(graph=g).build(np.random.default_rng(0)).edges[1, 0, "coaching"][
        "directed"]
    g.edges[1, 0, "coaching"]["per_day"] = 0.0
    with pytest.raises(ValueError, match="directed"):
        CustomGraph(graph=g).build(np.random.default_rng(0))
    g.edges[1, 0, "coaching"].update(per_day=0.2, directed="yes")
    with pytest.raises(ValueError, match="directed"):
        CustomGraph(graph=g).build(np.random.default_rng(0))
