"""What each KPI means: label, unit, display scale and which direction is better."""

from __future__ import annotations

import math
from dataclasses import dataclass

SHARE = (0.0, 1.0)
POSITIVE = (0.0, math.inf)


@dataclass(frozen=True)
class KPI:
    """A result measure and how to show it.

    Attributes:
        key: Column name in the result tables.
        label: Words for readers.
        unit: Unit after scaling (``%``, ``days``, ``0-1``...), or empty.
        scale: Display multiplier (100 for shares shown in %).
        higher_is_better: Direction of improvement (None when neither).
        bounds: The range the quantity lies in (a share in [0, 1], a delay at least 0); an
            interval for it must lie there too.
        proportion: Each run gives 0 or 1 (an event), so its mean over runs is a proportion
            with a Wilson interval.
    """

    key: str
    label: str
    unit: str = ""
    scale: float = 1.0
    higher_is_better: bool | None = True
    bounds: tuple[float, float] = (-math.inf, math.inf)
    proportion: bool = False

    @property
    def title(self) -> str:
        """Label with its unit, for axes and table rows."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def shown(self, value: float) -> float:
        """``value`` in the unit of :attr:`title` (a share of 0.89 shown as 89 for %)."""
        return value * self.scale


KPIS: dict[str, KPI] = {k.key: k for k in (
    KPI("retention", "customer retention", "%", 100.0, True, SHARE),
    KPI("mean_delay", "mean delay to customers", "days", 1.0, False, POSITIVE),
    KPI("p95_delay", "95th percentile delay", "days", 1.0, False, POSITIVE),
    KPI("mean_delay_completed", "mean delay of requests delivered by the end", "days", 1.0,
        False, POSITIVE),
    KPI("p95_delay_completed", "95th percentile delay of requests delivered by the end",
        "days", 1.0, False, POSITIVE),
    KPI("delay_open", "requests still open, counted at their age", "requests", 1.0, None,
        POSITIVE),
    KPI("mean_quality", "delivered quality", "0-1", 1.0, True, SHARE),
    KPI("customer_satisfaction", "customer satisfaction", "0-1", 1.0, True, SHARE),
    KPI("customer_satisfaction_end", "satisfaction of the customers still there at the end",
        "0-1", 1.0, True, SHARE),
    KPI("customer_satisfaction_daily", "satisfaction of the customers there, averaged over "
        "days", "0-1", 1.0, True, SHARE),
    KPI("service_satisfaction", "satisfaction with each service", "0-1", 1.0, True, SHARE),
    KPI("internal_service", "internal service satisfaction", "0-1", 1.0, True, SHARE),
    KPI("mean_morale", "employee morale", "0-1", 1.0, True, SHARE),
    KPI("mean_morale_end", "morale of the staff at the end", "0-1", 1.0, True, SHARE),
    KPI("turnover_per_month", "employee quits per month", "%", 100.0, False, SHARE),
    KPI("quits", "employee quits", "people", 1.0, False, POSITIVE),
    KPI("revenue", "revenue", "currency units", 1.0, True, POSITIVE),
    KPI("active_customers", "active customers", "customers", 1.0, True, POSITIVE),
    KPI("backlog", "work in progress", "requests", 1.0, False, POSITIVE),
    KPI("utilisation", "utilisation", "%", 100.0, None, SHARE),
    KPI("morale", "morale", "0-1", 1.0, True, SHARE),
    KPI("blamed_delay", "delay attributed", "days per run", 1.0, False, POSITIVE),
    KPI("blamed_quality", "quality lost attributed", "per run", 1.0, False, POSITIVE),
    KPI("defect_rate", "defects delivered", "%", 100.0, False, SHARE),
    KPI("collapsed", "collapse risk (runs still losing ground at the end)", "%", 100.0, False,
        SHARE, proportion=True),
    KPI("failure_demand", "complaints (failure demand)", "%", 100.0, False, SHARE),
    # why customers waited (simulation.core.causes): days per request delivered
    KPI("cause_work", "delay: work on the request", "days", 1.0, False, POSITIVE),
    KPI("cause_contention", "delay: queueing behind work there first", "days", 1.0, False,
        POSITIVE),
    KPI("cause_prioritisation", "delay: queueing while later work went first", "days", 1.0,
        False, POSITIVE),
    KPI("cause_unavailable", "delay: post vacant or its holder gone", "days", 1.0, False,
        POSITIVE),
    KPI("cause_hold", "delay: waiting on others outside the chain", "days", 1.0, False,
        POSITIVE),
    KPI("cause_handoff", "delay: hand-offs between departments", "days", 1.0, False, POSITIVE),
    KPI("via_service", "delay in the customer's own service", "days", 1.0, False, POSITIVE),
    KPI("via_inputs", "delay waiting for inputs", "days", 1.0, False, POSITIVE),
    KPI("via_review", "delay in reviews and checks", "days", 1.0, False, POSITIVE),
    KPI("via_rework", "delay in rework", "days", 1.0, False, POSITIVE),
    KPI("via_escalation", "delay in approvals and escalations", "days", 1.0, False, POSITIVE),
    KPI("cause_open", "delay: still open at the end, at its age", "days", 1.0, False,
        POSITIVE),
    KPI("via_open", "delay: still open at the end, at its age", "days", 1.0, False, POSITIVE),
)}


def kpi(key: str) -> KPI:
    """The KPI of a column, or a plain one named after it."""
    return KPIS.get(key) or KPI(key, key.replace("_", " "), higher_is_better=None)
