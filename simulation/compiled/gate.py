"""When the compiled engine may run a model, and why not when it may not.

The lists of methods come from the table of hooks (:mod:`simulation.agents.hooks`): overriding a
within-day method runs the Python path; overriding a daily one keeps the compiled engine but
calls each agent's own methods once a day instead of the array pass.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from simulation.agents.customer import Customer
from simulation.agents.employee import Employee
from simulation.agents.hooks import Override, hooks_of, overridden
from simulation.config.strategies import (
    CobbDouglas,
    Compensatory,
    CustomerFirst,
    Deterministic,
    Erlang,
    Exponential,
    FirstComeFirstServed,
    RankFirst,
    WeakestLink,
)

if TYPE_CHECKING:
    from simulation.config.scenario import Scenario

#: Employee methods the compiled engine replaces: overriding one runs the Python path.
EMPLOYEE_HOOKS = hooks_of("Employee", Override.PYTHON_PATH)
#: Daily employee methods computed in arrays too when none is overridden.
DAILY_HOOKS = hooks_of("Employee", Override.PER_AGENT)
#: Customer methods the compiled engine replaces.
CUSTOMER_HOOKS = hooks_of("Customer", Override.PYTHON_PATH)
#: Daily customer methods computed in one array pass when none is overridden.
CUSTOMER_DAILY_HOOKS = hooks_of("Customer", Override.PER_AGENT)

#: The built-in strategies' codes in the kernel.
DISCIPLINES = {FirstComeFirstServed: 0, RankFirst: 1, CustomerFirst: 2}
QUALITY_RULES = {Compensatory: 0, CobbDouglas: 1, WeakestLink: 2}
WORK_TIMES = {Exponential: 0, Deterministic: 1, Erlang: 2}


@functools.cache
def load_kernel() -> Any:
    """The kernel module (imports numba; compiled functions load from numba's disk cache)."""
    from simulation.compiled import kernel

    return kernel


def numba_available() -> bool:
    """Whether numba can be imported here."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def why_not_compiled(scenario: Scenario, employee_cls: type[Employee],
                     customer_cls: type[Customer]) -> str | None:
    """Why this model must run on the Python path, or None when the compiled engine can run it."""
    if hook := overridden(employee_cls, Employee, EMPLOYEE_HOOKS):
        return f"{employee_cls.__name__} overrides Employee.{hook}"
    if hook := overridden(customer_cls, Customer, CUSTOMER_HOOKS):
        return f"{customer_cls.__name__} overrides Customer.{hook}"
    work = scenario.work
    for what, value, known in (("queue discipline", scenario.design.discipline, DISCIPLINES),
                               ("quality rule", work.quality_rule, QUALITY_RULES),
                               ("work-time rule", work.work_time, WORK_TIMES)):
        if type(value) not in known:
            return f"the {what} {type(value).__name__} is not a built-in one"
    if scenario.keep_records:
        return "service records are kept (keep_records=True)"
    if not numba_available():
        return "numba is not installed"
    return None


def array_people(compiled: bool, employee_cls: type[Employee]) -> bool:
    """Whether employees' daily dynamics run in the compiled array pass."""
    return compiled and overridden(employee_cls, Employee, DAILY_HOOKS) is None


def array_customers(compiled: bool, customer_cls: type[Customer]) -> bool:
    """Whether customers' churn and word of mouth run in the compiled array pass."""
    return compiled and overridden(customer_cls, Customer, CUSTOMER_DAILY_HOOKS) is None
