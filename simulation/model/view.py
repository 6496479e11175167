"""What the model's parts (people, customers, results) read from the model they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from simulation.chain.service_chain import ChainModel

if TYPE_CHECKING:
    import networkx as nx

    from simulation.agents.customer import Customer
    from simulation.agents.employee import Employee
    from simulation.chain.day import DayEngine
    from simulation.chain.service_chain import ServiceChain


class ModelParts(ChainModel, Protocol):
    """The chain's view of the model, plus the organization, its engine and its classes."""

    graph: nx.MultiDiGraph
    day: DayEngine
    employee_cls: type[Employee]
    customer_cls: type[Customer]

    @property
    def chain(self) -> ServiceChain:
        """The service chain."""
        ...
