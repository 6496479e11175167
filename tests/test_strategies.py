"""Strategy objects on their own: exact keys, qualities, blame shares, work times and forms."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pydantic
import pytest

from simulation.config.strategies import (
    CobbDouglas,
    Compensatory,
    CustomerFirst,
    Deterministic,
    DisciplineField,
    Erlang,
    Exponential,
    FirstComeFirstServed,
    QualityRuleField,
    RankFirst,
    WeakestLink,
    WorkTimeField,
)

INPUTS = [(0.6, 1.0), (0.9, 3.0)]  # (quality, weight)


class Draws:
    """A stream whose standard exponential draws are given."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)
        self.taken = 0

    def exponential(self) -> float:
        self.taken += 1
        return self.values.pop(0)


def request(level: int = 2, arrival: float = 7.5, customer: object | None = None,
            root_arrival: float = 3.25):
    root = SimpleNamespace(customer=customer, arrival=root_arrival)
    return SimpleNamespace(requester_level=level, arrival=arrival, root=root)


# ------------------------------------------------------------------------------ defaults


def test_pinned_defaults() -> None:
    assert Compensatory().input_dependence == 0.5
    assert CobbDouglas().input_dependence == 0.5
    assert Erlang().k == 4
    assert Erlang().kind == "erlang" and CobbDouglas().kind == "cobb_douglas"
    assert FirstComeFirstServed().kind == "first_come_first_served"
    assert RankFirst().kind == "rank_first" and CustomerFirst().kind == "customer_first"
    assert Compensatory().kind == "compensatory" and WeakestLink().kind == "weakest_link"
    assert Exponential().kind == "exponential" and Deterministic().kind == "deterministic"


# ------------------------------------------------------------------------------ disciplines


def test_queue_keys() -> None:
    assert FirstComeFirstServed().key(request()) == 0.0
    assert RankFirst().key(request(level=3)) == -3.0
    assert RankFirst().key(request(level=-1)) == 1.0
    customer_work = request(customer=object(), arrival=9.0, root_arrival=3.25)
    assert CustomerFirst().key(customer_work) == 3.25
    internal = request(customer=None, arrival=9.0, root_arrival=3.25)
    assert CustomerFirst().key(internal) == 1e12 + 9.0
    assert CustomerFirst().key(internal) > CustomerFirst().key(customer_work)


# ------------------------------------------------------------------------------ quality rules


def test_compensatory_combine_and_blame() -> None:
    rule = Compensatory(input_dependence=0.3)
    mean_in = (0.6 * 1.0 + 0.9 * 3.0) / 4.0  # 0.825
    assert rule.combine(0.8, INPUTS) == pytest.approx(0.7 * 0.8 + 0.3 * mean_in, rel=1e-15)
    assert rule.combine(0.8, []) == 0.8
    own, a, b = 0.7 * 0.2, 0.3 * 1 / 4 * 0.4, 0.3 * 3 / 4 * 0.1
    total = own + a + b
    assert rule.blame(0.8, INPUTS) == pytest.approx([own / total, a / total, b / total],
                                                    rel=1e-14)
    assert rule.blame(0.8, []) == [1.0]
    assert rule.blame(1.0, [(1.0, 1.0)]) == [1.0, 0.0]  # nothing lost: all to own skill
    assert Compensatory().combine(0.4, [(1.0, 2.0)]) == pytest.approx(0.7)


def test_cobb_douglas_combine_and_blame() -> None:
    rule = CobbDouglas(input_dependence=0.3)
    log_in = (1.0 * math.log(0.6) + 3.0 * math.log(0.9)) / 4.0
    expected = math.exp(0.7 * math.log(0.8) + 0.3 * log_in)
    assert rule.combine(0.8, INPUTS) == pytest.approx(expected, rel=1e-15)
    assert rule.combine(0.8, []) == 0.8
    assert rule.combine(0.0, [(0.5, 1.0)]) == pytest.approx(
        math.exp(0.7 * math.log(1e-12) + 0.3 * math.log(0.5)))
    own = -0.7 * math.log(0.8)
    a, b = -0.3 * 1 / 4 * math.log(0.6), -0.3 * 3 / 4 * math.log(0.9)
    total = own + a + b
    assert rule.blame(0.8, INPUTS) == pytest.approx([own / total, a / total, b / total],
                                                    rel=1e-14)
    assert rule.blame(0.8, []) == [1.0]
    assert rule.blame(1.0, [(1.0, 2.0), (1.0, 1.0)]) == [1.0, 0.0, 0.0]
    zero = rule.blame(0.0, [(0.5, 1.0)])  # log of 0 floored at 1e-12
    own0, in0 = -0.7 * math.log(1e-12), -0.3 * math.log(0.5)
    assert zero == pytest.approx([own0 / (own0 + in0), in0 / (own0 + in0)], rel=1e-14)


def test_weakest_link_combine_and_blame() -> None:
    rule = WeakestLink()
    assert rule.combine(0.8, INPUTS) == 0.6
    assert rule.combine(0.5, INPUTS) == 0.5
    assert rule.combine(0.8, []) == 0.8
    assert rule.blame(0.8, INPUTS) == [0.0, 1.0, 0.0]
    assert rule.blame(0.5, INPUTS) == [1.0, 0.0, 0.0]
    assert rule.blame(0.9, [(0.7, 1.0), (0.7, 1.0)]) == [0.0, 1.0, 0.0]  # first on ties
    assert rule.blame(0.8, []) == [1.0]


# ------------------------------------------------------------------------------ work times


def test_work_times() -> None:
    assert Exponential().sample(2.0, Draws(0.75)) == 1.5
    assert Exponential().from_exponential(2.0, 0.75) == 1.5
    stream = Draws(0.75)
    assert Deterministic().sample(2.0, stream) == 2.0 and stream.taken == 0
    assert Deterministic().from_exponential(2.0, 0.75) == 2.0
    stream = Draws(0.5, 1.5, 2.0)
    assert Erlang(k=3).sample(2.0, stream) == pytest.approx(2.0 * 4.0 / 3, rel=1e-15)
    assert stream.taken == 3
    stream = Draws(0.5, 1.5, 2.0, 0.25, 9.0)
    assert Erlang().sample(1.0, stream) == pytest.approx(4.25 / 4, rel=1e-15)
    assert stream.taken == 4


# ------------------------------------------------------------------------------ forms


@pytest.mark.parametrize(("field", "value", "expected"), [
    (QualityRuleField, "cobb_douglas", CobbDouglas()),
    (QualityRuleField, "weakest_link", WeakestLink()),
    (QualityRuleField, {"kind": "compensatory", "input_dependence": 0.2},
     Compensatory(input_dependence=0.2)),
    (WorkTimeField, {"kind": "erlang", "k": 3}, Erlang(k=3)),
    (WorkTimeField, "deterministic", Deterministic()),
    (DisciplineField, "rank_first", RankFirst()),
    (DisciplineField, CustomerFirst(), CustomerFirst()),
])
def test_strategy_fields_accept_names_tables_and_objects(field, value, expected) -> None:
    got = pydantic.TypeAdapter(field).validate_python(value)
    assert got == expected and type(got) is type(expected)


def test_a_users_own_strategy_object_is_kept_as_it_is() -> None:
    class Halves:
        def combine(self, skill, inputs):
            return skill / 2

    own = Halves()
    assert pydantic.TypeAdapter(QualityRuleField).validate_python(own) is own


@pytest.mark.parametrize(("field", "value", "message"), [
    (QualityRuleField, "weakest", "unknown quality rule 'weakest'; choose one of compensatory, "
                                  "cobb_douglas, weakest_link"),
    (WorkTimeField, "gamma", "unknown work-time rule 'gamma'; choose one of exponential, "
                             "deterministic, erlang"),
    (DisciplineField, 3, "a queue discipline is a name (first_come_first_served, rank_first, "
                         "customer_first), a table with kind and parameters, or an object "
                         "with a key() method"),
    (WorkTimeField, {"kind": "erlang", "k": 0}, "greater than or equal to 1"),
])
def test_strategy_fields_name_what_is_wrong(field, value, message) -> None:
    with pytest.raises(pydantic.ValidationError) as err:
        pydantic.TypeAdapter(field).validate_python(value)
    assert message in str(err.value)


def test_strategy_fields_json_schema() -> None:
    schema = pydantic.TypeAdapter(WorkTimeField).json_schema()
    first, *tables = schema["anyOf"]
    assert first == {"type": "string", "enum": ["exponential", "deterministic", "erlang"]}
    assert len(tables) == 3 and all("title" not in t for t in tables)
    assert tables[2]["properties"]["k"]["default"] == 4
    schema["anyOf"].clear()  # a copy each time
    again = pydantic.TypeAdapter(WorkTimeField).json_schema()
    assert len(again["anyOf"]) == 4
