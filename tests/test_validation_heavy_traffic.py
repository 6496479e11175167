"""Validation in heavy traffic: fork-join at rho = 0.8, a manager near saturation, vacancies."""

from __future__ import annotations

import pytest
from test_validation_queueing import assert_check_passes

HEAVY = ["fork_join_2_0.8", "fork_join_4_0.8", "span_of_control", "vacancy", "covering"]


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVY)
def test_heavy_traffic_check_passes(name: str) -> None:
    assert_check_passes(name, "queueing")


@pytest.mark.slow
def test_vacancy_check_fails_when_vacancies_last_longer_than_theory_says() -> None:
    """Vacancies of ceil(Exp(1)) days where the oracle assumes ceil(Exp(0.2)): rejected."""
    from simulation.checks.queueing import check_vacancy, vacancy_scenario

    result = check_vacancy(scale=0.25, scenario=vacancy_scenario(hiring_mean=1.0))
    assert result.low > float(result.expected) * (1 + result.margin), result


@pytest.mark.slow
def test_covering_check_fails_when_nobody_covers() -> None:
    """Servers without a peer (work waits for the hire) against the covering reference."""
    from simulation.checks.queueing import check_covering, vacancy_scenario

    result = check_covering(scale=0.25, scenario=vacancy_scenario(groups=10, peers=1))
    assert result.low > 0.06490 * (1 + result.margin), result
