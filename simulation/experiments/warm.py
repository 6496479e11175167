"""Preloaded by the process pool's fork server: workers fork with imports and engine paid.

On Linux the default pool starts its workers from a fork server (``forkserver``: safe with
threads, unlike a plain fork). The server imports this module once per session, and every worker
it forks starts in milliseconds with the package imported and the compiled engine loaded from
numba's cache, instead of paying a second and a half of its own (docs/design.md section 16).
"""

from __future__ import annotations

import os

#: Process id of the process that ran :func:`warm` (the fork server; inherited by its workers).
WARMED_IN: int | None = None


def warm() -> None:
    """Import what a run needs and load the compiled engine by running a tiny model."""
    global WARMED_IN
    from simulation.compiled.gate import numba_available
    from simulation.experiments import experiment  # noqa: F401
    from simulation.model import OrgModel

    if numba_available():
        OrgModel(rng=0, compiled=True).run(2)
    WARMED_IN = os.getpid()


def warmed() -> bool:
    """Whether this process was forked warm (it did not run :func:`warm` itself)."""
    return WARMED_IN is not None and os.getpid() != WARMED_IN


try:  # on import; never stop the fork server: a worker that misses the warm-up pays its own
    warm()
except Exception:  # pragma: no cover - depends on the machine
    WARMED_IN = None
