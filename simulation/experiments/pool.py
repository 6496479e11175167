"""The local process pool: workers forked warm from a preloaded fork server.

On Linux, workers start from a fork server (``multiprocessing``'s ``forkserver``: safe with
threads, unlike a plain fork). The server is started once per session and imports
``simulation.experiments.warm``, which loads the package and the compiled engine; every pool's
workers then
fork from it in milliseconds, already warm, so imports are paid once a session instead of once a
worker and pool (docs/design.md section 16). Elsewhere workers are spawned and pay their own.

This module imports only the standard library, so the command line can start the server before
its own heavy imports.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path

#: Modules the fork server imports before it forks workers.
PRELOAD = ("__main__", "simulation.experiments.warm")


def default_workers() -> int:
    """Worker processes to use by default: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _uses_fork_server() -> bool:
    return sys.platform.startswith("linux")


def pool_context() -> BaseContext:
    """The start method of the default pool: the preloaded fork server on Linux, else spawn."""
    if not _uses_fork_server():  # pragma: no cover - not Linux
        return mp.get_context("spawn")
    from multiprocessing import forkserver

    context = mp.get_context("forkserver")
    current = list(getattr(forkserver._forkserver, "_preload_modules", []))
    context.set_forkserver_preload(current + [m for m in PRELOAD if m not in current])
    return context


def start_workers() -> None:
    """Start the fork server now, so it warms up while this process does other work.

    Idempotent; a no-op where workers are spawned. Pools started later fork from it.
    """
    if _uses_fork_server():
        pool_context()
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _stat(pid: int) -> tuple[str, str] | None:
    """``(state, start time)`` of a process from ``/proc``; None if it is gone or unknowable."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return fields[0], fields[19]


def owner_alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` still runs, as the same process (not a zombie, not a reused pid)."""
    if started is not None:
        stat = _stat(pid)
        return stat is not None and stat[0] not in ("Z", "X") and stat[1] == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, under another user
        return True
    return True


def watch_parent(pid: int, every: float = 1.0) -> None:
    """Worker initializer: exit as soon as process ``pid`` (the pool's owner) is gone.

    A worker of a killed owner would otherwise wait on its task queue for ever (it holds the
    queue's write end itself, so it never sees the end of it), with its memory. An owner that
    is killed but not yet reaped (a zombie) counts as gone, and so does a new process that got
    its pid (told apart by the start time, where ``/proc`` gives it).
    """
    import threading
    import time

    stat = _stat(pid)
    started = stat[1] if stat is not None else None

    def watch() -> None:
        while True:
            time.sleep(every)
            if not owner_alive(pid, started):
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` whose workers start warm and die with their owner."""
    return ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=watch_parent,
                               initargs=(os.getpid(),))
