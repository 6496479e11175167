"""The compiled engine gives the Python path's results exactly, and runs only when it may."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import Customer, Employee, FlatTeam, OrgModel, Pyramid, Scenario, Silos
from simulation.chain.metrics import percentile95
from simulation.compiled.gate import why_not_compiled
from simulation.config.files import load_scenario
from simulation.config.presets import (
    approval_graph,
    fork_join_graph,
    queueing_network,
    rework_graph,
)
from simulation.config.strategies import (
    CobbDouglas,
    CustomerFirst,
    Deterministic,
    Erlang,
    Exponential,
    FirstComeFirstServed,
    RankFirst,
    WeakestLink,
)


def assert_same_run(scenario: Scenario, seed: int, days: int, **kwargs) -> OrgModel:
    """Run both engines; every table and KPI must be equal, to the last bit."""
    fast = OrgModel(scenario, rng=seed, compiled=True, **kwargs).run(days)
    slow = OrgModel(scenario, rng=seed, compiled=False, **kwargs).run(days)
    a, b = fast.kpis(), slow.kpis()
    assert a.keys() == b.keys()
    for key in a:
        same_nan = isinstance(a[key], float) and math.isnan(a[key]) and math.isnan(b[key])
        assert a[key] == b[key] or same_nan, key
    for table in ("daily", "employee_summary", "positions", "flows"):
        pd.testing.assert_frame_equal(getattr(fast, table)(), getattr(slow, table)(),
                                      check_exact=True, obj=table)
    return fast


@pytest.mark.parametrize("name", ["pyramid", "inverted_pyramid", "silos", "payroll",
                                  "restaurant", "two_way_street"])
def test_bundled_scenarios_give_identical_results(name: str) -> None:
    assert_same_run(load_scenario(name), seed=3, days=60)


@pytest.mark.parametrize("scenario", [
    Scenario().with_work(quality_rule=CobbDouglas(input_dependence=0.7)),
    Scenario().with_work(quality_rule=WeakestLink(), work_time=Erlang(k=3)),
    Scenario().with_work(work_time=Deterministic()),
    Scenario().with_people(quit_rate_per_month=0.6, hiring_delay=5.0),  # vacancies, covering
    Scenario(design=FlatTeam(size=12)).with_people(quit_rate_per_month=0.8),
    queueing_network(rework_graph(), 0.5, days=100),  # review loops
    queueing_network(approval_graph(4, 0.3, 3.0, 2.0), 4.0, days=100),
    queueing_network(fork_join_graph(3, 1.0), 0.5, work_time=Erlang(k=2),
                     discipline=RankFirst()),
], ids=["cobb_douglas", "weakest_link_erlang", "deterministic", "high_turnover",
        "flat_high_turnover", "rework", "approval", "fork_join_rank_first"])
def test_strategies_turnover_and_review_loops_give_identical_results(
        scenario: Scenario) -> None:
    model = assert_same_run(scenario, seed=4, days=80)
    assert model.compiled


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levels=st.integers(2, 3), span=st.integers(2, 4),
       discipline=st.sampled_from([FirstComeFirstServed(), RankFirst(), CustomerFirst()]),
       quality=st.sampled_from([None, CobbDouglas(), WeakestLink()]),
       work_time=st.sampled_from([Exponential(), Deterministic(), Erlang(k=2)]),
       quits=st.floats(0.0, 1.0), communication=st.floats(0.0, 1.0),
       load=st.floats(0.05, 0.4), seed=st.integers(0, 2**32 - 1))
def test_random_organizations_give_identical_results(levels, span, discipline, quality,
                                                     work_time, quits, communication, load,
                                                     seed) -> None:
    work = {"work_time": work_time, "communication": communication}
    if quality is not None:
        work["quality_rule"] = quality
    scenario = Scenario(design=Pyramid(levels=levels, span=span, discipline=discipline)) \
        .with_work(**work).with_people(quit_rate_per_month=quits, hiring_delay=4.0) \
        .with_customers(request_rate=load)
    assert_same_run(scenario, seed=seed, days=25)


def test_arrays_grow_when_the_backlog_outgrows_them() -> None:
    """An overloaded team: the request pool, event heap and delay buffer all have to grow."""
    scenario = Scenario(design=FlatTeam(size=4)).with_customers(request_rate=2.0)
    model = assert_same_run(scenario, seed=1, days=12)
    assert len(model.engine.ri) > 1024 + 2 * model.engine.margin_pool
    assert model.kpis()["in_progress"] > 1000


class DailyHook(Employee):
    """Overrides a daily decision only: the compiled engine still runs."""

    def target_morale(self) -> float:
        return 0.5 * super().target_morale()


class QueueHook(Employee):
    """Overrides a within-day decision: the Python path runs."""

    def priority(self, request) -> float:
        return -request.arrival


class Picky(Customer):
    def judge(self, value: float) -> float:
        return 0.0 if value < 0.9 else 1.0


def test_daily_hooks_keep_the_compiled_engine_and_its_results() -> None:
    model = assert_same_run(Scenario(), seed=2, days=40, employee_cls=DailyHook)
    assert model.compiled
    assert model.kpis()["mean_morale"] < OrgModel(rng=2).run(40).kpis()["mean_morale"]


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"employee_cls": QueueHook}, "QueueHook overrides Employee.priority"),
    ({"customer_cls": Picky}, "Picky overrides Customer.judge"),
    ({"config": Scenario(keep_records=True)}, "service records are kept"),
])
def test_within_day_hooks_run_the_python_path_and_say_why(kwargs, reason) -> None:
    model = OrgModel(rng=1, **kwargs)
    assert not model.compiled
    assert reason in model.python_reason
    with pytest.raises(ValueError, match="compiled engine cannot run this model"):
        OrgModel(rng=1, compiled=True, **kwargs)


def test_the_default_model_is_compiled_and_can_be_told_not_to_be() -> None:
    assert OrgModel().compiled
    assert why_not_compiled(Scenario(), Employee, Customer) is None
    model = OrgModel(compiled=False)
    assert not model.compiled and model.python_reason == "compiled=False"


def test_employees_read_their_counters_from_the_engine() -> None:
    model = OrgModel(Scenario(design=Silos()), rng=6).run(30)
    staff = model.employees
    assert sum(e.tasks_done for e in staff) > 1000
    assert all(e.accepted >= e.tasks_done for e in staff)
    assert sum(e.external_served for e in staff) + sum(
        e.external_served for e in model.former_employees) == model.metrics.external_completed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=0, max_size=60))
def test_daily_p95_equals_numpys_percentile_bit_for_bit(values: list[float]) -> None:
    expected = float(np.percentile(values, 95)) if values else math.nan
    got = percentile95(values)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9000), st.integers(0, 9000), st.integers(0, 3),
                          st.integers(0, 5000)), min_size=1, max_size=6))
def test_lent_draws_leave_the_stream_as_drawing_on_demand_would(days) -> None:
    """Per day: lend k uniforms, read r of them (as the kernel does), settle; then draw directly
    from the generator and on demand from the buffer (as the Python-side code does between days).
    Every value equals a stream that only ever drew on demand."""
    from simulation.core.streams import Stream

    lent, demand = Stream(np.random.default_rng(7)), Stream(np.random.default_rng(7))
    for k, r, direct, later in days:
        lent.lend(k)
        for _ in range(min(r, lent.iu)):  # the kernel reads only what it holds
            lent.iu -= 1
            assert lent.u[lent.iu] == demand.random()
        lent.settle()
        assert lent.gen.random(direct).tolist() == demand.gen.random(direct).tolist()
        for _ in range(later):
            assert lent.random() == demand.random()
    assert lent.gen.bit_generator.state == demand.gen.bit_generator.state


def test_runs_that_give_back_lent_draws_still_match_the_python_path(monkeypatch) -> None:
    from simulation.core.streams import Stream

    given_back = []
    settle = Stream.settle

    def counting(self: Stream) -> None:
        before = self.gen.bit_generator.state
        settle(self)
        given_back.append(self.gen.bit_generator.state != before)

    monkeypatch.setattr(Stream, "settle", counting)
    # without failure demand a day draws fewer decisions, so lent blocks go unread
    scenario = load_scenario("two_way_street").with_customers(failure_demand=0.0)
    assert_same_run(scenario, seed=5, days=120)
    assert sum(given_back) >= 2  # the give-back path ran, and the tables still match


def test_a_reporter_a_user_adds_is_collected_by_mesa_beside_the_day_row() -> None:
    model = OrgModel(rng=1)
    model.datacollector._new_model_reporter("customers_seen", lambda m: len(m.customers))
    model.run(3)
    daily = model.datacollector.get_model_vars_dataframe()
    assert daily.customers_seen.tolist() == [float(x) for x in model.daily().active_customers]
    assert daily.mean_delay.tolist() == OrgModel(rng=1).run(3).daily().mean_delay.tolist()
    assert model.datacollector._collection_steps == [1, 2, 3]
