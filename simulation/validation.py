"""Checks shared by every configuration object: one clear message naming the key and the rule."""

from __future__ import annotations

import math


def require(ok: bool, where: str, key: str, value: object, allowed: str) -> None:
    """Raise ``ValueError("<where>.<key> = <value> is not allowed: <allowed>")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"{where}.{key} = {value!r} is not allowed: {allowed}")


def unit_interval(obj: object, *keys: str) -> None:
    """Each named attribute of ``obj`` must lie in [0, 1]."""
    for key in keys:
        v = getattr(obj, key)
        require(0.0 <= v <= 1.0, type(obj).__name__, key, v, "a number in [0, 1]")


def non_negative(obj: object, *keys: str) -> None:
    """Each named attribute of ``obj`` must be a number >= 0 (NaN refused)."""
    for key in keys:
        v = getattr(obj, key)
        require(v >= 0.0 and not math.isnan(v), type(obj).__name__, key, v, "a number >= 0")


def positive(obj: object, *keys: str) -> None:
    """Each named attribute of ``obj`` must be a number > 0."""
    for key in keys:
        v = getattr(obj, key)
        require(v > 0.0, type(obj).__name__, key, v, "a positive number")
