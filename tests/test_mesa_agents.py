"""Mesa's conventions: ``model.agents`` holds exactly the living agents (issue 20, part)."""

from __future__ import annotations

import pytest

from simulation import OrgModel, Scenario
from simulation.agents.customer import Customer
from simulation.agents.employee import Employee


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_the_agents_are_the_staff_and_the_customers_still_there(compiled: bool) -> None:
    """Customers who left and employees who quit are no longer Mesa's agents (before, 82 of
    1,014 agents after 60 days had left); the results still count them."""
    model = OrgModel(Scenario().with_people(quit_rate_per_month=0.5), rng=1,
                     compiled=compiled).run(60)
    assert model.market.lost > 0 and model.metrics.quits > 0
    staff = set(model.employees)
    customers = set(model.market.customers)
    assert set(model.agents) == staff | customers
    assert set(model.agents_by_type[Employee]) == staff
    assert set(model.agents_by_type[Customer]) == customers
    assert len(model.employee_summary()) == len(staff) + len(model.former_employees)


def test_a_step_is_a_day_and_run_for_steps() -> None:
    """``model.step()`` runs one working day (a daily row, Mesa's counters) and ``run_for``
    takes as many steps."""
    model = OrgModel(Scenario(), rng=1)
    model.step()
    assert (model.steps, model.time, len(model.daily())) == (1, 1.0, 1)
    model.run_for(3)
    assert (model.steps, model.time, len(model.daily())) == (4, 4.0, 4)
