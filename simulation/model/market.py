"""The external customers: who they are, who leaves and who joins, day by day."""

from __future__ import annotations

import math
from itertools import compress
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from simulation.agents.customer import Customer, CustomerTable
from simulation.core.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulation.model.view import ModelParts


def profile_times(u: np.ndarray, weights: tuple[float, ...] | None) -> np.ndarray:
    """Times within a day (in [0, 1)) from uniforms ``u``, by a piecewise-constant intensity.

    ``weights`` over equal parts of the day; None keeps ``u`` (an even day). Inverse
    transform: the same uniform gives the same quantile of the day whatever the weights.
    """
    if weights is None:
        return u
    w = np.asarray(weights, dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    part = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(w) - 1)
    width = edges[part + 1] - edges[part]
    inside = np.divide(u - edges[part], width, out=np.zeros_like(u), where=width > 0)
    return (part + inside) / len(w)


def poisson_count(u: float, mean: float) -> int:
    """The Poisson(``mean``) count at uniform ``u`` by inversion (monotone in both).

    Inversion keeps common random numbers paired: the same draw gives a count that rises with
    the mean, where a generator's Poisson sampler would consume a varying number of draws.
    """
    if mean <= 0.0:
        return 0
    # scipy.stats.poisson.ppf's own formula, without its per-call overhead (100 us a call)
    k = math.ceil(special.pdtrik(u, mean))
    if k > 0 and special.pdtr(k - 1, mean) >= u:
        k -= 1
    return max(0, int(k))


class Market:
    """The customers of an organization and their daily churn, word of mouth and acquisition.

    Attributes:
        table: The customers' state as arrays (one row per customer ever).
        customers: The active customers, in the order they joined.
        rows: Their rows in ``table``.
        frontline: The customer-facing positions (a new customer's home is one of them).
        lost: Customers lost so far.
        left_served: Customers lost so far who had been served at least once.
        left_satisfaction: Their satisfaction summed, each as it was when they left.
        acquired: Customers acquired after the start.
        initial: Customers at the start.
        size: The market: acquisition slows as active customers approach it.
        shares: Each frontline position's share of external demand, when the organization
            gives them (None: customers choose a position at random).
        rate_factor: Per position, the factor on each of its customers' request rate that
            gives the position exactly its share of the initial demand (None without shares).
    """

    def __init__(self, model: ModelParts, frontline: list[int],
                 demand: list[float | None] | None = None) -> None:
        self.model = model
        self.table = CustomerTable()
        self.customers: list[Customer] = []
        self.rows = np.empty(0, dtype=np.int64)
        self.frontline = frontline
        self.lost = 0
        self.left_served = 0
        self.left_satisfaction = 0.0
        self.acquired = 0
        self.initial = 0
        self.size = 1.0
        self._churn_draws: list[float] | np.ndarray = []
        self.shares: np.ndarray | None = None
        self.rate_factor: np.ndarray | None = None
        if demand is not None and any(d is not None for d in demand):
            weights = np.array([1.0 if d is None else d for d in demand], dtype=float)
            self.shares = weights / weights.sum()
            self._cumulative = np.cumsum(self.shares)

    def open(self) -> None:
        """Seat the initial customers (the model's ``customer_table`` must be this table)."""
        c = self.model.config.customers
        count = c.initial_count(len(self.frontline))
        if count and not self.frontline:
            raise ValueError("the organization has customers but no customer-facing position")
        if self.shares is None:
            self.add(count)
        else:
            self._seat_by_share(count)
        self.initial = len(self.customers)
        self.size = max(1.0, c.market * self.initial)

    def _seat_by_share(self, count: int) -> None:
        """Seat ``count`` customers in exact proportion to the shares (systematic quotas).

        The ``k``-th customer's home is the position whose share interval holds
        ``(k + 1/2) / count``; each position's customers then request at the rate that gives it
        exactly its share of the demand (``rate_factor``).
        """
        assert self.shares is not None
        new = [self.new_customer((k + 0.5) / count).row for k in range(count)]
        if new:
            self.rows = np.concatenate([self.rows, np.array(new, dtype=np.int64)])
        homes = np.searchsorted(self._cumulative, (np.arange(count) + 0.5) / max(count, 1),
                                side="right")
        seated = np.bincount(np.minimum(homes, len(self.frontline) - 1),
                             minlength=len(self.frontline))
        n_nodes = self.model.graph.number_of_nodes()
        self.rate_factor = np.ones(n_nodes)
        for i, node in enumerate(self.frontline):
            if count == 0:
                break  # no customers: no demand to share
            if seated[i] == 0:
                name = self.model.graph.nodes[node].get("name", node)
                raise ValueError(
                    f"position {name!r}: its demand share {self.shares[i]:.3g} gives it none of "
                    f"the {count} customers; raise customers.count or its demand")
            self.rate_factor[node] = count * self.shares[i] / seated[i]

    def new_customer(self, quota: float | None = None) -> Customer:
        """A new customer at a frontline position, with a Beta-distributed expectation.

        The position is drawn at random (by share when the organization gives shares), or, for
        an initial customer seated by share, the one whose share interval holds ``quota``.
        """
        model = self.model
        c = model.config.customers
        gen = model.streams.customers  # the k-th customer's draws, whatever the design
        u = gen.random()
        if self.shares is None:
            home = self.frontline[int(u * len(self.frontline))]
        else:
            i = int(np.searchsorted(self._cumulative, u if quota is None else quota,
                                    side="right"))
            home = self.frontline[min(i, len(self.frontline) - 1)]
        mean, sd = c.expectation, c.expectation_spread
        if sd > 0:
            k = max(mean * (1 - mean) / (sd * sd) - 1.0, 1e-3)
            expectation = float(gen.beta(mean * k, (1 - mean) * k))
        else:
            expectation = mean
        customer = model.customer_cls(model, home, expectation, c.initial_satisfaction)
        self.table.seat(customer)
        self.customers.append(customer)
        return customer

    def add(self, count: int) -> None:
        """``count`` new customers."""
        new = [self.new_customer().row for _ in range(count)]
        if new:
            self.rows = np.concatenate([self.rows, np.array(new, dtype=np.int64)])

    def churn_draw(self, slot: int) -> float:
        """Today's leaving draw of a customer slot (drawn for every slot, in a fixed layout)."""
        return self._churn_draws[slot]

    def day(self) -> dict[str, float]:
        """Churn, word of mouth and acquisition; returns the day's new and lost customers."""
        model = self.model
        c = model.config.customers
        draws = model.streams.churn.gen.random(self.table.n_slots)
        passed = model.day.customers_pass(
            self.table, self.rows, draws, c.churn, c.churn_rate_per_month / DAYS_PER_MONTH,
            c.loyalty, c.word_of_mouth, c.talk_rate, c.negative_ratio)
        if passed is None:
            self._churn_draws = draws.tolist()
            left_today, positive, negative = self._one_by_one()
            stay = None
        else:
            self._churn_draws = draws
            leaving, positive, negative = passed
            customers = self.customers
            for i in leaving.tolist():
                self._lose(customers[i])
            left_today = len(leaving)
            stay = np.ones(len(customers), dtype=bool)
            stay[leaving] = False
        new = self._acquire(left_today, positive, negative)
        if left_today:
            self.lost += left_today
            if stay is None:
                stay = np.array([x.active for x in self.customers], dtype=bool)
            self.customers = list(compress(self.customers, stay.tolist()))
            self.rows = self.rows[stay]
        self.add(new)
        self.acquired += new
        return {"new_customers": float(new), "lost_today": float(left_today)}

    def _one_by_one(self) -> tuple[int, float, float]:
        """Each customer's own ``will_leave`` and ``word_of_mouth``, in order."""
        c = self.model.config.customers
        left_today = 0
        positive = negative = 0.0
        for customer in list(self.customers):
            if c.churn and customer.will_leave():
                self._lose(customer)
                left_today += 1
                continue
            if c.word_of_mouth:
                pos, neg = customer.word_of_mouth()
                positive += pos
                negative += neg
        return left_today, positive, negative

    def _acquire(self, left_today: int, positive: float, negative: float) -> int:
        """New customers today: a base rate, plus word of mouth, slowed as the market fills."""
        c = self.model.config.customers
        u = self.model.streams.acquisition.random(3)  # drawn every day: a fixed layout
        room = max(0.0, 1.0 - (len(self.customers) - left_today) / self.size)
        if c.word_of_mouth:
            negative += left_today * c.departure_messages
            pos_msgs = poisson_count(u[0], positive)
            neg_msgs = poisson_count(u[1], negative)
            rate = c.acquisition_per_day + c.recruits_per_message * pos_msgs \
                - c.deterred_per_message * neg_msgs
            return poisson_count(u[2], max(rate, 0.0) * room)
        if c.acquisition_per_day > 0:
            return poisson_count(u[2], c.acquisition_per_day * room)
        return 0

    def _lose(self, customer: Customer) -> None:
        satisfaction, _, served = self.table.cf[customer.row].tolist()
        if served > 0:
            self.left_served += 1
            self.left_satisfaction += satisfaction
        customer.leave()
        self.table.unseat(customer)

    def satisfaction(self) -> np.ndarray:
        """Cumulative satisfaction of the active customers."""
        return self.table.cf[self.rows, 0]

    def satisfaction_of_all_served(self) -> float:
        """Mean satisfaction of every customer served so far, those who left as they left.

        A survivors' mean leaves out exactly the customers a design lost; this one does not.
        NaN before anyone is served.
        """
        cf = self.table.cf[self.rows]
        served = cf[:, 2] > 0
        n = int(served.sum()) + self.left_served
        return (float(cf[served, 0].sum()) + self.left_satisfaction) / n if n else math.nan
