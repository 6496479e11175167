"""Bounds before work: what a scenario will ask of the machine, estimated before anything is built.

A scenario whose organization, market or run length is beyond what the model can hold is refused
here, with the estimate, instead of exhausting memory or hanging part-way through. Two kinds of
limit apply:

* **Hard limits**, the same on every machine: at most :data:`MAX_POSITIONS` positions,
  :data:`MAX_CUSTOMERS` customers and :data:`MAX_DAYS` days a run, and :data:`MAX_RUNS` runs an
  experiment.
* **The machine's means**: the estimated peak memory of one run, times the runs held at once (the
  workers), must fit in :data:`MEMORY_SHARE` of the machine's physical memory.

The memory model is linear, with coefficients measured with ``tracemalloc`` on the compiled engine
(docs/design.md, "Bounds before work"): about 8 KB per position, 0.6 KB per customer, 0.7 KB per
request in the system, 1.1 KB per simulated day and 0.3 KB per external request when every service
record is kept. The coefficients below round those up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

#: Most positions an organization may have (a 100,000-person company fits ten times over).
MAX_POSITIONS = 1_000_000
#: Most customers a market may reach (initial customers times ``market``).
MAX_CUSTOMERS = 50_000_000
#: Longest run, in working days (400 working years).
MAX_DAYS = 100_000
#: Most runs one experiment may ask for (all scenarios or design points together).
MAX_RUNS = 1_000_000
#: Share of physical memory the runs held at once may use.
MEMORY_SHARE = 0.8

POSITION_BYTES = 10_000
CUSTOMER_BYTES = 1_000
REQUEST_BYTES = 1_000
#: Days of arrivals assumed in the system at once when the organization keeps up (it clears its
#: requests in a day or two); requests beyond the customer-facing capacity are added day by day.
IN_FLIGHT_DAYS = 5
#: Days over which requests beyond capacity are assumed to pile up: customers who wait that
#: long have left (patience of days, churn within months), so an overloaded run's backlog stops
#: growing (measured: a four-times-overloaded HR run of 2,500 days peaked 68 MB above its start).
PILING_DAYS = 60
DAY_BYTES = 2_000
RECORD_BYTES = 600
#: The interpreter, numpy, numba and the model's code, per worker process.
PROCESS_BYTES = 300_000_000


class TooLargeError(ValueError):
    """A scenario beyond the hard limits or the machine's means; the message gives the estimate."""


@dataclass(frozen=True)
class Footprint:
    """How big an organization is, known without building it.

    Attributes:
        positions: Positions.
        customer_facing: Positions that serve external customers.
        capacity: Tasks a day the customer-facing positions complete together (None: unknown).
            Requests beyond it pile up, and the estimate counts them.
    """

    positions: int
    customer_facing: int
    capacity: float | None = None


@dataclass(frozen=True)
class Estimate:
    """What one run of a scenario asks for.

    Attributes:
        positions: Positions in the organization.
        customers: Most customers a run may reach (its initial ones doubled, plus marketing).
        requests_per_day: External requests a day with that many customers.
        days: Run length in days.
        memory: Estimated peak memory of one run, in bytes (the process itself excluded).
    """

    positions: int
    customers: int
    requests_per_day: float
    days: int
    memory: float

    def describe(self) -> str:
        """One line for messages: positions, customers, requests and memory."""
        days = f"{self.days:,} day" + ("s" if self.days != 1 else "")
        return (f"{self.positions:,} positions, up to {self.customers:,} customers, "
                f"{self.requests_per_day:,.0f} external requests a day, {days}: "
                f"about {_size(self.memory)} per run")


def _size(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1e3:,.0f} KB"


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def estimate(scenario: Any, days: int | None = None,
             footprint: Footprint | None = None) -> Estimate | None:
    """Estimate one run of ``scenario`` over ``days`` (default: the scenario's).

    Args:
        scenario: The scenario.
        days: Run length; None for the scenario's ``days``.
        footprint: The organization's size when already known (a built graph); otherwise the
            design's :meth:`~simulation.config.designs.OrgDesign.footprint`.

    Returns:
        The estimate, or None for a design that cannot say its size before it is built.
    """
    footprint = footprint or scenario.design.footprint()
    if footprint is None:
        return None
    days = scenario.days if days is None else int(days)
    c = scenario.customers
    start = float(c.count if c.count is not None else c.per_position * footprint.customer_facing)
    # the market is a ceiling approached slowly: assume word of mouth at most doubles the
    # customers a run starts with, and marketing adds its daily acquisitions
    grown = 2.0 * start + days * c.acquisition_per_day
    ceiling = start * c.market
    reach = int(min(ceiling if ceiling <= grown else grown, 1e18))
    per_day = reach * c.request_rate * (1.0 + c.failure_demand)
    piling = max(0.0, per_day - footprint.capacity) if footprint.capacity is not None else 0.0
    in_flight = per_day * min(days, IN_FLIGHT_DAYS) + piling * min(days, PILING_DAYS)
    memory = (footprint.positions * POSITION_BYTES + reach * CUSTOMER_BYTES
              + in_flight * REQUEST_BYTES + days * DAY_BYTES)
    if scenario.keep_records:
        memory += per_day * days * RECORD_BYTES
    return Estimate(footprint.positions, reach, per_day, days, memory)


def check(scenario: Any, days: int | None = None, workers: int = 1,
          footprint: Footprint | None = None) -> Estimate | None:
    """Refuse a scenario beyond the hard limits or the machine's means.

    Args:
        scenario: The scenario.
        days: Run length; None for the scenario's ``days``.
        workers: Runs held in memory at once.
        footprint: The organization's size when already known.

    Returns:
        The estimate (None when the design cannot say its size before it is built).

    Raises:
        TooLargeError: With the estimate and the limit it breaks.
    """
    days = scenario.days if days is None else days
    if days > MAX_DAYS:
        raise TooLargeError(f"days = {count(days)} is beyond the longest run the model holds "
                            f"({MAX_DAYS:,} working days)")
    est = estimate(scenario, days, footprint)
    if est is None:
        return None
    where = f"scenario {scenario.name!r}"
    if est.positions > MAX_POSITIONS:
        raise TooLargeError(f"{where}: {est.positions:,} positions is more than the model holds "
                            f"(at most {MAX_POSITIONS:,}); check levels and span, or team sizes")
    if est.customers > MAX_CUSTOMERS:
        raise TooLargeError(f"{where}: up to {est.customers:,} customers is more than the model "
                            f"holds (at most {MAX_CUSTOMERS:,}); check customers.count, "
                            "per_position and market")
    total = physical_memory()
    if total is not None:
        need = workers * (est.memory + PROCESS_BYTES)
        if need > MEMORY_SHARE * total:
            fewer = (" with fewer workers, or" if workers > 1 else "")
            raise TooLargeError(
                f"{where} would need about {_size(need)} of memory ({est.describe()}"
                f"{f', {workers} runs at once' if workers > 1 else ''}); this machine has "
                f"{_size(total)}. Run it{fewer} with fewer customers, a lower request_rate, "
                "fewer days or a smaller organization")
    return est


def check_runs(runs: int, what: str = "runs") -> None:
    """Refuse an experiment of more than :data:`MAX_RUNS` runs (or design points).

    Args:
        runs: How many.
        what: How the user asked for them, for the message (``runs = 2,000``, or
            ``1,000 replications x 2 scenarios = 2,000 runs``).
    """
    if runs > MAX_RUNS:
        raise TooLargeError(f"{what} is more than one experiment holds (at most {MAX_RUNS:,}); "
                            "split it into several")


def count(n: float) -> str:
    """A count with thousands separators, or in exponent form when astronomical."""
    return f"{n:,.0f}" if abs(n) < 1e15 else f"{n:.3g}"

