"""Reference for the covering check: two peers who cover each other's vacancies, simulated directly.

Not the model: a plain event loop over the queue lengths, written from the rules the model
documents (``ServiceChain.vacate``, ``cover``, ``fill``; ``Workforce.day``), to give the
covering check a converged value with its interval, as the Lindley recursion does for
fork-join (``tools/fork_join_reference.py``).

Two servers of one role, each fed by Poisson work at ``lam`` a day, exponential work at ``mu``.
At the end of each day each holder quits with probability ``quit``, in position order; a post
stays vacant for ``ceil(D)`` days, ``D`` exponential with mean ``hiring``. A leaver's work (in
service first, restarting, then the queue in order) goes to whoever now serves each piece's own
post: the peer, if in post, covers the leaver's post and takes its new work too; otherwise a
vacancy holds it. A peer who leaves while covering hands the covered post's work to that post's
vacancy. A hire takes the work its vacancy held; work a peer took while covering stays with the
peer. Queues are first come first served by joining time. The mean sojourn (arrival to the end
of the work) comes from Little's law over the time-average number present.

Run: ``python tools/covering_reference.py`` (about 15 minutes); the figures printed are recorded
in ``simulation/checks/oracles.py`` as ``COVERING_REFERENCE``.
"""

from __future__ import annotations

import math
import sys
from collections import deque

import numpy as np

LAM, MU, QUIT, HIRING = 20.0, 40.0, 0.045, 0.2


def replicate(rng: np.random.Generator, days: int, warmup: int) -> float:
    """Mean sojourn over the days after ``warmup`` (Little's law)."""
    queues = [deque(), deque()]  # origin (0 or 1) of each piece of work at each server
    held = [deque(), deque()]  # work each post's vacancy holds
    in_post = [True, True]
    serves = [0, 1]  # who serves each post's new work: 0, 1, or -1 (its vacancy)
    due = [0, 0]  # the day-end of each vacancy's hire
    area = 0.0
    arrivals = 0
    for day in range(1, days + 1):
        t = 0.0
        while True:
            busy = [in_post[s] and len(queues[s]) > 0 for s in (0, 1)]
            rate = 2 * LAM + MU * (busy[0] + busy[1])
            step = rng.exponential(1.0 / rate)
            present = len(queues[0]) + len(queues[1]) + len(held[0]) + len(held[1])
            if t + step >= 1.0:
                if day > warmup:
                    area += present * (1.0 - t)
                break
            if day > warmup:
                area += present * step
            t += step
            x = rng.random() * rate
            if x < 2 * LAM:  # an arrival at post 0 or 1
                post = 0 if x < LAM else 1
                if day > warmup:
                    arrivals += 1
                server = serves[post]
                (held[post] if server < 0 else queues[server]).append(post)
            else:  # the server at the head of the line finishes
                x -= 2 * LAM
                s = 0 if busy[0] and (x < MU or not busy[1]) else 1
                queues[s].popleft()
        # day end: quits in position order, then hires
        quits = rng.random(2) < QUIT
        delays = rng.exponential(HIRING, size=2)
        for s in (0, 1):
            if not (in_post[s] and quits[s]):
                continue
            work = list(queues[s])
            queues[s].clear()
            in_post[s] = False
            due[s] = day + math.ceil(delays[s]) if delays[s] > 0 else day
            peer = 1 - s
            covered = [p for p in (0, 1) if p != s and serves[p] == s]
            for post in [s, *covered]:
                serves[post] = peer if in_post[peer] else -1
            for post in work:
                server = serves[post]
                (held[post] if server < 0 else queues[server]).append(post)
        for s in (0, 1):
            if not in_post[s] and due[s] <= day:
                in_post[s] = True
                serves[s] = s
                queues[s].extend(held[s])
                held[s].clear()
    return area / (days - warmup) / (arrivals / (days - warmup))


def main(reps: int = 40, days: int = 40_000, seed: int = 2026) -> None:
    """Print the reference: the mean over ``reps`` replications and its 95% t interval."""
    from scipy import stats

    values = []
    for child in np.random.SeedSequence(seed).spawn(reps):
        values.append(replicate(np.random.default_rng(child), days, days // 100))
        print(f"{len(values)}: {values[-1]:.5f}", file=sys.stderr, flush=True)
    v = np.array(values)
    half = stats.t.ppf(0.975, reps - 1) * v.std(ddof=1) / math.sqrt(reps)
    print(f"covering reference: {v.mean():.5f} [{v.mean() - half:.5f}, {v.mean() + half:.5f}] "
          f"({reps} x {days} days, seed {seed})")


if __name__ == "__main__":
    main()
