"""Checks shared by every configuration object: one clear message naming the key and the rule."""

from __future__ import annotations


def require(ok: bool, where: str, key: str, value: object, allowed: str) -> None:
    """Raise ``ValueError("<where>.<key> = <value> is not allowed: <allowed>")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"{where}.{key} = {value!r} is not allowed: {allowed}")
