"""Validation against queueing theory: every check of ``service-chain validate`` passes.

Light and moderate traffic here; heavy traffic in ``test_validation_heavy_traffic.py`` (a
separate file so the two run on different workers).
"""

from __future__ import annotations

import pytest

from simulation.checks.validation import CHECKS, run_checks

QUEUEING = ["little", "tandem", "single_server", "priority", "handoff", "rework",
            "random_network", "fork_join_2_0.5", "fork_join_4_0.5", "fork_join_subset",
            "jackson_network"]


def assert_check_passes(name: str, group: str) -> None:
    """Run one validation check and assert every result it gives passes."""
    for result in run_checks([name]):
        assert result.group == group
        assert result.passed, f"{result.check}: {result.simulated} vs {result.expected}; " \
                              f"{result.detail}"
        if result.margin == result.margin:  # an equivalence test: it must have power
            assert result.power >= 0.95, f"{result.check}: power {result.power:.2f}"


@pytest.mark.slow
@pytest.mark.parametrize("name", QUEUEING)
def test_queueing_check_passes(name: str) -> None:
    assert_check_passes(name, "queueing")


def test_every_check_is_covered_by_a_test() -> None:
    from test_validation_heavy_traffic import HEAVY
    from test_validation_patterns import PATTERNS

    assert sorted(QUEUEING + HEAVY + PATTERNS) == sorted(CHECKS)


@pytest.mark.slow
def test_priority_check_fails_when_disciplines_are_ignored(monkeypatch) -> None:
    """The no_priority mutant's effect, by configuration: every queue first come first served.

    Both rows must be rejected decisively (the whole interval outside the margin), which an
    imprecise run of the correct engine could not do.
    """
    from simulation.checks import queueing
    from simulation.config.strategies import FirstComeFirstServed

    monkeypatch.setattr(queueing, "RankFirst", FirstComeFirstServed)
    monkeypatch.setattr(queueing, "CustomerFirst", FirstComeFirstServed)
    results = queueing.check_priority(scale=0.5)
    for result in [r for r in results if "sojourn" in r.check]:  # the causes: the overtaken
        theory = float(result.expected)  # mutant (tests/test_mutants.py)
        assert (result.high < theory * (1 - result.margin)
                or result.low > theory * (1 + result.margin)), result
