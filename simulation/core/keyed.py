"""Draws keyed by request: a counter-based uniform (splitmix64's finalizer).

Which inputs a request needs is drawn from the request's own 64-bit key, so a design change
disturbs only the requests it touches (common random numbers within the day). Python integers
here; the kernel's twins ``_mix64``, ``_keyed_uniform`` and the keys set in ``_new`` work on
uint64 (``tests/test_twins.py``). Not a compiled rule: numba cannot run Python's big integers.
"""

from __future__ import annotations

_MASK = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15
_CHILD = 0xDA942042E4DD58B5
_SCHEDULED = 0xD1B54A32D192ED03
_TIME_SCALE = 1099511627776.0  # 2 ** 40: an arrival time in 2^-40 days


def mix64(z: int) -> int:
    """splitmix64's finalizer of a 64-bit integer (Steele, Lea & Flood 2014)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def keyed_uniform(key: int, index: int) -> float:
    """The ``index``-th uniform draw on [0, 1) of a request's key."""
    return (mix64((key + (index + 1) * _GOLDEN) & _MASK) >> 11) * (1.0 / 9007199254740992.0)


def root_key(run_key: int, arrival: float, scheduled: bool) -> int:
    """A root request's key, from the run's key and its arrival time.

    The same customer request arrives at the same time in every design, so it has the same key.
    """
    z = run_key ^ int(arrival * _TIME_SCALE)
    return mix64(z ^ _SCHEDULED if scheduled else z)


def child_key(parent_key: int, ordinal: int) -> int:
    """The key of the ``ordinal``-th (from 1) request a request creates."""
    return mix64((parent_key + ordinal * _CHILD) & _MASK)
