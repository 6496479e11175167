"""Exact queueing results the checks compare the model with (no simulation here).

Each function is a closed form from the cited source; the fork-join references for K > 2, which
have no closed form, are recorded from ``tools/fork_join_reference.py`` with their intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import optimize

#: Mean fork-join sojourn of K parallel M/M/1 servers (rate 1) fed by one Poisson stream, by the
#: Lindley recursion: 20 replications x 4,000,000 arrivals each (``python
#: tools/fork_join_reference.py``, seed 2026): (mean, 95% low, 95% high). The same run gives
#: 2.8746 [2.8731, 2.8761] and 6.9955 [6.9846, 7.0065] for K = 2, where the exact values are
#: 2.875 and 7 (Flatto & Hahn 1984). Nelson & Tantawi's approximation gives 3.79 and 8.93.
FORK_JOIN_REFERENCE: dict[tuple[int, float], tuple[float, float, float]] = {
    (4, 0.5): (3.8416, 3.8397, 3.8435),
    (4, 0.8): (9.1487, 9.1314, 9.1660),
}


#: A fork to a random subset: 3 servers (rate 1), requests at rate 1, each needing each server
#: with probability 0.5 (load 0.5 apiece); the join waits for the servers it needs, none: no
#: wait. Lindley recursion, 20 x 4,000,000 arrivals, seed 2026 (``tools/fork_join_reference.py``).
FORK_JOIN_SUBSET_REFERENCE: tuple[float, float, float] = (2.2958, 2.2947, 2.2970)


def fork_join_2(rho: float, mu: float = 1.0) -> float:
    """Mean sojourn of a two-branch fork-join of M/M/1 servers (Flatto & Hahn 1984, exact)."""
    return (12.0 - rho) / 8.0 / (mu - rho * mu)


def fork_join(k: int, rho: float) -> float | tuple[float, float, float]:
    """Exact (K = 2) or the recorded reference ``(mean, low, high)`` (K = 4), service rate 1."""
    if k == 2:
        return fork_join_2(rho)
    if (k, rho) not in FORK_JOIN_REFERENCE:
        raise ValueError(f"no fork-join reference for K = {k}, rho = {rho}: run "
                         "tools/fork_join_reference.py and record it")
    return FORK_JOIN_REFERENCE[k, rho]


def hypoexponential_cdf(t: float, rates: Sequence[float]) -> float:
    """P(sum of independent exponentials with distinct ``rates`` <= t)."""
    r = np.asarray(rates, dtype=float)
    if len(set(r.tolist())) != len(r):
        raise ValueError("rates must be distinct")
    total = 0.0
    for i, ri in enumerate(r):
        others = np.delete(r, i)
        total += float(np.prod(others / (others - ri))) * math.exp(-ri * t)
    return 1.0 - total


def sojourn_quantile(q: float, rates: Sequence[float]) -> float:
    """The ``q``-quantile of the sojourn through M/M/1 stations in series.

    The sojourns at the stations of a tandem of first-come-first-served M/M/1 queues are
    independent exponentials with rates ``mu_i - lambda`` (Reich 1957; Burke 1956), so the
    total is hypoexponential; one station is exponential.
    """
    if len(rates) == 1:
        return -math.log1p(-q) / rates[0]
    hi = -math.log1p(-q) * sum(1.0 / r for r in rates) * 4 + 1.0
    return float(optimize.brentq(lambda t: hypoexponential_cdf(t, rates) - q, 0.0, hi,
                                 xtol=1e-12))


def pollaczek_khinchine(lam: float, mean: float, cv2: float) -> float:
    """Mean sojourn of an M/G/1 queue: ``E[S] + lam E[S^2] / (2 (1 - rho))``."""
    rho = lam * mean
    if rho >= 1:
        raise ValueError("unstable: rho >= 1")
    return mean + lam * (1.0 + cv2) * mean**2 / (2.0 * (1.0 - rho))


def cobham(lams: Sequence[float], means: Sequence[float], cv2s: Sequence[float]) -> list[float]:
    """Mean sojourn per class of a non-preemptive priority M/G/1 queue (Cobham 1954).

    Classes in priority order (first served first). ``W_k = W_0 / ((1 - s_{k-1}) (1 - s_k)) +
    E[S_k]`` with ``W_0 = sum lam_i E[S_i^2] / 2`` and ``s_k`` the load of classes 1..k.
    """
    w0 = sum(lam * (1.0 + c) * m**2 / 2.0 for lam, m, c in zip(lams, means, cv2s, strict=True))
    out, before = [], 0.0
    for lam, m in zip(lams, means, strict=True):
        after = before + lam * m
        if after >= 1:
            raise ValueError("unstable: total load >= 1")
        out.append(w0 / ((1.0 - before) * (1.0 - after)) + m)
        before = after
    return out
