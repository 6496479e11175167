"""Aggregation of service records into daily series and run totals, in bounded memory."""

from __future__ import annotations

import bisect
import math

import numpy as np

from simulation.core.causes import NEEDS, Kind, Step
from simulation.core.requests import ServiceRecord

#: The customer position of a service delivered to an external customer.
EXTERNAL = -1

# log-spaced delay histogram: 1e-5 to 1e4 days, 0.5% relative resolution. Powers by libm (as
# Python's ``**``), not ``np.logspace``, whose vectorised pow differs by CPU (218 of these 4,000
# edges on an AVX-512 machine): the same seed gives the same p95 on every machine.
EDGES = np.array([10.0 ** x for x in np.linspace(-5.0, 4.0, 4000).tolist()])


def percentile95(values: list[float]) -> float:
    """``numpy.percentile(values, 95)`` (linear method), bit for bit, at a fraction of the cost.

    numpy's virtual index ``(n - 1) q``, its floor and its two-sided interpolation;
    ``tests/test_compiled.py`` checks equality with numpy. NaN when empty.
    """
    n = len(values)
    if n == 0:
        return math.nan
    q = 0.95
    virtual = (n - 1) * q
    arr = np.asarray(values, dtype=float)
    if virtual >= n - 1:
        return float(arr.max())
    if virtual < 0:
        return float(arr.min())
    below = math.floor(virtual)
    part = np.partition(arr, (below, below + 1))
    a, b = float(part[below]), float(part[below + 1])
    gamma = virtual - below
    diff = b - a
    return b - diff * (1.0 - gamma) if gamma >= 0.5 else a + diff * gamma


def histogram_quantile(counts: np.ndarray, q: float) -> float:
    """The ``q``-quantile of the delay histogram, interpolated within its bin (log scale).

    Bin ``i`` holds delays in ``[EDGES[i-1], EDGES[i])`` (0.5% wide), so the error is far below
    the sampling error of any quantile a check compares.
    """
    cum = np.cumsum(counts)
    total = cum[-1]
    if total == 0:
        return math.nan
    target = q * total
    i = int(np.searchsorted(cum, target, side="left"))
    if i == 0:
        return 0.0  # below 1e-5 days: no wait and no work (a position with no work time)
    if i >= len(EDGES):
        return float(EDGES[-1])
    before = cum[i - 1]
    frac = (target - before) / counts[i] if counts[i] else 1.0
    lo, hi = math.log(EDGES[i - 1]), math.log(EDGES[i])
    return math.exp(lo + frac * (hi - lo))


def histogram_mean(counts: np.ndarray) -> float:
    """The mean of a delay histogram, each bin at its geometric midpoint (NaN when empty).

    Bins are 0.5% wide, so no value moves by more than 0.25%, and the mean far less; values
    below 1e-5 days count as 0.
    """
    total = counts.sum()
    if total == 0:
        return math.nan
    mid = np.concatenate([[0.0], np.sqrt(EDGES[1:] * EDGES[:-1]), [EDGES[-1]]])
    return float(counts @ mid / total)


class DelayHistogram:
    """Streaming histogram of delays for quantiles over a whole run in fixed memory."""

    def __init__(self) -> None:
        self.counts = np.zeros(len(EDGES) + 1, dtype=np.int64)

    def add(self, values: list[float]) -> None:
        """Add a batch of delays (days)."""
        if values:
            idx = np.searchsorted(EDGES, np.asarray(values), side="right")
            self.counts += np.bincount(idx, minlength=len(self.counts))

    def quantile(self, q: float) -> float:
        """Approximate ``q``-quantile (upper bin edge), NaN when empty."""
        total = self.counts.sum()
        if total == 0:
            return math.nan
        k = int(np.searchsorted(np.cumsum(self.counts), q * total, side="left"))
        return float(EDGES[min(k, len(EDGES) - 1)])


class Metrics:
    """Counts and sums kept while the model runs; the day's row is built by ``close_day``.

    Attributes:
        records: Every ``ServiceRecord`` when the scenario keeps records, else empty.
        position_counts: Per position, a histogram over ``EDGES`` of the sojourn of each visit
            (from joining the position's queue to the end of the work), or None when not kept.
        causes: The counted customers' delay (days, summed) by need, step and kind of time
            (:mod:`simulation.core.causes`).
        cause_rows: With ``customer_causes``, one row per counted customer delivered:
            arrival, delay, then its delay by kind and by step.
    """

    def __init__(self, keep_records: bool, positions: int = 0,
                 customer_causes: bool = False) -> None:
        self.keep_records = keep_records
        # the counted customers' delay by need, step and kind (simulation.core.causes): the
        # critical-path time of each, in the chain's own order of the sums
        self.causes = np.zeros((len(NEEDS), len(Step), len(Kind)))
        # with customer_causes: each counted customer's (arrival, delay, kinds..., steps...)
        self.customer_causes = customer_causes
        self.cause_rows: list[tuple[float, ...]] = []
        self.position_counts = (np.zeros((positions, len(EDGES) + 1), dtype=np.int64)
                                if positions else None)
        self._edges = EDGES.tolist()
        self.records: list[ServiceRecord] = []
        # with records: (request id, when its finished work was passed on (its gates' release),
        # when it left its position, after any hold)
        self.releases: list[tuple[int, float, float]] = []
        self.services = 0
        self.external_arrived = 0
        self.external_completed = 0
        self.internal_arrived = 0
        self.internal_completed = 0
        self.requests_created = 0
        self.requests_completed = 0
        self.revenue = 0.0
        self.delay_sum = 0.0
        self.quality_sum = 0.0
        self.satisfaction_sum = 0.0
        self.internal_score_sum = 0.0
        self.internal_score_n = 0
        self.quits = 0
        self.hires = 0
        self.defects_delivered = 0  # external requests delivered with a defect (gates on)
        self.complaints = 0  # failure demand: customers back with a defect
        self.histogram = DelayHistogram()
        # (provider position, customer position or EXTERNAL) -> [services, score sum, response sum]
        self.flows: dict[tuple[int, int], list[float]] = {}
        # Little's law for the organization: external requests present and its time integral
        self.present = 0
        self.area = 0.0
        self.last_change = 0.0
        # external requests arriving from then on are not counted (the run-out follows the
        # requests of the measured window to delivery without counting later ones)
        self.window_end = math.inf
        self._reset_day()

    def _reset_day(self) -> None:
        self.day_delays: list[float] = []
        self.day_quality = 0.0
        self.day_satisfaction = 0.0
        self.day_arrivals = 0
        self.day_completed = 0
        self.day_revenue = 0.0
        self.day_quits = 0
        self.day_hires = 0
        self.day_internal_score = 0.0
        self.day_internal_n = 0

    # ------------------------------------------------------------ called by the service chain

    def on_service(self, record: ServiceRecord) -> None:
        """One piece of work finished."""
        self.services += 1
        if self.keep_records:
            self.records.append(record)

    def on_visit(self, node: int, sojourn: float) -> None:
        """A visit to ``node`` ended after ``sojourn`` days there (when histograms are kept)."""
        if self.position_counts is not None:
            self.position_counts[node, bisect.bisect_right(self._edges, sojourn)] += 1

    def on_external_arrival(self, now: float) -> None:
        """An external request entered the organization (counted if within the window)."""
        if now >= self.window_end:
            return
        self.area += self.present * (now - self.last_change)
        self.last_change = now
        self.present += 1
        self.external_arrived += 1
        self.day_arrivals += 1

    def on_external_done(self, now: float, arrival: float, quality: float,
                         satisfaction: float, price: float) -> None:
        """An external request that arrived at ``arrival`` was delivered to its customer.

        It counts (delay, quality, satisfaction, revenue) only if it arrived within the window
        (before :attr:`window_end`).
        """
        if arrival < self.window_end:
            delay = now - arrival
            self.area += self.present * (now - self.last_change)
            self.last_change = now
            self.present -= 1
            self.external_completed += 1
            self.delay_sum += delay
            self.day_delays.append(delay)
            self.quality_sum += quality
            self.satisfaction_sum += satisfaction
            self.revenue += price
        self.day_quality += quality
        self.day_satisfaction += satisfaction
        self.day_completed += 1
        self.day_revenue += price

    def on_flow(self, provider: int, customer: int, score: float, response: float) -> None:
        """A service went from one position to another (``EXTERNAL`` for external customers)."""
        cell = self.flows.get((provider, customer))
        if cell is None:
            self.flows[(provider, customer)] = [1.0, score, response]
        else:
            cell[0] += 1.0
            cell[1] += score
            cell[2] += response

    def flow_table(self) -> list[tuple[int, int, int, float, float]]:
        """``(provider, customer, services, mean score, mean response)`` per pair, sorted."""
        return [(p, c, int(n), s / n, r / n)
                for (p, c), (n, s, r) in sorted(self.flows.items())]

    def on_internal_experience(self, score: float) -> None:
        """An internal customer received a service and judged it."""
        self.internal_score_sum += score
        self.internal_score_n += 1
        self.day_internal_score += score
        self.day_internal_n += 1

    def little(self, now: float) -> tuple[float, float, float]:
        """Organization-level ``(L, lambda, W)`` for external requests up to ``now``."""
        area = self.area + self.present * (now - self.last_change)
        n = self.external_completed
        return (
            area / now if now > 0 else math.nan,
            self.external_arrived / now if now > 0 else math.nan,
            self.delay_sum / n if n else math.nan,
        )

    def close_day(self, histogram: bool = True) -> dict[str, float]:
        """The day's flows; resets the daily accumulators.

        Args:
            histogram: Add the day's delays to the run's histogram (the compiled engine has
                already counted them).
        """
        n = self.day_completed
        delays = self.day_delays
        if histogram:
            self.histogram.add(delays)
        row = {
            "arrivals": float(self.day_arrivals),
            "completions": float(n),
            "mean_delay": sum(delays) / n if n else math.nan,
            "p95_delay": percentile95(delays),
            "mean_quality": self.day_quality / n if n else math.nan,
            "service_satisfaction": self.day_satisfaction / n if n else math.nan,
            "revenue": self.day_revenue,
            "quits": float(self.day_quits),
            "hires": float(self.day_hires),
            "internal_service": (self.day_internal_score / self.day_internal_n
                                 if self.day_internal_n else math.nan),
            "internal_services": float(self.day_internal_n),
            "open_requests": float(self.present),
        }
        self._reset_day()
        return row
