"""The people: staffing the positions, their daily dynamics, quits, vacancies and hires."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.model.collector import mean_of

if TYPE_CHECKING:
    from simulation.agents.employee import Employee
    from simulation.model.view import ModelParts


class Workforce:
    """Who holds each position, and the daily dynamics of people.

    Attributes:
        former: Employees who left, in the order they left.
        vacancies: Open positions and the day their hire is due.
        reputation: The organization's internal-service reputation (attracts better hires).
        levels: The hierarchy levels present.
        positions: How many positions there are.
        quit_draws: Today's quit draw of each position (drawn for every position every day).
        hiring_draws: Today's hiring-delay draw (standard exponential) of each position.
    """

    def __init__(self, model: ModelParts) -> None:
        self.model = model
        self.former: list[Employee] = []
        self.vacancies: dict[int, float] = {}
        self.reputation = model.config.people.resource_ref
        self.levels: list[int] = []
        self._staff_key = -1  # chain.staffing when _staff_cache was built
        self._staff_cache: tuple[list[Employee], np.ndarray, np.ndarray | None] = (
            [], np.empty(0, dtype=np.int64), None)
        self._day_morale: tuple[int, np.ndarray] = (-1, np.empty(0))
        self.positions = model.graph.number_of_nodes()
        self.quit_draws = np.ones(self.positions)  # today's, by position (none quits at 1)
        self.hiring_draws = np.ones(self.positions)

    def hire_staff(self) -> None:
        """The first occupant of every position."""
        model = self.model
        staff = [self._employee(node, model.graph.nodes[node]["skill"], proficiency=1.0)
                 for node in range(model.graph.number_of_nodes())]
        model.chain.staff(staff)
        self.levels = sorted(set(model.chain.level))

    def _employee(self, node: int, skill: float, proficiency: float) -> Employee:
        model = self.model
        attrs = model.graph.nodes[node]
        return model.employee_cls(
            model, node, role=attrs["role"], level=attrs["level"],
            department=attrs["department"], skill=skill, rate=attrs["rate"],
            dependencies=model.chain.inputs_of[node],
            morale=model.config.people.initial_morale, proficiency=proficiency)

    def staff(self) -> tuple[list[Employee], np.ndarray, np.ndarray | None]:
        """Employees in position order, their levels and engine rows (None on the Python path).

        Cached until someone leaves or is hired (``chain.staffing`` changes).
        """
        chain = self.model.chain
        if self._staff_key != chain.staffing:
            staff = [e for e in chain.occupant if e is not None]
            levels = np.fromiter((e.level for e in staff), dtype=np.int64, count=len(staff))
            self._staff_cache = (staff, levels, self.model.day.rows(staff))
            self._staff_key = chain.staffing
        return self._staff_cache

    def day(self) -> dict[str, float]:
        """Learning, morale, quits and hires; returns the day's utilisation by level."""
        model = self.model
        people = model.config.people
        employees, levels, rows = self.staff()
        gen = model.streams.quits  # every position's draws every day: a fixed layout
        self.quit_draws = gen.random(self.positions)
        self.hiring_draws = gen.standard_exponential(self.positions)
        passed = model.day.people_pass(employees, rows)
        if passed is not None:
            used, morale, quitting = passed
            self._day_morale = (model.chain.staffing, morale)
        else:  # a daily hook is overridden: each employee's own methods
            used = model.day.utilisations(employees)
            for e, u in zip(employees, used, strict=True):
                e.step_day(u)
            model.day.skills_changed(employees)
            quitting = None
        metrics = model.metrics
        if metrics.day_internal_n and people.enabled:
            day_score = metrics.day_internal_score / metrics.day_internal_n
            self.reputation += (day_score - self.reputation) / people.resource_memory
        if people.enabled:
            if quitting is not None:  # decided in the compiled pass
                for e in quitting:
                    self._quit(e)
            else:
                for e in employees:
                    if e.will_quit():
                        self._quit(e)
            for node, due in sorted(self.vacancies.items()):
                if due <= model.steps:
                    self._hire(node)
        used = np.asarray(used)
        return {f"utilisation_level_{lv}": mean_of(used[levels == lv]) for lv in self.levels}

    def _quit(self, employee: Employee) -> None:
        model = self.model
        model.chain.vacate(employee)
        employee.left = model.steps
        self.former.append(employee)
        employee.remove()
        model.metrics.quits += 1
        model.metrics.day_quits += 1
        delay = model.config.people.hiring_delay * float(self.hiring_draws[employee.node])
        self.vacancies[employee.node] = model.steps + delay

    def _hire(self, node: int) -> None:
        model = self.model
        people = model.config.people
        attraction = 1.0 + people.reputation_effect * (self.reputation - people.resource_ref)
        skill = min(1.0, max(0.01, model.graph.nodes[node]["skill"] * attraction))
        employee = self._employee(node, skill, people.new_hire_proficiency)
        del self.vacancies[node]
        model.chain.fill(employee)
        model.metrics.hires += 1
        model.metrics.day_hires += 1

    def morale(self) -> np.ndarray:
        """Morale of the staff now (from the day's compiled pass when it is current)."""
        if self._day_morale[0] == self.model.chain.staffing:
            return self._day_morale[1]
        staff = self.staff()[0]
        return np.fromiter((e.morale for e in staff), float, len(staff))
