"""What each KPI means: label, unit, display scale and which direction is better."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KPI:
    """A result measure and how to show it.

    Attributes:
        key: Column name in the result tables.
        label: Words for readers.
        unit: Unit after scaling (``%``, ``days``, ``0-1``...), or empty.
        scale: Display multiplier (100 for shares shown in %).
        higher_is_better: Direction of improvement (None when neither).
    """

    key: str
    label: str
    unit: str = ""
    scale: float = 1.0
    higher_is_better: bool | None = True

    @property
    def title(self) -> str:
        """Label with its unit, for axes and table rows."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


KPIS: dict[str, KPI] = {k.key: k for k in (
    KPI("retention", "customer retention", "%", 100.0, True),
    KPI("mean_delay", "mean delay to customers", "days", 1.0, False),
    KPI("p95_delay", "95th percentile delay", "days", 1.0, False),
    KPI("mean_quality", "delivered quality", "0-1", 1.0, True),
    KPI("customer_satisfaction", "customer satisfaction", "0-1", 1.0, True),
    KPI("service_satisfaction", "satisfaction with each service", "0-1", 1.0, True),
    KPI("internal_service", "internal service satisfaction", "0-1", 1.0, True),
    KPI("mean_morale", "employee morale", "0-1", 1.0, True),
    KPI("turnover_per_month", "employee quits per month", "%", 100.0, False),
    KPI("quits", "employee quits", "people", 1.0, False),
    KPI("revenue", "revenue", "currency units", 1.0, True),
    KPI("active_customers", "active customers", "customers", 1.0, True),
    KPI("backlog", "work in progress", "requests", 1.0, False),
    KPI("utilisation", "utilisation", "%", 100.0, None),
    KPI("morale", "morale", "0-1", 1.0, True),
    KPI("blamed_delay", "delay attributed", "days per run", 1.0, False),
    KPI("blamed_quality", "quality lost attributed", "per run", 1.0, False),
)}


def kpi(key: str) -> KPI:
    """The KPI of a column, or a plain one named after it."""
    return KPIS.get(key) or KPI(key, key.replace("_", " "), higher_is_better=None)
