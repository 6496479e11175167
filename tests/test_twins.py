"""Twins: the loops both engines still write on their own, equal bit for bit on random inputs.

The formulas are written once (:mod:`simulation.core.rules`, compiled into the kernel as they
are); what the two engines still write each in their own way is the iteration around them:

1. Quality combination: ``Compensatory.combine``, ``CobbDouglas.combine`` and
   ``WeakestLink.combine`` take a Python list of ``(quality, weight)``; the kernel's
   ``_quality`` walks the request's linked rows of arrays (``R_FIRST``, ``R_NEXT``). The
   Python sums are CPython's ``sum()`` of floats, compensated (Neumaier) since Python 3.12;
   the kernel repeats that summation step by step (``_add``, ``_result``).
2. Blame: the strategies' ``blame`` (lists, ``_proportional``'s compensated ``sum()``) and the
   kernel's ``_blame`` (linked rows, shares written into an array).
3. Effort: ``Employee.effort`` reads ``request.inputs`` and each child's ``need`` (objects);
   the kernel's ``_work_time`` reads ``F_DELIVERED`` and ``R_ASSIST`` of the linked rows.
4. The employees' day: ``utilisation_since_last``, ``step_day`` and ``will_quit`` on each
   ``Employee`` object (per-agent attributes) against the kernel's ``people_day``, one pass over
   columns of arrays with each position's quit draw of the day.
5. The customers' day: ``Customer.will_leave`` and ``word_of_mouth`` in a loop over the
   customer objects (as the model's customers' day runs them) against the kernel's
   ``customers_day``, one pass over the customer table's arrays.

Each test builds random inputs, runs both sides and asserts equality bit for bit (``==`` and
the same bits, so -0.0 is not 0.0); the kernel's arrays are built by hand, filling only the
columns the function reads, rows in a random order. Each test fails on small mutants of either
side: a plain sum for the compensated one, ``x * (1 / w)`` for ``x / w``, a reassociated
product, ties broken the other way, a dropped floor, ``<=`` for ``<`` in a random decision, a
draw not consumed, a parameter swapped, leavers still talking.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import OrgModel, Pyramid, Scenario
from simulation.agents.customer import Customer
from simulation.agents.employee import Employee
from simulation.compiled import kernel
from simulation.compiled.day import daily_parameters
from simulation.compiled.gate import QUALITY_RULES, WORK_TIMES
from simulation.config.strategies import CobbDouglas, Compensatory, Deterministic, WeakestLink
from simulation.core.requests import Need, Request
from simulation.core.units import DAYS_PER_MONTH

FAST = settings(max_examples=300, deadline=None)
SLOW = settings(max_examples=120, deadline=None)

# ---------------------------------------------------------------------------- strategies

unit = st.floats(0.0, 1.0)
#: Qualities: anything in [0, 1], often round values (ties for the weakest link; decimals such
#: as 0.1 + 0.2 + 0.3, and 1 + 1e-16 + 1e-16, that a plain sum rounds unlike ``sum()``) and
#: values under Cobb-Douglas's floor of 1e-12.
quality = st.one_of(unit, st.sampled_from([0.0, 1e-300, 1e-13, 1e-12, 1e-16, 0.1, 0.2, 0.3,
                                           0.5, 0.7, 1.0]))
#: Weights (> 0): magnitudes far apart make the compensated sums differ from plain ones.
weight = st.one_of(st.floats(1e-6, 1e6), st.sampled_from([0.1, 0.2, 0.3, 1.0, 3.0]))
QUALITY_CLASSES = [Compensatory, CobbDouglas, WeakestLink]


@st.composite
def inputs_in_rows(draw: Any, need: bool = False) -> tuple[list, list[int]]:
    """Inputs ``(quality, weight[, need])`` and a row order: the request, then each input."""
    item = (st.tuples(quality, weight, st.sampled_from(list(Need))) if need
            else st.tuples(quality, weight))
    inputs = draw(st.lists(item, max_size=8))
    order = draw(st.permutations(range(len(inputs) + 1)))
    return inputs, order


def linked(inputs: list, order: list[int]) -> tuple[np.ndarray, np.ndarray, int]:
    """Request rows as the kernel links them: the request at ``order[0]``, inputs after it."""
    ri = np.full((len(order), kernel.NRI), -1, dtype=np.int64)
    ri[:, kernel.R_ASSIST] = 0
    rf = np.zeros((len(order), kernel.NRF))
    r = order[0]
    previous = -1
    for item, x in zip(inputs, order[1:], strict=True):
        rf[x, kernel.F_DELIVERED], rf[x, kernel.F_WEIGHT] = item[0], item[1]
        if len(item) > 2:
            ri[x, kernel.R_ASSIST] = int(item[2] is Need.ASSISTANCE)
        if previous < 0:
            ri[r, kernel.R_FIRST] = x
        else:
            ri[previous, kernel.R_NEXT] = x
        ri[r, kernel.R_LAST] = x
        previous = x
    return ri, rf, r


def parameters(rule: Any, work_time: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's integer and float parameters (``kp``, ``xp``) for a quality rule."""
    kp = np.zeros(kernel.NK, dtype=np.int64)
    kp[kernel.K_QUALITY] = QUALITY_RULES[type(rule)]
    kp[kernel.K_WORKTIME] = WORK_TIMES[type(work_time or Deterministic())]
    kp[kernel.K_ERLANG] = 1
    xp = np.zeros(kernel.NX)
    xp[kernel.X_D] = getattr(rule, "input_dependence", 0.0)
    return kp, xp


def same(got: Any, expected: Any) -> bool:
    """Equal (``==``) and equal bit for bit, floats or sequences of floats."""
    g = np.atleast_1d(np.asarray(got, dtype=np.float64))
    e = np.atleast_1d(np.asarray(expected, dtype=np.float64))
    return g.shape == e.shape and bool(np.all(g == e)) and g.tobytes() == e.tobytes()


def model(scenario: Scenario) -> OrgModel:
    """A small model on the Python path (one manager, one frontline employee)."""
    return OrgModel(scenario, rng=0, compiled=False)


BASE = Scenario(design=Pyramid(levels=2, span=1)).with_customers(count=0)


# ---------------------------------------------------------------------------- 1 and 2


def rule_of(cls: type, d: float) -> Any:
    """The quality rule ``cls`` with input dependence ``d`` (where it has one)."""
    return cls() if cls is WeakestLink else cls(input_dependence=d)


@pytest.mark.parametrize("cls", QUALITY_CLASSES, ids=lambda c: c.__name__)
@FAST
@given(skill=quality, d=unit, case=inputs_in_rows())
def test_quality_rule_combine_equals_kernel_quality(cls: type, skill: float, d: float,
                                                    case: tuple) -> None:
    """Twin 1: the quality rules' ``combine`` against the kernel's ``_quality``."""
    inputs, order = case
    rule = rule_of(cls, d)
    ri, rf, r = linked(inputs, order)
    kp, xp = parameters(rule)
    got = kernel._quality(ri, rf, kp, xp, skill, r)
    expected = rule.combine(skill, inputs)
    assert same(got, expected), (
        f"twin {cls.__name__}.combine / kernel._quality differs: {got!r} != {expected!r}")


@pytest.mark.parametrize("cls", QUALITY_CLASSES, ids=lambda c: c.__name__)
@FAST
@given(skill=quality, d=unit, case=inputs_in_rows())
def test_quality_rule_blame_equals_kernel_blame(cls: type, skill: float, d: float,
                                                case: tuple) -> None:
    """Twin 2: the quality rules' ``blame`` against the kernel's ``_blame``."""
    inputs, order = case
    rule = rule_of(cls, d)
    ri, rf, r = linked(inputs, order)
    rf[r, kernel.F_SKILL] = skill
    kp, xp = parameters(rule)
    shares = np.full(len(order) + 1, np.nan)
    n = kernel._blame(ri, rf, kp, xp, r, shares)
    got = shares[:n].tolist()
    expected = rule.blame(skill, inputs)
    assert same(got, expected), (
        f"twin {cls.__name__}.blame / kernel._blame differs: {got!r} != {expected!r}")


# ---------------------------------------------------------------------------- 3


@FAST
@given(case=inputs_in_rows(need=True), rework=st.floats(0.0, 10.0),
       relief=st.one_of(unit, st.just(1.0)), rate=st.floats(0.05, 50.0),
       content=st.one_of(st.just(1.0), st.floats(0.01, 100.0)))
def test_employee_effort_equals_kernel_work_time(case: tuple, rework: float, relief: float,
                                                 rate: float, content: float) -> None:
    """Twin 3: ``Employee.effort`` (and ``work_time``) against the kernel's ``_work_time``."""
    inputs, order = case
    m = model(BASE.with_work(rework=rework, assistance_relief=relief,
                             work_time="deterministic"))
    employee = Employee(m, 0, role="frontline", level=0, department="d", skill=0.8, rate=rate,
                        dependencies=[], morale=0.7)
    request = Request(0, 0, Need.SERVICE, 0.0, None, 0, -1)
    for i, (q, w, need) in enumerate(inputs):
        child = Request(i + 1, 1, need, 0.0, request, 0, 0, weight=w)
        request.children.append(child)
        request.inputs.append((q, w))
    ri, rf, r = linked(inputs, order)
    request.content = rf[r, kernel.F_CONTENT] = content  # the task's work content
    kp, xp = parameters(Compensatory(), Deterministic())
    xp[kernel.X_REWORK], xp[kernel.X_RELIEF] = rework, relief
    pf = np.zeros((2, kernel.NPF))
    ic = np.zeros(kernel.NI, dtype=np.int64)
    e = np.empty(0)
    if inputs:
        pf[1, kernel.Q_MEANWORK] = 1.0  # the kernel's work time is then the effort itself
        got = kernel._work_time(ri, rf, pf, kp, xp, 1, r, e, ic)
        expected = content * employee.effort(request)
        assert same(got, expected), (
            f"twin Employee.effort / kernel._work_time differs: {got!r} != {expected!r}")
    pf[1, kernel.Q_MEANWORK] = employee.mean_work
    got = kernel._work_time(ri, rf, pf, kp, xp, 1, r, e, ic)
    expected = employee.work_time(request)
    assert same(got, expected), (
        f"twin Employee.work_time / kernel._work_time differs: {got!r} != {expected!r}")


# ---------------------------------------------------------------------------- 4

people_parameters = st.fixed_dictionaries({
    "enabled": st.booleans(),
    "adjustment": unit,
    "baseline_morale": unit,
    "resource_effect": st.floats(0.0, 5.0),
    "resource_ref": unit,
    "resource_memory": st.floats(1.0, 100.0),
    "demand_effect": st.floats(0.0, 5.0),
    "demand_ref": unit,
    "demand_memory": st.floats(1.0, 100.0),
    "quality_effect": unit,
    "speed_effect": unit,
    "quit_rate_per_month": unit,
    "quit_sensitivity": st.floats(0.0, 20.0),
    "quit_morale_ref": unit,
    "progress_ratio": st.floats(0.01, 1.0),
})


@st.composite
def employee_states(draw: Any) -> dict[str, Any]:
    """One employee's state at the end of a day (before the daily dynamics)."""
    busy = draw(st.floats(0.0, 1000.0))
    count = draw(st.integers(0, 30))
    return {
        "morale": draw(unit), "resources": draw(unit), "load": draw(st.floats(0.0, 3.0)),
        "proficiency": draw(st.floats(1e-3, 1.0)),
        "learning_gap": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.999))),
        "tenure": draw(st.floats(0.0, 1e4)), "tasks_done": draw(st.integers(0, 10**6)),
        "skill": draw(st.floats(0.01, 1.0)),
        "rate": draw(st.one_of(st.floats(0.05, 100.0), st.just(math.inf))),
        "experience_count": count,
        "experience_sum": draw(st.floats(0.0, 1.0)) * count,
        "busy_time": busy, "_busy_snapshot": busy * draw(unit),
        "working": draw(st.floats(0.0, 1.0) | st.none()),  # how long the work in hand has run
        "draw": draw(st.sampled_from([0.0, 0.5, 1.0, 1.5]) | st.floats(0.0, 2.0)),
    }


@SLOW
@given(params=people_parameters, states=st.lists(employee_states(), max_size=6),
       now=st.floats(1.0, 1000.0), spare=st.integers(0, 3), data=st.data())
def test_employees_day_equals_kernel_people_day(params: dict, states: list[dict], now: float,
                                                spare: int, data: Any) -> None:
    """Twin 4: ``utilisation_since_last``, ``step_day``, ``will_quit`` vs ``people_day``."""
    m = model(BASE.with_people(**params))
    m.clock.now = now
    n = len(states)
    m.chain.calendar = [None] * n  # employees at positions 0..n-1, each always at work
    staff = []
    for node, s in enumerate(states):
        e = Employee(m, node, role="frontline", level=0, department="d", skill=s["skill"],
                     rate=s["rate"], dependencies=[], morale=s["morale"],
                     proficiency=s["proficiency"], tenure=s["tenure"])
        for name in ("resources", "load", "learning_gap", "tasks_done", "experience_sum",
                     "experience_count", "busy_time", "_busy_snapshot"):
            setattr(e, name, s[name])
        if s["working"] is not None:
            e.current = Request(0, 0, Need.SERVICE, now - s["working"], None, 0, -1)
        staff.append(e)
    # the kernel's arrays: person rows in a random order, each working one's request a row
    pids = np.array(data.draw(st.permutations(range(n + 1)))[:n], dtype=np.int64)
    y = np.full((kernel.NY, n), np.nan)
    pi = np.zeros((n + 1, kernel.NPI), dtype=np.int64)
    pf = np.zeros((n + 1, kernel.NPF))
    rf = np.zeros((n + 1, kernel.NRF))
    snapshot = np.zeros(n + 1)
    for i, (e, p) in enumerate(zip(staff, pids.tolist(), strict=True)):
        for row, name in ((kernel.Y_MORALE, "morale"), (kernel.Y_RESOURCES, "resources"),
                          (kernel.Y_LOAD, "load"), (kernel.Y_PROF, "proficiency"),
                          (kernel.Y_GAP, "learning_gap"), (kernel.Y_TENURE, "tenure"),
                          (kernel.Y_SKILL, "skill"), (kernel.Y_RATE, "rate")):
            y[row, i] = getattr(e, name)
        pi[p, kernel.P_CURRENT] = -1 if e.current is None else n - i
        if e.current is not None:
            rf[n - i, kernel.F_START] = e.current.start
        pf[p, kernel.Q_BUSY] = e.busy_time
        snapshot[p] = e._busy_snapshot
        pi[p, kernel.P_TASKS] = e.tasks_done
        pf[p, kernel.Q_EXPSUM] = e.experience_sum
        pi[p, kernel.P_EXPN] = e.experience_count
    # the Python path: each employee's own methods, in order
    used = [e.utilisation_since_last() for e in staff]
    for e, u in zip(staff, used, strict=True):
        e.step_day(u)
    # the day's quit draws, by position: around each one's probability (spare positions idle)
    draws = np.random.default_rng(n).random(n + spare)
    for i, (e, s) in enumerate(zip(staff, states, strict=True)):
        draws[i] = e.quit_probability() * s["draw"]
    m.workforce.quit_draws = draws
    quits = [i for i, e in enumerate(staff) if e.will_quit()] if params["enabled"] else []
    # the kernel: each employee's position's draw
    quitting = np.full(n, -1, dtype=np.int64)
    k = kernel.people_day(y, pids, pi, pf, rf, snapshot, now, params["enabled"],
                          daily_parameters(kernel, m.config.people),
                          draws[[e.node for e in staff]], quitting)
    got = {
        "utilisation": y[kernel.Y_USED], "tasks_done": y[kernel.Y_TASKS],
        "tenure": y[kernel.Y_TENURE], "proficiency": y[kernel.Y_PROF],
        "resources": y[kernel.Y_RESOURCES], "load": y[kernel.Y_LOAD],
        "morale": y[kernel.Y_MORALE], "effective_skill": pf[pids, kernel.Q_SKILL],
        "mean_work": pf[pids, kernel.Q_MEANWORK], "snapshot": snapshot[pids],
        "quits": quitting[:k]}
    expected = {
        "utilisation": used, "tasks_done": [e.tasks_done for e in staff],
        "tenure": [e.tenure for e in staff], "proficiency": [e.proficiency for e in staff],
        "resources": [e.resources for e in staff], "load": [e.load for e in staff],
        "morale": [e.morale for e in staff],
        "effective_skill": [e.effective_skill for e in staff],
        "mean_work": [e.mean_work for e in staff],
        "snapshot": [e._busy_snapshot for e in staff],
        "quits": quits}
    # both clear the day's experiences, people dynamics on or off
    got["experiences"] = [*pf[pids, kernel.Q_EXPSUM], *pi[pids, kernel.P_EXPN]]
    expected["experiences"] = [*(e.experience_sum for e in staff),
                               *(e.experience_count for e in staff)]
    differ = [key for key in expected if not same(got[key], expected[key])]
    assert not differ, (
        f"twin Employee.step_day+will_quit / kernel.people_day differs in {differ}: "
        f"{ {key: (got[key], expected[key]) for key in differ} }")


# ---------------------------------------------------------------------------- 5

customers_parameters = st.fixed_dictionaries({
    "churn": st.booleans(),
    "churn_rate_per_month": unit,
    "loyalty": st.floats(0.0, 20.0),
    "word_of_mouth": st.booleans(),
    "talk_rate": st.floats(0.0, 5.0),
    "negative_ratio": st.floats(1.0, 10.0),
})


@SLOW
@given(params=customers_parameters,
       customers=st.lists(st.tuples(unit, st.sampled_from([0.0, 0.5, 1.0, 1.5])
                                    | st.floats(0.0, 2.0)), max_size=25),
       spare=st.integers(0, 3), data=st.data())
def test_customers_day_equals_kernel_customers_day(params: dict, customers: list[tuple],
                                                   spare: int, data: Any) -> None:
    """Twin 5: ``Customer.will_leave`` and ``word_of_mouth`` in order vs ``customers_day``."""
    m = model(BASE.with_customers(**params))
    n = len(customers)
    # slots in a random order, spare ones unused; table rows in another random order
    slots = np.array(data.draw(st.permutations(range(n + spare)))[:n], dtype=np.int64)
    cids = np.array(data.draw(st.permutations(range(n + 1)))[:n], dtype=np.int64)
    draws = np.random.default_rng(n).random(n + spare)
    people = []
    cf = np.full((n + 1, 3), np.nan)
    for (satisfaction, draw), slot, cid in zip(customers, slots.tolist(), cids.tolist(),
                                               strict=True):
        c = Customer(m, 0, 0.6, satisfaction)
        c.slot = slot
        draws[slot] = c.leave_probability() * draw  # around the probability of leaving
        cf[cid, 0] = c.satisfaction
        people.append(c)
    m.churn_draw = draws.tolist().__getitem__  # the day's leaving draws, by slot
    # the Python path: the customers' own methods, in order, as the model's day loops them
    leaving, positive, negative = [], 0.0, 0.0
    for i, c in enumerate(people):
        if params["churn"] and c.will_leave():
            leaving.append(i)
            continue
        if params["word_of_mouth"]:
            pos, neg = c.word_of_mouth()
            positive += pos
            negative += neg
    out = np.full(n, -1, dtype=np.int64)
    k, pos_k, neg_k = kernel.customers_day(
        cf, cids, slots, draws, params["churn"], params["churn_rate_per_month"] / DAYS_PER_MONTH,
        params["loyalty"], params["word_of_mouth"], params["talk_rate"],
        params["negative_ratio"], out)
    assert out[:k].tolist() == leaving, (
        f"twin Customer.will_leave / kernel.customers_day differs: who leaves "
        f"{out[:k].tolist()} != {leaving}")
    assert same([pos_k, neg_k], [positive, negative]), (
        f"twin Customer.word_of_mouth / kernel.customers_day differs: messages "
        f"{(pos_k, neg_k)} != {(positive, negative)}")


# ---------------------------------------------------------------------------- keyed draws


@settings(deadline=None)  # the first call compiles
@given(key=st.integers(0, 2**64 - 1), index=st.integers(0, 10_000))
def test_keyed_uniform_equals_the_kernels(key: int, index: int) -> None:
    """Twin: ``keyed.keyed_uniform`` (Python ints) against the kernel's (uint64 in numba)."""
    from simulation.core import keyed

    as_int64 = int(np.array([key], dtype=np.uint64).view(np.int64)[0])
    u = keyed.keyed_uniform(key, index)
    assert 0.0 <= u < 1.0
    assert same([kernel._keyed_uniform(as_int64, index)], [u])
    assert int(np.uint64(kernel._mix64(np.uint64(key)))) == keyed.mix64(key)


def test_the_engines_key_requests_alike() -> None:
    """Roots by run key and arrival time, children by their parent's key and birth order: the
    engines sample the same inputs for the same requests (probabilistic inputs everywhere)."""
    from test_compiled import assert_same_run

    from simulation.core import keyed

    key = keyed.root_key(12345, 0.25, scheduled=False)
    assert key == keyed.mix64(12345 ^ int(0.25 * 2**40))
    assert keyed.root_key(12345, 0.25, scheduled=True) != key
    assert keyed.child_key(key, 1) != keyed.child_key(key, 2)
    assert_same_run(Scenario(design=Pyramid(approval_prob=0.5, escalation_prob=0.5)), seed=4,
                    days=10)
