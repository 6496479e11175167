"""The process pool starts warm, the command line starts it early, the package loads lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulation.cli.launcher import wants_pool
from simulation.experiments import warm as _worker
from simulation.experiments.pool import PRELOAD, default_workers, process_pool


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork server on Linux only")
def test_pool_workers_fork_warm_from_the_preloaded_server() -> None:
    with process_pool(2) as pool:
        warm = [pool.submit(_worker.warmed).result() for _ in range(2)]
        loaded = pool.submit(_loaded, "simulation.compiled.kernel").result()
    assert warm == [True, True]
    assert loaded is _numba()  # the compiled engine came with the fork
    assert not _worker.warmed()  # this process ran nothing itself


def _loaded(module: str) -> bool:
    return module in sys.modules


def _numba() -> bool:
    from simulation.compiled.gate import numba_available

    return numba_available()


def test_the_preload_keeps_the_users_own_modules() -> None:
    from multiprocessing import forkserver

    from simulation.experiments.pool import pool_context

    pool_context()
    preload = forkserver._forkserver._preload_modules
    assert preload[0] == "__main__" and set(PRELOAD) <= set(preload)
    pool_context()
    assert len(preload) == len(set(preload)) == len(forkserver._forkserver._preload_modules)


@pytest.mark.parametrize(("argv", "expected"), [
    (["compare", "pyramid", "flat_team", "-w", "2"], True),
    (["compare", "pyramid", "flat_team", "--workers=3"], True),
    (["sweep", "pyramid", "-w4"], True),
    (["demo", "-w", "1"], False),
    (["demo", "--workers", "1"], False),
    (["demo", "-w", "x"], False),  # the parser reports it
    (["run", "pyramid"], False),
    (["validate"], False),
    (["compare", "--help"], False),
    ([], False),
])
def test_the_command_line_starts_the_pool_only_when_it_will_use_it(argv, expected) -> None:
    assert wants_pool(argv) is expected


def test_without_a_worker_count_the_pool_follows_the_cores() -> None:
    assert wants_pool(["demo"]) is (default_workers() > 1)


def test_every_public_name_resolves_to_where_it_is_defined() -> None:
    import simulation.experiments.sweep

    assert set(simulation.__all__) == {*simulation._EXPORTS, "__version__"}
    for name in simulation.__all__:
        assert getattr(simulation, name) is not None
    for name, module in simulation._EXPORTS.items():
        assert getattr(simulation, name).__module__ == module, name
    assert callable(simulation.sweep)
    assert simulation.sweep.__module__ == "simulation.experiments.sweep"
    from simulation import plots, stats

    assert plots.__name__ == "simulation.report.plots"
    assert stats.__name__ == "simulation.experiments.stats"
    assert set(simulation.__all__) <= set(dir(simulation))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        simulation.nope  # noqa: B018


def test_importing_the_package_imports_nothing_heavy() -> None:
    code = ("import sys, simulation, simulation.cli.launcher; "
            "print(sorted(m for m in ('mesa', 'pandas', 'numba', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
