"""Company scale: organizations of 100,000 people are accepted when the machine holds them, and
the linear build gives exactly the draws of the quadratic one it replaced (issue 22)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulation import FlatTeam, OrgModel, Scenario
from simulation.config import bounds
from simulation.config.bounds import TooLargeError
from simulation.config.building import Need, add_dependency, add_position, draw_skill
from simulation.config.orgdata import Team, Teams


def _flat_team_by_list(design: FlatTeam, rng: np.random.Generator) -> nx.MultiDiGraph:
    """The former build: each member chooses helpers from the list of the others (quadratic)."""
    g = nx.MultiDiGraph(inverted=design.inverted, design="FlatTeam")
    for i in range(design.size):
        add_position(g, i, role="team member", level=0, department="team",
                     skill=draw_skill(rng, design.skill), rate=design.rate, customer_facing=True)
    for i in range(design.size):
        others = [j for j in range(design.size) if j != i]
        if not others or design.helpers == 0 or design.peer_prob == 0:
            continue
        for j in rng.choice(others, size=design.helpers, replace=False).tolist():
            add_dependency(g, i, int(j), purpose="peer", need=Need.ASSISTANCE,
                           probability=design.peer_prob, work=design.peer_work)
    return g


@pytest.mark.parametrize(("size", "helpers"), [(1, 0), (2, 1), (7, 3), (60, 2), (400, 5)])
def test_the_linear_flat_team_is_the_list_built_one(size: int, helpers: int) -> None:
    design = FlatTeam(size=size, helpers=helpers)
    new = design.build(np.random.default_rng(11))
    old = _flat_team_by_list(design, np.random.default_rng(11))
    assert list(new.edges(keys=True, data=True)) == list(old.edges(keys=True, data=True))
    assert list(new.nodes(data=True)) == list(old.nodes(data=True))


def test_new_customers_reuse_the_slots_of_those_who_left() -> None:
    model = OrgModel(Scenario(design=FlatTeam(size=10)), rng=3)
    market, table = model.market, model.customer_table
    for customer in market.customers[:5:2]:  # slots 0, 2 and 4 freed
        market._lose(customer)
    market.customers = [c for c in market.customers if c.active]
    market.rows = np.array([c.row for c in market.customers], dtype=np.int64)
    n_slots = table.n_slots
    market.add(4)
    new = market.customers[-4:]
    assert [c.slot for c in new] == [0, 2, 4, n_slots]
    assert table.n_slots == n_slots + 1
    assert all(table.slot_row[c.slot] == c.row and table.slot[c.row] == c.slot for c in new)


def test_organizations_of_100000_people_are_accepted_when_the_machine_holds_them(
        monkeypatch) -> None:
    team = Scenario(design=FlatTeam(size=100_000))
    teams = Scenario(design=Teams(teams=[Team(name="frontline", size=100_000)]))
    for scenario in (team, teams):
        est = bounds.estimate(scenario)
        assert est is not None and est.positions == 100_000
        monkeypatch.setattr(bounds, "physical_memory", lambda: int(64e9))
        assert bounds.check(scenario) is not None
        monkeypatch.setattr(bounds, "physical_memory", lambda: int(8e9))
        with pytest.raises(TooLargeError, match=r"100,000 positions, up to .* this machine has"):
            bounds.check(scenario)
    with pytest.raises(ValueError, match="1000000"):
        FlatTeam(size=bounds.MAX_POSITIONS + 1)


def test_the_printable_fast_path_still_finds_every_hidden_character() -> None:
    import sys
    import unicodedata

    from simulation.core.text import hidden

    bad = [chr(c) for c in range(sys.maxunicode + 1)
           if chr(c) not in "\n\t" and unicodedata.category(chr(c)) in ("Cc", "Cf")]
    assert len(bad) > 200
    assert [hidden(f"a{c}b") for c in bad] == [[c] for c in bad]
    assert hidden("Ana Ruiz, head of service\n") == []
