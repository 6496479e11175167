"""A compiled event loop for fork-join queueing networks: the B1 numba reference.

Arrivals are Poisson at ``lam``, each to a home position drawn from ``home_cdf``; a request forks
to the providers of its position (CSR arrays ``dep_ptr``/``dep_to``/``dep_p``, each needed with
its probability), recursively, and joins its position's FIFO queue when every input is back; one
exponential server per position. Requests live in a pool of integer-indexed arrays, the event
heap is three arrays, and a ``numpy.random.Generator`` is passed in (numba supports it), so runs
stay seeded and per-model. It is the blueprint of the compiled hot path planned in
docs/design.md section 14, and a reference in ``benchmarks/run.py`` (B1).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _push(h_t, h_s, h_r, size, t, s, r):
    """Push (time, sequence, request) on the array heap; returns the new size."""
    j = size
    while j > 0:
        p = (j - 1) // 2
        if h_t[p] > t or (h_t[p] == t and h_s[p] > s):
            h_t[j] = h_t[p]
            h_s[j] = h_s[p]
            h_r[j] = h_r[p]
            j = p
        else:
            break
    h_t[j] = t
    h_s[j] = s
    h_r[j] = r
    return size + 1


@njit(cache=True)
def _pop(h_t, h_s, h_r, size):
    """Remove the heap's top (read it before calling); returns the new size."""
    size -= 1
    t, s, r = h_t[size], h_s[size], h_r[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and (h_t[c + 1] < h_t[c]
                             or (h_t[c + 1] == h_t[c] and h_s[c + 1] < h_s[c])):
            c += 1
        if h_t[c] < t or (h_t[c] == t and h_s[c] < s):
            h_t[i] = h_t[c]
            h_s[i] = h_s[c]
            h_r[i] = h_r[c]
            i = c
        else:
            break
    h_t[i] = t
    h_s[i] = s
    h_r[i] = r
    return size


@njit(cache=True)
def run(gen, horizon, lam, home_cdf, rate, dep_ptr, dep_to, dep_p, capacity):
    """Simulate until ``horizon``; returns (customers completed, their mean sojourn)."""
    n = rate.shape[0]
    node = np.empty(capacity, np.int64)
    parent = np.empty(capacity, np.int64)
    pending = np.zeros(capacity, np.int64)
    born = np.empty(capacity)
    after = np.full(capacity, -1, np.int64)  # next request in the same FIFO queue
    free = np.arange(capacity - 1, -1, -1).astype(np.int64)
    n_free = capacity
    head = np.full(n, -1, np.int64)
    tail = np.full(n, -1, np.int64)
    busy = np.zeros(n, np.bool_)
    h_t = np.empty(capacity)
    h_s = np.empty(capacity, np.int64)
    h_r = np.empty(capacity, np.int64)
    size = 0
    seq = 0
    stack = np.empty(capacity, np.int64)
    next_arrival = gen.exponential(1.0 / lam)
    done = 0
    total = 0.0
    while True:
        if size > 0 and h_t[0] <= next_arrival:
            now = h_t[0]
            req = h_r[0]
            size = _pop(h_t, h_s, h_r, size)
            if now > horizon:
                break
            at = node[req]
            waiting = head[at]
            if waiting >= 0:  # the server takes the next in its queue
                head[at] = after[waiting]
                if head[at] < 0:
                    tail[at] = -1
                seq += 1
                size = _push(h_t, h_s, h_r, size, now + gen.exponential(1.0 / rate[at]), seq,
                             waiting)
            else:
                busy[at] = False
            up = parent[req]
            if up < 0:
                done += 1
                total += now - born[req]
            else:
                pending[up] -= 1
                if pending[up] == 0:  # the last input is back: the parent joins its queue
                    # written out twice on purpose (here and for requests with no inputs):
                    # a shared njit helper, even inlined, measured 3.7M against 4.9M
                    # customers a second on W1
                    at = node[up]
                    if busy[at]:
                        after[up] = -1
                        if tail[at] >= 0:
                            after[tail[at]] = up
                        else:
                            head[at] = up
                        tail[at] = up
                    else:
                        busy[at] = True
                        seq += 1
                        size = _push(h_t, h_s, h_r, size,
                                     now + gen.exponential(1.0 / rate[at]), seq, up)
            n_free += 1
            free[n_free - 1] = req
        else:
            now = next_arrival
            if now > horizon:
                break
            next_arrival = now + gen.exponential(1.0 / lam)
            u = gen.random()
            home = 0
            while home_cdf[home] < u:
                home += 1
            n_free -= 1
            root = free[n_free]
            node[root] = home
            parent[root] = -1
            born[root] = now
            top = 1
            stack[0] = root
            while top > 0:  # fork depth first; a request with no inputs joins its queue
                top -= 1
                req = stack[top]
                at = node[req]
                k = 0
                for e in range(dep_ptr[at], dep_ptr[at + 1]):
                    if dep_p[e] >= 1.0 or gen.random() < dep_p[e]:
                        n_free -= 1
                        child = free[n_free]
                        node[child] = dep_to[e]
                        parent[child] = req
                        born[child] = now
                        stack[top] = child
                        top += 1
                        k += 1
                pending[req] = k
                if k == 0:
                    if busy[at]:
                        after[req] = -1
                        if tail[at] >= 0:
                            after[tail[at]] = req
                        else:
                            head[at] = req
                        tail[at] = req
                    else:
                        busy[at] = True
                        seq += 1
                        size = _push(h_t, h_s, h_r, size,
                                     now + gen.exponential(1.0 / rate[at]), seq, req)
    return done, total / max(done, 1)


def network(rates: list[float], deps: dict[int, list[tuple[int, float]]]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rates and CSR dependency arrays from ``{position: [(provider, probability), ...]}``."""
    n = len(rates)
    ptr = np.zeros(n + 1, np.int64)
    to: list[int] = []
    pr: list[float] = []
    for u in range(n):
        for v, p in deps.get(u, []):
            to.append(v)
            pr.append(p)
        ptr[u + 1] = len(to)
    return np.array(rates, float), ptr, np.array(to, np.int64), np.array(pr, float)


def simulate(seed: int, horizon: float, lam: float, rates: list[float],
             deps: dict[int, list[tuple[int, float]]], capacity: int = 1 << 20
             ) -> tuple[int, float]:
    """Customers completed by ``horizon`` (position 0 faces them) and their mean sojourn."""
    rate, ptr, to, pr = network(rates, deps)
    home_cdf = np.ones(len(rates))
    return run(np.random.default_rng(seed), horizon, lam, home_cdf, rate, ptr, to, pr, capacity)
