"""Reference values of the fork-join sojourn, K parallel M/M/1 queues, by the Lindley recursion.

No closed form exists for K > 2 (Nelson & Tantawi 1988 is an approximation, off by 2.6% at
K = 4, rho = 0.8). This computes the mean sojourn (the maximum over the K branches of waiting
plus service) of a common Poisson stream split to K exponential servers, directly from the
recursion ``W[n+1] = max(0, W[n] + S[n] - A[n])`` per branch, over independent seeded
replications, with a t interval; also a fork to a random subset of the branches (each needed
with probability p, the model's probabilistic inputs). K = 2 is printed beside the exact value
(Flatto & Hahn 1984, ``(12 - rho) / 8 / (mu - lambda)``) as the method's own check.

    python tools/fork_join_reference.py     # the values recorded in simulation.checks.oracles
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit
from scipy import stats


@njit(cache=False)
def _chunk(w: np.ndarray, services: np.ndarray, needed: np.ndarray, gaps: np.ndarray,
           skip: int) -> float:
    """Advance the K branches' waits over a chunk of arrivals; sojourns summed after ``skip``.

    ``needed[n, b]`` says whether arrival ``n`` forks to branch ``b``; an arrival that needs no
    branch has sojourn 0 (the model's dispatcher does no work).
    """
    total = 0.0
    for n in range(len(gaps)):
        worst = 0.0
        for b in range(len(w)):
            if needed[n, b]:
                t = w[b] + services[n, b]
                worst = max(worst, t)
                w[b] = t
        if n >= skip:
            total += worst
        for b in range(len(w)):
            w[b] = max(0.0, w[b] - gaps[n])
    return total


def _mean_sojourn(k: int, lam: float, arrivals: int, warmup: int,
                  seed: np.random.SeedSequence, p: float = 1.0, chunk: int = 500_000) -> float:
    gen = np.random.default_rng(seed)
    w = np.zeros(k)
    total, done = 0.0, -warmup
    while done < arrivals:
        n = min(chunk, arrivals - done)
        services = gen.standard_exponential((n, k))
        needed = gen.random((n, k)) < p if p < 1.0 else np.ones((n, k), dtype=np.bool_)
        total += _chunk(w, services, needed, gen.exponential(1.0 / lam, n), max(0, -done))
        done += n
    return total / arrivals


def reference(k: int, lam: float, reps: int, arrivals: int, p: float = 1.0, seed: int = 2026
              ) -> tuple[float, float, float]:
    """Mean sojourn and its 95% t interval over ``reps`` replications (service rate 1).

    ``lam`` is the arrival rate of requests; each needs each branch with probability ``p``.
    """
    key = [seed, k, int(lam * 1000)] + ([int(p * 1000)] if p < 1.0 else [])
    children = np.random.SeedSequence(key).spawn(reps)
    values = np.array([_mean_sojourn(k, lam, arrivals, arrivals // 20, c, p) for c in children])
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, reps - 1) * values.std(ddof=1) / np.sqrt(reps))
    return mean, mean - half, mean + half


def main() -> None:
    """Print the reference values (K = 2 beside the exact ones)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--arrivals", type=int, default=4_000_000)
    args = parser.parse_args()
    for k, rho in ((2, 0.5), (2, 0.8), (4, 0.5), (4, 0.8)):
        mean, low, high = reference(k, rho, args.reps, args.arrivals)
        exact = f"  exact {(12 - rho) / 8 / (1 - rho):.4f}" if k == 2 else ""
        print(f"K = {k}, rho = {rho}: {mean:.4f} [{low:.4f}, {high:.4f}]{exact}", flush=True)
    for k, lam, p in ((3, 1.0, 0.5),):  # a random subset: each branch needed with p
        mean, low, high = reference(k, lam, args.reps, args.arrivals, p)
        print(f"K = {k}, arrivals {lam}, each branch with p = {p}: {mean:.4f} [{low:.4f}, "
              f"{high:.4f}]", flush=True)

if __name__ == "__main__":
    main()
