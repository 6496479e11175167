"""numba's disk cache, keyed on every source the compiled engine is built from.

numba keys a cached function on the file that defines it. The kernel compiles functions of
:mod:`simulation.core.rules` into its own: edit a rule and the kernel's cache, keyed on
``kernel.py`` alone, would still hold the old rule. The locator below keys every function of the
compiled engine on a hash of all its sources (``SOURCES``), so an edit to any of them recompiles
the engine (``tests/test_rules.py`` edits a rule in a copy of the package and sees the result
change).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from typing import Any

from numba.core import caching

#: Modules whose functions the kernel compiles; any change to one recompiles all of them.
SOURCES = ("simulation.compiled.kernel", "simulation.core.rules")

_BASE: Any = getattr(caching, "InTreeCacheLocator", None) or caching._InTreeCacheLocator
_USER: Any = (getattr(caching, "UserProvidedCacheLocator", None)
              or caching._UserProvidedCacheLocator)


def _source_files() -> list[str]:
    files = []
    for name in SOURCES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:  # pragma: no cover - a broken install
            raise ImportError(f"cannot find the source of {name}")
        files.append(spec.origin)
    return files


@cache
def _digest(stamps: tuple[tuple[str, float, int], ...]) -> str:
    h = hashlib.sha256()
    for path, _, _ in stamps:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def sources_digest() -> str:
    """SHA-256 of the compiled engine's sources (re-read whenever one changes on disk)."""
    stamps = []
    for path in _source_files():
        st = os.stat(path)
        stamps.append((path, st.st_mtime, st.st_size))
    return _digest(tuple(stamps))


def _ours(py_file: str) -> bool:
    return os.path.abspath(py_file) in {os.path.abspath(f) for f in _source_files()}


class SourcesLocator(_BASE):
    """In the package's ``__pycache__`` (or ``NUMBA_CACHE_DIR``), stamped by all sources."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        super().__init__(py_func, py_file)
        from numba.core import config

        if config.CACHE_DIR:  # as numba's own first choice
            self._cache_path = _USER(py_func, py_file).get_cache_path()

    def get_source_stamp(self) -> Any:
        """The sources' digest, instead of the defining file's alone."""
        return sources_digest()

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        """This locator for the compiled engine's functions; None for anybody else's."""
        if not _ours(py_file):
            return None
        return super().from_function(py_func, py_file)


def install() -> None:
    """Put :class:`SourcesLocator` first in numba's list of locators (once)."""
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    classes = impl._locator_classes
    if SourcesLocator not in classes:
        classes.insert(0, SourcesLocator)
