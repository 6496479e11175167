"""Students change one behaviour by subclassing one method; strategies behave as documented."""

from __future__ import annotations

import math

import pytest
from conftest import run
from hypothesis import given
from hypothesis import strategies as st

from simulation import (
    CobbDouglas,
    Compensatory,
    Customer,
    CustomerFirst,
    Employee,
    Erlang,
    FirstComeFirstServed,
    OrgModel,
    RankFirst,
    Request,
    Scenario,
    WeakestLink,
)
from simulation.core.requests import Need
from simulation.core.streams import Streams


class Perfectionist(Employee):
    def output_quality(self, request: Request) -> float:
        return 1.0


class NeverQuits(Employee):
    def will_quit(self) -> bool:
        return False


class Lifo(Employee):
    """Serves the newest work first."""

    def priority(self, request: Request) -> float:
        return -request.arrival


class Demanding(Customer):
    def judge(self, value: float) -> float:
        return 0.0


def test_overriding_output_quality_changes_every_delivered_quality() -> None:
    k = run(Scenario(), days=10, employee_cls=Perfectionist).kpis()
    assert k["mean_quality"] == 1.0
    assert run(Scenario(), days=10).kpis()["mean_quality"] < 0.9


def test_overriding_will_quit_stops_turnover() -> None:
    scenario = Scenario().with_people(quit_rate_per_month=0.9)
    assert run(scenario, days=20).kpis()["quits"] > 0
    assert run(scenario, days=20, employee_cls=NeverQuits).kpis()["quits"] == 0


def test_overriding_priority_changes_the_queue_order() -> None:
    scenario = Scenario(keep_records=True).with_people(enabled=False)
    base = run(scenario, days=30, seed=4)
    lifo = run(scenario, days=30, seed=4, employee_cls=Lifo)
    assert isinstance(lifo.employees[0], Lifo)
    # LIFO leaves the mean wait alike but spreads it: a longer tail
    assert lifo.kpis()["p95_delay"] > base.kpis()["p95_delay"]


def test_customer_subclass_drives_churn() -> None:
    k = run(Scenario(), days=20, customer_cls=Demanding).kpis()
    assert k["customers_lost"] > 2 * run(Scenario(), days=20).kpis()["customers_lost"]


def test_wrong_classes_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="employee_cls must be Employee or a subclass"):
        OrgModel(employee_cls=Customer)
    with pytest.raises(TypeError, match="config must be a Scenario"):
        OrgModel({"days": 3})


def _request(depth: int, level: int, external: bool) -> Request:
    root = Request(1, 0, Need.SERVICE, 0.0, None, 1, -1 if external else 2,
                   customer=object() if external else None)  # type: ignore[arg-type]
    r = root
    for i in range(depth):
        r = Request(i + 2, i + 1, Need.INFORMATION, 0.0, r, 1, level)
    return r


def test_disciplines_order_work_as_documented() -> None:
    external_front = _request(0, -1, True)
    external_deep = _request(2, 1, True)
    internal = _request(0, 2, False)
    cf = CustomerFirst()
    assert cf.key(external_front) == cf.key(external_deep) < cf.key(internal)
    later = Request(9, 0, Need.SERVICE, 5.0, None, 2, -1, customer=object())  # type: ignore
    assert cf.key(later) > cf.key(external_deep)
    rf = RankFirst()
    assert rf.key(internal) < rf.key(external_deep) < rf.key(external_front)
    fifo = FirstComeFirstServed()
    assert fifo.key(internal) == fifo.key(external_front)


inputs_st = st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(0.01, 5.0)), max_size=5)


@given(skill=st.floats(0.001, 1.0), inputs=inputs_st, d=st.floats(0.0, 1.0))
def test_quality_rules_stay_in_unit_interval_and_blame_sums_to_one(skill, inputs, d) -> None:
    for rule in (Compensatory(d), CobbDouglas(d), WeakestLink()):
        q = rule.combine(skill, inputs)
        assert -1e-12 <= q <= 1.0 + 1e-12
        shares = rule.blame(skill, inputs)
        assert len(shares) == len(inputs) + 1
        assert all(s >= 0 for s in shares)
        assert math.fsum(shares) == pytest.approx(1.0)


@given(skill=st.floats(0.001, 1.0), inputs=inputs_st, d=st.floats(0.0, 1.0))
def test_compensatory_blame_is_the_exact_linear_decomposition(skill, inputs, d) -> None:
    rule = Compensatory(d)
    lost = 1.0 - rule.combine(skill, inputs)
    shares = rule.blame(skill, inputs)
    if inputs and lost > 1e-9:
        wsum = sum(w for _, w in inputs)
        assert shares[0] * lost == pytest.approx((1 - d) * (1 - skill), abs=1e-9)
        for (q, w), s in zip(inputs, shares[1:], strict=True):
            assert s * lost == pytest.approx(d * w / wsum * (1 - q), abs=1e-9)


def test_weakest_link_and_cobb_douglas_punish_a_bad_input_more() -> None:
    inputs = [(0.2, 1.0), (0.9, 1.0)]
    comp = Compensatory(0.5).combine(0.9, inputs)
    assert WeakestLink().combine(0.9, inputs) == 0.2
    assert CobbDouglas(0.5).combine(0.9, inputs) < comp


def test_erlang_work_times_have_the_right_mean_and_smaller_variance() -> None:
    streams, _ = Streams.from_seed(1)
    draws = [Erlang(4).sample(2.0, streams.work) for _ in range(20000)]
    mean = sum(draws) / len(draws)
    var = sum((x - mean) ** 2 for x in draws) / len(draws)
    assert mean == pytest.approx(2.0, rel=0.03)
    assert var == pytest.approx(4.0 / 4, rel=0.08)
    with pytest.raises(ValueError, match=r"greater than or equal to 1"):
        Erlang(0)


def test_customers_daily_arrays_give_exactly_the_loop_results() -> None:
    """Default customers are churned over arrays; an override falls back to the loop: same run."""
    from simulation import Customer

    class Looped(Customer):
        def word_of_mouth(self) -> tuple[float, float]:
            return super().word_of_mouth()

    fast = run(days=40, seed=5)
    slow = run(days=40, seed=5, customer_cls=Looped)
    assert fast.day.array_customers and not slow.day.array_customers
    a, b = fast.kpis(), slow.kpis()
    assert a["customers_lost"] > 0 and a["customers_acquired"] > 0
    for key in ("customers_lost", "customers_acquired", "external_completed", "mean_delay",
                "customer_satisfaction", "revenue", "quits"):
        assert a[key] == b[key], key
