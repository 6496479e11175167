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


def vacancy_queue(lam: float, mu: float, quit_per_day: float, hiring_mean: float,
                  n_max: int = 300) -> tuple[float, float]:
    """Mean sojourn and utilisation of an M/M/1 queue whose server leaves and is replaced.

    The model's vacancies: at the end of each working day the server quits with probability
    ``quit_per_day``; the post then stays empty for ``ceil(D)`` whole days, ``D`` exponential
    with mean ``hiring_mean`` (a geometric number of days), while work keeps arriving and
    waits; the new hire takes over the backlog, and work in progress when the server left
    starts again (memoryless, so the queue length is a Markov chain within each day). The
    queue length at day boundaries is then a Markov chain over (in post or vacant, length);
    its stationary law, carried through a day by ``expm`` and averaged over the day, gives the
    time-average length and, by Little's law, the mean sojourn: numerically exact up to the
    truncation at ``n_max`` (the tail mass is checked below 1e-9). Markov-modulated service
    in the sense of Neuts (1981), solved directly.

    Raises:
        ValueError: the truncation holds too much probability (raise ``n_max``).
    """
    from scipy.linalg import expm

    if hiring_mean <= 0.0:  # hired at the same day's end: never a vacant day
        quit_per_day, stay_vacant = 0.0, 0.0
    else:
        stay_vacant = math.exp(-1.0 / hiring_mean)  # P(D > k + 1 | D > k)
    n = n_max + 1
    generators = []
    for serving in (True, False):
        q = np.zeros((n, n))
        q[np.arange(n - 1), np.arange(1, n)] = lam
        if serving:
            q[np.arange(1, n), np.arange(n - 1)] = mu
        q[np.diag_indices(n)] = -q.sum(axis=1)
        generators.append(q)
    day, integral = [], []
    for q in generators:
        big = np.zeros((2 * n, 2 * n))
        big[:n, :n] = q
        big[:n, n:] = np.eye(n)
        e = expm(big)
        day.append(e[:n, :n])
        integral.append(e[:n, n:])  # the integral of expm(q t) over the day
    env = np.array([[1.0 - quit_per_day, quit_per_day], [1.0 - stay_vacant, stay_vacant]])
    chain = np.block([[day[e] * env[e, f] for f in range(2)] for e in range(2)])
    a = chain.T - np.eye(2 * n)
    a[-1, :] = 1.0
    rhs = np.zeros(2 * n)
    rhs[-1] = 1.0
    pi = np.linalg.solve(a, rhs)
    if pi[n - 1] + pi[2 * n - 1] > 1e-9:
        raise ValueError(f"vacancy_queue: n_max = {n_max} truncates the queue; raise it")
    k = np.arange(n)
    length = float(sum(pi[e * n:(e + 1) * n] @ integral[e] @ k for e in range(2)))
    busy = float(pi[:n] @ integral[0] @ (k > 0))
    return length / lam, busy


#: Two peers covering each other's vacancies (``tools/covering_reference.py``): work at 20 a day
#: per post, 40 a day per server, quits 4.5% a day, vacancies ceil(Exp(0.2)) days: mean sojourn
#: (days), 95% low, 95% high; 40 x 40,000 days, seed 2026. Without cover the same server
#: averages 0.0990 (``vacancy_queue``); with nobody leaving 0.05.
COVERING_REFERENCE: tuple[float, float, float] = (0.06476, 0.06462, 0.06490)
