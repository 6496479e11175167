"""Layer 2, the agents (the student's room): employees, customers, vacancies, their hooks.

Subclass :class:`Employee` or :class:`Customer` and override one hook to change one behaviour;
:mod:`simulation.agents.hooks` lists every hook and what overriding it costs.
"""

from simulation.agents.customer import Customer, CustomerTable
from simulation.agents.employee import Employee, Vacancy, sample_inputs

__all__ = ["Customer", "CustomerTable", "Employee", "Vacancy", "sample_inputs"]
