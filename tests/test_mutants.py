"""Checks that can fail: every mutant engine is caught by the checks named for it.

Each mutant edits a copy of the compiled kernel (``simulation/checks/mutants.py``) and runs
its checks there, in a process of its own; the installed engine passes the same checks
(``tests/test_validation_*.py``). Half the mutants are here, half in
``test_mutants_network.py``, so that the two halves run on different workers.
"""

from __future__ import annotations

import pytest

from simulation.checks.mutants import MUTANTS, MutantError, apply, caught, mutant, run_mutant
from simulation.checks.validation import CHECKS, ENGINE_CHECKS

HERE = ("lcfs", "work_law", "overtaken")


def test_every_mutant_applies_and_names_real_checks() -> None:
    from simulation.checks import mutants

    source = (mutants.Path(mutants.__file__).parents[1] / mutants.KERNEL).read_text()
    for m in MUTANTS:
        assert apply(m, source) != source
        assert m.caught_by and set(m.caught_by) <= set(ENGINE_CHECKS) <= set(CHECKS)


def test_a_mutant_that_no_longer_applies_says_so() -> None:
    with pytest.raises(MutantError, match="mutant lcfs: expected 1 occurrence"):
        apply(mutant("lcfs"), "def _before(): pass\n")
    with pytest.raises(ValueError, match="unknown mutant 'x': one of lcfs"):
        mutant("x")


def test_caught_means_a_check_failed() -> None:
    from simulation.checks.result import CheckResult

    ok = CheckResult("c", "queueing", "s", "1", 1.0, 0.9, 1.1, "pass", "d")
    assert not caught([ok]) and caught([ok, CheckResult(*["c", "queueing", "s", "1", 2.0, 1.9,
                                                           2.1, "FAIL", "d"])])


@pytest.mark.slow
@pytest.mark.parametrize("name", HERE)
def test_mutant_is_caught(name: str, tmp_path) -> None:
    results = run_mutant(mutant(name), root=tmp_path)
    assert caught(results), [(r.check, r.simulated, r.low, r.high) for r in results]
