"""Checks that can fail: the mutants of joins, hand-offs and routing (see test_mutants.py)."""

from __future__ import annotations

import pytest

from simulation.checks.mutants import MUTANTS, caught, mutant, run_mutant

HERE = ("first_input", "no_handoff", "routing")


#: Shown caught by ``validate --mutants`` (docs/validation.md) and, without compiling a kernel
#: of its own, by ``test_priority_check_fails_when_disciplines_are_ignored`` in
#: ``test_validation_queueing.py`` and
#: ``test_check_fails_on_an_engine_that_ignores_exclusive_routing`` in ``test_check_network.py``.
ELSEWHERE = ("no_priority", "exclusive")


def test_the_two_files_cover_every_mutant() -> None:
    from test_mutants import HERE as OTHERS

    assert sorted(HERE + OTHERS + ELSEWHERE) == sorted(m.name for m in MUTANTS)


@pytest.mark.slow
@pytest.mark.parametrize("name", HERE)
def test_mutant_is_caught(name: str, tmp_path) -> None:
    results = run_mutant(mutant(name), root=tmp_path)
    assert caught(results), [(r.check, r.simulated, r.low, r.high) for r in results]
