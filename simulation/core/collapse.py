"""When a run has collapsed: the organization stopped keeping up with its customers.

A run *collapses* when, over the last quarter of it (at least :data:`MIN_DAYS` days), the
customer requests open keep growing: a linear trend in their 5-day means is positive and
significant (p < :data:`P_VALUE`), and the growth over that window is at least
:data:`DEFICIT` of the customer requests that arrived in it (work arrives faster than it is
done). A run that shrank its market until demand fits its capacity has not collapsed by this
definition (retention says what it lost); nor has one whose backlog is large but level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

#: The share of the run, at its end, that is judged.
WINDOW = 0.25
#: The fewest days judged (runs shorter than this cannot be judged: NaN).
MIN_DAYS = 40
#: Days per batch of the trend test.
BATCH = 5
#: Significance of the growing trend.
P_VALUE = 0.01
#: Growth of the open requests over the window, as a share of the window's arrivals.
DEFICIT = 0.05


def collapsed(open_requests: Sequence[float], arrivals: Sequence[float]) -> float:
    """1.0 when the run collapsed, 0.0 when not, NaN when too short to tell.

    Args:
        open_requests: Customer requests open at the end of each day.
        arrivals: Customer requests that arrived each day.
    """
    x = np.asarray(open_requests, dtype=float)
    a = np.asarray(arrivals, dtype=float)
    days = max(int(len(x) * WINDOW), MIN_DAYS)
    if len(x) < days or len(a) != len(x):
        return math.nan
    k = days // BATCH
    y = x[len(x) - k * BATCH:].reshape(k, BATCH).mean(axis=1)
    if np.ptp(y) == 0:
        return 0.0
    fit = stats.linregress(np.arange(k), y)
    growth = x[-1] - x[len(x) - days - 1] if len(x) > days else x[-1]
    arrived = float(a[len(a) - days:].sum())
    return float(fit.slope > 0 and fit.pvalue < P_VALUE and arrived > 0
                 and growth >= DEFICIT * arrived)
