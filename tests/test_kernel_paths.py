"""Compiled-kernel paths the engine-equivalence tests of test_compiled.py do not reach.

Each test runs the compiled and the Python path on a scenario built to exercise one rule or
one rarely taken branch of ``simulation/compiled/kernel.py``, and checks that it was taken.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_compiled import assert_same_run

from simulation import FlatTeam, Pyramid, Scenario
from simulation.chain.metrics import EDGES
from simulation.compiled import kernel as k
from simulation.compiled.engine import Engine
from simulation.config.presets import queueing_network, rework_graph
from simulation.config.strategies import (
    CobbDouglas,
    Compensatory,
    CustomerFirst,
    Erlang,
    WeakestLink,
)


def test_the_flow_table_grows_and_keeps_its_cells() -> None:
    """More than 510 provider-customer pairs: the 1024-cell flow table is rebuilt larger."""
    scenario = Scenario(design=FlatTeam(size=80, helpers=7, peer_prob=0.1)) \
        .with_customers(count=800)
    model = assert_same_run(scenario, seed=1, days=4)
    assert len(model.engine.fk) > 1024
    assert int((model.engine.fk >= 0).sum()) > 510


def test_work_waiting_at_a_vacancy_in_pool_row_0_is_kept(monkeypatch) -> None:
    """A one-person team that quits: its queue (pool row 0 among it) waits for the hire."""
    held: list[list[int]] = []
    take = Engine.take_waiting

    def recording(self: Engine, position: int) -> np.ndarray:
        out = take(self, position)
        held.append(out.tolist())
        return out

    monkeypatch.setattr(Engine, "take_waiting", recording)
    scenario = Scenario(design=FlatTeam(size=1, helpers=0)) \
        .with_people(quit_rate_per_month=1.0, hiring_delay=3.0) \
        .with_customers(count=60, failure_demand=0.0)
    model = assert_same_run(scenario, seed=1, days=60)
    assert model.kpis()["quits"] >= 2
    assert any(0 in rows for rows in held)


@pytest.mark.parametrize("scenario", [
    Scenario().with_customers(expectation_learning=0.3),
    Scenario(design=Pyramid(discipline=CustomerFirst())).with_customers(
        expectation_learning=0.6, sensitivity=4.0, patience=1.5, satisfaction_weight=0.3),
], ids=["learning", "learning_customer_first"])
def test_customers_learn_their_expectations_identically(scenario: Scenario) -> None:
    model = assert_same_run(scenario, seed=5, days=30)
    assert model.compiled


@pytest.mark.parametrize("scenario", [
    Scenario().with_work(quality_rule=CobbDouglas(input_dependence=0.3), rework=0.8,
                         assistance_relief=0.4, handoff_loss=0.2, internal_tolerance=0.7),
    Scenario(design=FlatTeam(size=10, helpers=3, peer_prob=0.3)).with_work(
        quality_rule=WeakestLink(), work_time=Erlang(k=5), rework=0.5, assistance_relief=0.6),
    Scenario(design=Pyramid(levels=4, span=3, discipline=CustomerFirst())).with_work(
        quality_rule=Compensatory(input_dependence=0.3), communication=0.8),
], ids=["effort_cobb_douglas", "flat_weakest_link_erlang5", "compensatory_customer_first"])
def test_effort_rules_give_identical_results(scenario: Scenario) -> None:
    model = assert_same_run(scenario, seed=7, days=30)
    assert model.compiled


def test_finished_work_gives_its_pool_rows_back() -> None:
    """Months at light load never enlarges the request pool: every finished tree is freed."""
    model = assert_same_run(Scenario().with_customers(count=200), seed=3, days=150)
    engine = model.engine
    assert len(engine.ri) == 1024 + 2 * engine.margin_pool
    assert model.metrics.requests_completed > 8 * len(engine.ri)


def test_customer_first_orders_review_passes_by_the_customers_arrival() -> None:
    """Review children are created when the work completes, long after the customer came: the
    key is the customer's arrival (the root's), not the child's."""
    scenario = queueing_network(rework_graph(p=0.5), 0.9, discipline=CustomerFirst(), days=60)
    model = assert_same_run(scenario, seed=2, days=60)
    assert model.compiled and model.metrics.requests_created > 1.5 * model.metrics.external_arrived


# ------------------------------------------------------------------ the kernel's building blocks


def test_compensated_sums_equal_pythons_sum_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    for n in (1, 2, 7, 40):
        for scale in (1e-3, 1.0, 1e8):
            xs = (rng.standard_normal(n) * scale * 10.0 ** rng.integers(-8, 8, n)).tolist()
            total, comp = 0.0, 0.0
            for x in xs:
                total, comp = k._add(total, comp, x)
            assert k._result(total, comp) == sum(xs)
    assert k._result(1.0, 0.0) == 1.0 and k._result(1.0, float("inf")) == 1.0


def test_the_delay_histogram_counts_as_searchsorted() -> None:
    rng = np.random.default_rng(9)
    values = np.concatenate([10.0 ** rng.uniform(-6, 5, 500), EDGES[::397], [0.0]])
    counts = np.zeros(len(EDGES) + 1, dtype=np.int64)
    k.histogram_add(EDGES, counts, values, len(values) - 5)
    expected = np.bincount(np.searchsorted(EDGES, values[:-5], side="right"),
                           minlength=len(EDGES) + 1)
    assert counts.tolist() == expected.tolist()


def test_a_new_request_starts_clean() -> None:
    ri = np.full((4, k.NRI), 7, dtype=np.int64)
    rf = np.full((4, k.NRF), 7.0)
    free = np.arange(3, -1, -1, dtype=np.int64)
    ic = np.zeros(k.NI, dtype=np.int64)
    ic[k.I_NFREE] = 4
    root = k._new(ri, rf, free, ic, 2, -1, 1, 0.5, 9, 3.25)
    assert root == 0 and ic[k.I_NFREE] == 3 and ic[k.I_CREATED] == 1
    child = k._new(ri, rf, free, ic, 1, root, 0, 2.0, -1, 4.0)
    assert child == 1
    expected = {k.R_NODE: 2, k.R_PARENT: -1, k.R_ROOT: 0, k.R_DEPTH: 0, k.R_PENDING: 0,
                k.R_CUST: 9, k.R_SERVER: -1, k.R_HANDOFF: 0, k.R_ORIGIN: -1, k.R_ASSIST: 0,
                k.R_LEVEL: 1, k.R_FIRST: -1, k.R_LAST: -1, k.R_NEXT: -1, k.R_QCHILD: -1,
                k.R_QSIB: -1, k.R_SEQ: 0, k.R_PREV: -1, k.R_BATCH: 0, k.R_PASSES: 0,
                k.R_LSERVER: -1, k.R_PSERVER: -1}
    assert {c: int(ri[root, c]) for c in expected} == expected
    assert rf[root].tolist()[:k.F_LWAIT] == [3.25, 3.25, 3.25, 3.25, 0.0, 0.0, 0.0, -1.0, 0.5,
                                             0.0, 0.0, 3.25, 0.0, 0.0, 1.0]
    assert (ri[child, k.R_ROOT], ri[child, k.R_DEPTH], ri[child, k.R_PARENT]) == (0, 1, 0)


def test_taking_the_work_held_at_a_vacancy_empties_its_list() -> None:
    ri = np.full((5, k.NRI), -1, dtype=np.int64)
    rf = np.zeros((5, k.NRF))
    rf[:, k.F_QUEUED] = [1.0, 0.0, 0.0, 2.0, 2.5]
    pos = np.full((2, 6), -1, dtype=np.int64)
    for r in (3, 0, 4):  # as _accept appends to a vacancy's list
        if pos[1, k.S_WTAIL] < 0:
            pos[1, k.S_WHEAD] = r
        else:
            ri[pos[1, k.S_WTAIL], k.R_QSIB] = r
        pos[1, k.S_WTAIL] = r
    out = np.empty(5, dtype=np.int64)
    assert k.take_waiting(1, pos, ri, rf, 4.0, out) == 3 and out[:3].tolist() == [3, 0, 4]
    assert rf[:, k.F_VACANT].tolist() == [3.0, 0.0, 0.0, 2.0, 1.5]  # the wait at the vacancy
    assert pos.tolist() == [[-1] * 6, [-1] * 6]
    assert k.take_waiting(1, pos, ri, rf, 5.0, out) == 0


def test_the_flow_table_finds_and_moves_its_cells() -> None:
    fk = np.full(16, -1, dtype=np.int64)
    fv = np.zeros((16, 3))
    ic = np.zeros(k.NI, dtype=np.int64)
    keys = [5, 21, 37, 5, 0, 300]
    for i, key in enumerate(keys):
        k._flow(fk, fv, ic, key, 0.5 * i, float(i))
    assert ic[k.I_NFLOWS] == 5 and sorted(fk[fk >= 0].tolist()) == [0, 5, 21, 37, 300]
    cells = {int(key): fv[h].tolist() for h, key in enumerate(fk) if key >= 0}
    assert cells[5] == [2.0, 1.5, 3.0] and cells[300] == [1.0, 2.5, 5.0]
    big_k, big_v = np.full(64, -1, dtype=np.int64), np.zeros((64, 3))
    ic[k.I_NFLOWS] = 0
    used = fk >= 0
    k.insert_flows(big_k, big_v, ic, fk[used], fv[used])
    assert ic[k.I_NFLOWS] == 5
    assert {int(key): big_v[h].tolist() for h, key in enumerate(big_k) if key >= 0} == cells
