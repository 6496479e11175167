"""Working calendars: which weekdays and hours an organization (or a position) works.

The model's clock counts working days (one step is one working day), so a log's wall-clock times
are put on a working-time clock before anything is measured: time outside the calendar does not
count, as a ticket that waits over a weekend has waited no working time. The inverse puts a run's
working time back on the wall clock, to write its log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_DAY_NS = 86_400 * 10**9
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Share of the busiest weekday's events a weekday needs to count as a working day (assumption).
DAY_SHARE = 0.5
#: Share of the busiest hour's events an hour needs to count as working time (assumption).
HOUR_SHARE = 0.25


@dataclass(frozen=True)
class Calendar:
    """Working weekdays (0 = Monday) and one working span per day, ``[start, end)`` in hours."""

    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: float = 9.0
    end: float = 17.0

    def __post_init__(self) -> None:
        if not self.weekdays or any(d not in range(7) for d in self.weekdays) or len(
                set(self.weekdays)) != len(self.weekdays):
            raise ValueError(f"weekdays = {self.weekdays!r} is not allowed: distinct days "
                             "0 (Monday) to 6, at least one")
        if not 0.0 <= self.start < self.end <= 24.0:
            raise ValueError(f"hours {self.start:g} to {self.end:g} are not allowed: "
                             "0 <= start < end <= 24")
        object.__setattr__(self, "weekdays", tuple(sorted(self.weekdays)))

    @property
    def hours(self) -> float:
        """Length of a working day in hours."""
        return self.end - self.start

    def describe(self) -> str:
        """E.g. ``Mon-Fri 08:00-19:00``."""
        days = ", ".join(_WEEKDAY_NAMES[d] for d in self.weekdays)
        if len(self.weekdays) > 1 and self.weekdays == tuple(
                range(self.weekdays[0], self.weekdays[-1] + 1)):
            days = f"{_WEEKDAY_NAMES[self.weekdays[0]]}-{_WEEKDAY_NAMES[self.weekdays[-1]]}"
        return f"{days} {_clock(self.start)}-{_clock(self.end)}"

    def working_days(self, times: pd.Series | np.ndarray) -> np.ndarray:
        """Working days elapsed from 1970-01-05 (a Monday) to each time (monotone).

        A time outside the calendar counts as the end of the working time before it.
        """
        ns = np.asarray(pd.to_datetime(times).astype("datetime64[ns]").astype(np.int64))
        day, within = np.divmod(ns, _DAY_NS)
        shifted = day - 4  # 1970-01-05 is day 4 and a Monday
        week, weekday = np.divmod(shifted, 7)
        works = np.zeros(7, dtype=bool)
        works[list(self.weekdays)] = True
        before = np.concatenate([[0], np.cumsum(works)])  # working days before each weekday
        hour = within / 3.6e12
        fraction = np.clip((hour - self.start) / self.hours, 0.0, 1.0) * works[weekday]
        return week * len(self.weekdays) + before[weekday] + fraction

    def wall_clock(self, working: np.ndarray) -> pd.DatetimeIndex:
        """The wall-clock times of working-day counts (the inverse of ``working_days``)."""
        working = np.asarray(working, dtype=float)
        n = len(self.weekdays)
        week = np.floor(working / n)
        rest = working - week * n
        k = np.minimum(np.floor(rest), n - 1).astype(np.int64)
        fraction = rest - k
        weekday = np.asarray(self.weekdays)[k]
        day = week.astype(np.int64) * 7 + weekday + 4
        ns = day * _DAY_NS + np.round((self.start + fraction * self.hours) * 3.6e12).astype(
            np.int64)
        return pd.DatetimeIndex(ns.astype("datetime64[ns]"))


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def discover_calendar(times: pd.Series, day_share: float = DAY_SHARE,
                      hour_share: float = HOUR_SHARE) -> Calendar:
    """The calendar the timestamps show: busy weekdays, and the span of busy hours on them.

    A weekday works when it has at least ``day_share`` of the busiest weekday's events; an hour
    when, on working weekdays, it has at least ``hour_share`` of the busiest hour's; the working
    span runs from the first such hour to the end of the last.
    """
    stamps = pd.to_datetime(pd.Series(times))
    weekday = stamps.dt.day_of_week.to_numpy()
    per_day = np.bincount(weekday, minlength=7)
    days = tuple(int(d) for d in np.flatnonzero(per_day >= day_share * per_day.max()))
    on = np.isin(weekday, days)
    per_hour = np.bincount(stamps.dt.hour.to_numpy()[on], minlength=24)
    hours = np.flatnonzero(per_hour >= hour_share * per_hour.max())
    return Calendar(days, float(hours.min()), float(hours.max() + 1))
