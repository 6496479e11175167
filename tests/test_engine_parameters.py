"""Every parameter that is zero or off by default is turned on in an engine comparison (and
every switch on by default turned off).

A rule the defaults never exercise can differ between the engines unseen (the customers'
expectation learning did: 0 by default, and no test turned it on). The parameters are listed
from the configuration itself, so a new one fails ``test_the_list_is_complete`` until it is
given a value here.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_compiled import assert_same_run

from simulation import (
    Customers,
    FlatTeam,
    Hierarchy,
    InvertedPyramid,
    People,
    Pyramid,
    Scenario,
    Silos,
    TwoWayStreet,
    Work,
)

SECTIONS = {Work: "with_work", People: "with_people", Customers: "with_customers"}
DESIGNS = (Hierarchy, Pyramid, InvertedPyramid, TwoWayStreet, FlatTeam, Silos)

#: ``Class.field`` -> the value that turns it on (or None: cannot run compiled, and why).
ON: dict[str, object] = {
    "Customers.expectation_learning": 0.2,
    "People.internal_expectation_learning": 0.2,
    "Customers.count": 300,
    "Customers.hourly": (3.0, 1.0, 1.0, 1.0),
    "Customers.weekly": (2.0, 1.0, 0.5),
    "Hierarchy.support_prob": 0.2,
    "Hierarchy.coaching_rate": 0.5,
    "Hierarchy.inverted": True,
    "Pyramid.support_prob": 0.2,
    "Pyramid.coaching_rate": 0.5,
    "Pyramid.inverted": True,
    "InvertedPyramid.reporting_rate": 0.5,
    "TwoWayStreet.inverted": True,
    "FlatTeam.inverted": True,
    "Silos.inverted": True,
}
#: Zero or off by default, and no engine comparison possible: why.
NOT_COMPARED = {"Scenario.keep_records": "keeping records forces the Python path (tested in "
                                        "test_compiled: the reason is given)"}


def off_by_default(cls: type) -> list[str]:
    """``Class.field`` for every field of ``cls`` whose default is 0, False or None."""
    found = []
    for f in dataclasses.fields(cls):
        default = f.default
        if default is dataclasses.MISSING or isinstance(default, str):
            continue
        if default is None or default is False or (
                isinstance(default, int | float) and default == 0):
            found.append(f"{cls.__name__}.{f.name}")
    return found


def test_the_list_is_complete() -> None:
    listed = [name for cls in (Scenario, *SECTIONS, *DESIGNS) for name in off_by_default(cls)]
    assert "Customers.expectation_learning" in listed  # the lister sees what it must
    unlisted = set(listed) - set(ON) - set(NOT_COMPARED)
    assert not unlisted, f"give these a value in ON (tests/test_engine_parameters.py): {unlisted}"
    stale = (set(ON) | set(NOT_COMPARED)) - set(listed)
    assert not stale, f"no longer zero or off by default: {stale}"


def scenario_with(name: str, value: object) -> Scenario:
    owner, field = name.split(".")
    base = Scenario().with_people(quit_rate_per_month=0.3, hiring_delay=3.0)
    for cls, method in SECTIONS.items():
        if cls.__name__ == owner:
            return getattr(base, method)(**{field: value})
    design = next(cls for cls in DESIGNS if cls.__name__ == owner)
    return dataclasses.replace(base, design=design(**{field: value}))


@pytest.mark.parametrize("name", sorted(ON))
def test_each_one_turned_on_gives_identical_results_in_both_engines(name: str) -> None:
    scenario = scenario_with(name, ON[name])
    assert scenario != scenario_with(name, _default(name))
    model = assert_same_run(scenario, seed=8, days=40)
    assert model.compiled


def _default(name: str) -> object:
    owner, field = name.split(".")
    cls = next(c for c in (*SECTIONS, *DESIGNS) if c.__name__ == owner)
    return next(f.default for f in dataclasses.fields(cls) if f.name == field)


#: Switches that are on by default (issue 15 re-set them), turned off: the path without them
#: must match across the engines too.
OFF: dict[str, object] = {
    "Customers.failure_demand": 0.0,
    "Hierarchy.approval_gate": False,
    "Hierarchy.rebalancing": False,
}


@pytest.mark.parametrize("name", sorted(OFF))
def test_each_switch_turned_off_gives_identical_results_in_both_engines(name: str) -> None:
    assert _default(name) != OFF[name]
    scenario = scenario_with(name, OFF[name])
    model = assert_same_run(scenario, seed=8, days=40)
    assert model.compiled


def test_every_mechanism_off_gives_identical_results_in_both_engines() -> None:
    """The design of before issue 15: nothing drawn for defects, reports inform nothing."""
    before = Pyramid(reporting_rate=1.0, approval_work=1.0, approval_gate=False,
                     rebalancing=False)
    scenario = Scenario(design=before, customers=Customers(failure_demand=0.0))
    assert_same_run(scenario.with_people(quit_rate_per_month=0.3, hiring_delay=3.0),
                    seed=8, days=40)
