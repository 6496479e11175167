"""The day's row and Mesa's ``DataCollector`` that keeps one row per day."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import mesa
import numpy as np

#: The columns of the day's row (then one utilisation column per hierarchy level).
DAILY_SERIES = (
    "active_customers", "lost_customers", "new_customers", "arrivals", "completions",
    "mean_delay", "p95_delay", "mean_quality", "customer_satisfaction", "service_satisfaction",
    "revenue", "mean_morale", "quits", "hires", "vacancies", "backlog", "internal_service",
    "internal_services", "open_requests",
)


def mean_of(values: np.ndarray) -> float:
    """``numpy.mean`` of a 1-D float array (its sum over its size), NaN when empty; cheaper."""
    return float(values.sum()) / values.size if values.size else math.nan


class DailyCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one reporter per column of the model's day row.

    The day's row holds floats only, so each value is appended as is, without the deep copy
    Mesa makes of every reporter's value (most of the collection's cost). Reporters a user adds
    are collected by Mesa's own ``collect``, as usual.
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__(model_reporters={key: partial(_today, key) for key in names})
        self._own = list(names)

    def collect(self, model: Any) -> None:
        """Append the model's day row (``model.today``) to the model variables."""
        if (list(self.model_reporters) != self._own or self.agent_reporters
                or self.agenttype_reporters):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        today = model.today
        for var, values in self.model_vars.items():
            values.append(today[var])


class TimeAverages:
    """Means over the days run of some columns of the day's row (days without a value skipped).

    Args:
        keys: The columns averaged.
    """

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.sums = dict.fromkeys(keys, 0.0)
        self.days = dict.fromkeys(keys, 0)

    def add(self, today: dict[str, float]) -> None:
        """Count one day's row."""
        for key in self.sums:
            value = today.get(key, math.nan)
            if not math.isnan(value):
                self.sums[key] += value
                self.days[key] += 1

    def mean(self, key: str) -> float:
        """The mean over the days with a value (NaN when none)."""
        n = self.days[key]
        return self.sums[key] / n if n else math.nan


def _today(key: str, model: Any) -> float:
    """Model reporter reading one column of the day's row (picklable through ``partial``)."""
    return model.today.get(key, math.nan)
