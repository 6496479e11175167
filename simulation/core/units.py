"""Units of time: one model time unit is one working day."""

from __future__ import annotations

#: Working days in a month: converts monthly rates (quits, churn) to daily ones.
DAYS_PER_MONTH = 21.0
