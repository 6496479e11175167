"""The day's work behind one small interface, on the Python path or in the compiled engine.

``OrgModel`` holds one :class:`DayEngine` and never asks which: :class:`PythonDay` (here) runs
the agents' own methods on the event loop; :class:`simulation.compiled.day.CompiledDay` runs the
same semantics over arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from simulation.chain.service_chain import ChainModel, ServiceChain

if TYPE_CHECKING:
    import networkx as nx

    from simulation.agents.customer import Customer
    from simulation.agents.employee import Employee
    from simulation.chain.metrics import Metrics


class DayEngine(Protocol):
    """What the model asks of the engine that runs the day's work.

    Attributes:
        compiled: Whether the work runs in the compiled engine.
        chain: The service chain (routing, staffing) the engine moves requests through.
    """

    compiled: bool
    chain: ServiceChain

    def set_arrivals(self, times: np.ndarray, codes: np.ndarray, cids: np.ndarray,
                     sizes: np.ndarray) -> None:
        """The next day's arrivals.

        Sorted ``times``; ``codes`` ``>= 0`` index ``cids`` and ``sizes`` (a customer's request
        and the standard exponential of its work), ``-1 - i`` the ``i``-th scheduled dependency.
        """
        ...

    def run_day(self, end: float, metrics: Metrics) -> dict[str, float]:
        """Run the day's work up to ``end``; returns the day's flows (``metrics.close_day``)."""
        ...

    def rows(self, staff: list[Employee]) -> np.ndarray | None:
        """The employees' rows in the engine's arrays (None when it keeps none)."""
        ...

    def people_pass(self, staff: list[Employee], rows: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, list[Employee]] | None:
        """The default daily dynamics over arrays.

        Returns utilisations, morale and who quits; or None when each employee's own methods
        must run.
        """
        ...

    def utilisations(self, staff: list[Employee]) -> list[float]:
        """Each employee's utilisation since the last call."""
        ...

    def skills_changed(self, staff: list[Employee]) -> None:
        """The employees' effective skill and mean work time changed (daily dynamics)."""
        ...

    def customers_pass(self, table: Any, cids: np.ndarray, draws: np.ndarray, churn: bool,
                       base: float, loyalty: float, talk: bool, talk_rate: float,
                       negative_ratio: float) -> tuple[np.ndarray, float, float] | None:
        """Churn and word of mouth over arrays.

        Returns who leaves (indices into ``cids``), positive and negative messages; or None
        when each customer's own methods must run.
        """
        ...

    def sync_people(self, employees: list[Employee]) -> None:
        """Bring the employees' counters up to date (for reading)."""
        ...

    def flows(self, metrics: Metrics) -> dict[tuple[int, int], list[float]]:
        """Services per (provider position, customer position or -1)."""
        ...

    def close_window(self, end: float) -> None:
        """From now on count only the external requests that arrived before ``end``."""
        ...

    def census(self) -> tuple[int, list[float]]:
        """Requests present, found where they are, and the open external requests' arrivals."""
        ...


class PythonDay:
    """The reference semantics: the event loop calls the agents' and the chain's methods."""

    compiled = False

    def __init__(self, model: ChainModel, graph: nx.MultiDiGraph) -> None:
        self.model = model
        self.chain = ServiceChain(model, graph)
        self._requests: list[tuple[Customer, float]] = []
        model.clock.on_arrival = self._arrive

    def set_arrivals(self, times: np.ndarray, codes: np.ndarray, cids: np.ndarray,
                     sizes: np.ndarray) -> None:
        """Hand the day's arrivals to the event loop."""
        objects = self.model.customer_table.objects
        self._requests = list(zip([objects[c] for c in cids.tolist()], sizes.tolist(),
                                  strict=True))
        self.model.clock.set_arrivals(times.tolist(), codes.tolist())

    def _arrive(self, code: int) -> None:
        if code >= 0:
            customer, size = self._requests[code]
            self.chain.submit_external(customer, size)
        else:
            self.chain.submit_scheduled(-1 - code)

    def run_day(self, end: float, metrics: Metrics) -> dict[str, float]:
        """Run the event loop to ``end`` and close the day's flows."""
        self.model.clock.run_until(end)
        return metrics.close_day(histogram=True)

    def rows(self, staff: list[Employee]) -> None:
        """No arrays on this path."""
        return None

    def people_pass(self, staff: list[Employee], rows: np.ndarray | None) -> None:
        """Each employee's own methods run."""
        return None

    def utilisations(self, staff: list[Employee]) -> list[float]:
        """``utilisation_since_last`` of each employee."""
        return [e.utilisation_since_last() for e in staff]

    def skills_changed(self, staff: list[Employee]) -> None:
        """Nothing to copy: the employees' attributes are the state."""

    def customers_pass(self, *args: Any) -> None:
        """Each customer's own methods run."""
        return None

    def sync_people(self, employees: list[Employee]) -> None:
        """Nothing to copy: the employees' attributes are the state."""

    def flows(self, metrics: Metrics) -> dict[tuple[int, int], list[float]]:
        """The flows the chain recorded."""
        return metrics.flows

    def close_window(self, end: float) -> None:
        """The metrics stop counting external requests that arrive from ``end`` on."""
        self.model.metrics.window_end = end

    def census(self) -> tuple[int, list[float]]:
        """The chain's census."""
        return self.chain.census()
