"""Entry point of ``service-chain`` and ``python -m simulation``: the pool first, then the rest.

A command that will run on a process pool (``compare``, ``demo``, ``sweep`` with more than one
worker) starts the pool's fork server before importing the command line, so the workers' imports
and the compiled engine load on a second core while this process imports and sets up (about a
second earlier to the first run on two cores; docs/design.md section 16).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: Commands that run their replications on the process pool.
POOL_COMMANDS = ("compare", "demo", "sweep", "replicate", "map")


def wants_pool(argv: Sequence[str]) -> bool:
    """Whether this command line will use the process pool (a guess; the parser decides)."""
    from simulation.experiments.pool import default_workers

    if not argv or argv[0] not in POOL_COMMANDS or "-h" in argv or "--help" in argv:
        return False
    workers = None
    for i, arg in enumerate(argv):
        if arg in ("-w", "--workers") and i + 1 < len(argv):
            workers = argv[i + 1]
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg.startswith("-w") and not arg.startswith("--"):
            workers = arg[2:]
    if workers is None:
        return default_workers() > 1
    return workers.strip().isdigit() and int(workers) > 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (see :mod:`simulation.cli`); returns its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_pool(args):
        from simulation.experiments.pool import start_workers

        start_workers()
    from simulation.cli.commands import main as run

    return run(args)
