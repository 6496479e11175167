"""The service chain whose requests live in the compiled engine's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.agents.employee import Employee, Vacancy
from simulation.chain.service_chain import ServiceChain
from simulation.compiled.engine import Engine

if TYPE_CHECKING:
    from simulation.chain.service_chain import ChainModel


class CompiledChain(ServiceChain):
    """The service chain whose requests live in the compiled engine.

    People still come and go here (covering, vacancies, hires); the work they hand over and
    take on moves inside the engine.
    """

    def __init__(self, model: ChainModel, graph: Any) -> None:
        super().__init__(model, graph)
        self.engine = Engine(model, self)
        k = self.engine.k
        self.vacancy_wait = self.engine.vacancy_wait  # the kernel adds to it
        self.vacancy_steps = self.engine.vacancy_steps
        self.report_time = self.engine.sv[:, k.V_REPORTED]  # the kernel writes reports there
        self.report_load = self.engine.sv[:, k.V_LOAD]
        self.report_skill = self.engine.sv[:, k.V_SKILL]
        codes = {d: i for i, d in enumerate(dict.fromkeys(self.department))}
        self._department_code = np.array([codes[d] for d in self.department], dtype=np.int64)
        self._role_positions = {role: np.array(nodes, dtype=np.int64)
                                for role, nodes in self.by_role.items()}

    def peer(self, position: int) -> Employee | None:
        """As :meth:`ServiceChain.peer`, over the engine's arrays (no loop over the staff)."""
        k = self.engine.k
        nodes = self._role_positions[self.role[position]]
        pids = self.engine.pos[nodes, k.S_OCCUPANT]
        held = pids >= 0
        if not held.any():
            return None
        nodes, pids = nodes[held], pids[held]
        same = self._department_code[nodes] == self._department_code[position]
        if same.any():
            nodes, pids = nodes[same], pids[same]
        best = int(np.argmin(self.engine.pi[pids, k.P_PRESENT]))  # first: the lowest position
        return self.occupant[int(nodes[best])]

    def staff(self, employees: list[Employee]) -> None:
        """Put the first occupants in place and give each a row in the engine."""
        super().staff(employees)
        for e in employees:
            self.engine.add_person(e)
            self.engine.set_server(e.node, e)
            self.engine.set_occupant(e.node, e)

    def vacate(self, employee: Employee) -> None:
        """An employee leaves: cover the position by a peer, or hold its work until the hire."""
        node = employee.node
        work = self.engine.hand_over(employee)
        employee.active = False
        covered = self.covers.pop(node, [])
        self.occupant[node] = None
        self.staffing += 1
        self.engine.set_occupant(node, None)
        for position in [node, *covered]:
            self._reroute(position)
        self.engine.accept_all(work)

    def move(self, employee: Employee, k: int, position: int) -> int:
        """As :meth:`ServiceChain.move`, inside the engine."""
        return self.engine.give_back(employee, k, position)

    def present(self, employee: Employee) -> int:
        """Requests queued at or in service with an employee, from the engine."""
        return self.engine.present(employee)

    def _reroute(self, position: int) -> None:
        super()._reroute(position)
        self.engine.set_server(position, self.servers[position])

    def fill(self, employee: Employee) -> None:
        """A new hire takes the position (and any work that waited for it)."""
        node = employee.node
        previous = self.servers[node]
        self.forget_report(node)
        self.engine.add_person(employee)
        self.occupant[node] = employee
        self.staffing += 1
        self.servers[node] = employee
        self.engine.set_server(node, employee)
        self.engine.set_occupant(node, employee)
        if isinstance(previous, Vacancy):
            self.engine.take_backlog(employee, self.engine.take_waiting(node))
        else:
            self.covers[previous.node].remove(node)

    def dispatch(self, request: Any) -> None:  # pragma: no cover - guarded
        """Not used: requests are dispatched inside the compiled engine."""
        raise RuntimeError("the compiled engine dispatches its own requests")
