"""External customers: they pay, have a choice, and leave when served badly.

Their state lives in the model's :class:`CustomerTable` (one row per customer ever), so the
compiled engine and array passes read and write it in place; the methods below are the rules.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simulation.agents.hooks import checked, docstring_section
from simulation.core import rules
from simulation.core.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulation.agents.protocol import ModelView


class _Column:
    """A customer attribute stored in a column of the model's ``CustomerTable``."""

    def __init__(self, column: int, kind: type, doc: str) -> None:
        self.column = column
        self.kind = kind
        self.__doc__ = doc

    def __get__(self, customer: Customer | None, owner: type) -> Any:
        if customer is None:
            return self
        return self.kind(customer.table.cf.item(customer.row, self.column))

    def __set__(self, customer: Customer, value: float) -> None:
        customer.table.cf[customer.row, self.column] = value


class Customer(mesa.Agent):
    """An external customer who pays, has a choice, and leaves when served badly.

    Attributes:
        home: The customer-facing position that serves this customer.
        expectation: Expected perceived value in (0, 1).
        satisfaction: Cumulative satisfaction in [0, 1] (Bolton 1998).
        active: False once the customer has left for a competitor.
        table: The model's customer table, which holds this customer's state.
        row: This customer's row in ``table`` (never reused).
        slot: The slot that fixes this customer's random draws (-1 once they left).
    """

    def __init__(self, model: ModelView, home: int, expectation: float,
                 satisfaction: float) -> None:
        super().__init__(model)
        self.home = home
        self.slot = -1  # set by the model's table: fixes this customer's draws across designs
        self.table = model.customer_table
        self.row = self.table.add(self, home, expectation, satisfaction)
        self.active = True
        self.joined = model.steps
        self.left: int | None = None

    # state held in the model's customer table (read by array arithmetic and the compiled engine)
    satisfaction = _Column(0, float, "Cumulative satisfaction in [0, 1].")
    expectation = _Column(1, float, "Expected perceived value in (0, 1).")
    served = _Column(2, int, "Services received.")

    def perceived_value(self, quality: float, delay: float) -> float:
        """Value of one service: its quality, discounted by the wait."""
        return rules.discounted(quality, delay, self.model.customers_cfg.patience)

    def judge(self, value: float) -> float:
        """Satisfaction with one service by expectation-disconfirmation (Oliver 1980)."""
        return rules.disconfirmation(value, self.expectation, self.model.customers_cfg.sensitivity)

    def experience(self, quality: float, delay: float) -> float:
        """Update cumulative satisfaction (and expectation) after a service; returns ``s``."""
        c = self.model.customers_cfg
        value = self.perceived_value(quality, delay)
        s = self.judge(value)
        self.satisfaction = rules.smoothed(self.satisfaction, s, c.satisfaction_weight)
        self.expectation = rules.smoothed(self.expectation, value, c.expectation_learning)
        self.served += 1
        return s

    def leave_probability(self) -> float:
        """Daily probability of leaving: a proportional hazard falling with satisfaction."""
        c = self.model.customers_cfg
        base = c.churn_rate_per_month / DAYS_PER_MONTH
        return rules.leave_probability(self.satisfaction, base, c.loyalty)

    def will_leave(self) -> bool:
        """Whether this customer leaves today (the slot's draw: the same in every design)."""
        p = checked(self, "leave_probability", self.leave_probability(), 0.0, 1.0,
                    lambda c: f"customer {c.unique_id}")
        return self.model.churn_draw(self.slot) < p

    def word_of_mouth(self) -> tuple[float, float]:
        """Expected positive and negative messages today: an asymmetric U (Anderson 1998)."""
        c = self.model.customers_cfg
        return rules.word_of_mouth(self.satisfaction, c.talk_rate, c.negative_ratio)

    def leave(self) -> None:
        """Leave for a competitor: no longer one of the model's agents (``model.agents``).

        Requests still open keep their customer, who judges them when they are delivered.
        """
        self.active = False
        self.left = self.model.steps
        self.remove()


class CustomerTable:
    """Customers' state as arrays, one row per customer ever (never reused), and their slots.

    A slot fixes a customer's random draws (requests, leaving) across designs; slots of
    customers who left are reused, smallest first.

    Attributes:
        cf: Columns satisfaction, expectation and services received.
        home: Each customer's home position.
        slot: Each customer's slot (-1 once they left).
        objects: The customers, by row.
        slot_row: The row seated in each slot (-1 when free); ``n_slots`` slots exist.
        n: Rows in use.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.cf = np.zeros((capacity, 3))
        self.home = np.zeros(capacity, dtype=np.int64)
        self.slot = np.full(capacity, -1, dtype=np.int64)
        self.objects: list[Customer] = []
        self.slot_row = np.full(capacity, -1, dtype=np.int64)
        self.n_slots = 0
        self._free: list[int] = []
        self.n = 0

    def add(self, customer: Customer, home: int, expectation: float,
            satisfaction: float) -> int:
        """A new customer's row; returns its index."""
        i = self.n
        if i == len(self.home):
            self.cf = np.concatenate([self.cf, np.zeros_like(self.cf)])
            self.home = np.concatenate([self.home, np.zeros_like(self.home)])
            self.slot = np.concatenate([self.slot, np.full_like(self.slot, -1)])
        self.cf[i] = (satisfaction, expectation, 0.0)
        self.home[i] = home
        self.objects.append(customer)
        self.n = i + 1
        return i

    def seat(self, customer: Customer) -> None:
        """Give a customer the smallest free slot (or a new one)."""
        if self._free:
            slot = heapq.heappop(self._free)
        else:
            slot = self.n_slots
            self.n_slots += 1
            if slot == len(self.slot_row):
                self.slot_row = np.concatenate([self.slot_row, np.full_like(self.slot_row, -1)])
        customer.slot = slot
        self.slot_row[slot] = customer.row
        self.slot[customer.row] = slot

    def unseat(self, customer: Customer) -> None:
        """Free a departing customer's slot."""
        self.slot_row[customer.slot] = -1
        self.slot[customer.row] = -1
        heapq.heappush(self._free, customer.slot)


Customer.__doc__ = (Customer.__doc__ or "") + docstring_section("Customer")
