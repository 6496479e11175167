"""Validation in heavy traffic: fork-join at rho = 0.8 and a manager near saturation."""

from __future__ import annotations

import pytest
from test_validation_queueing import assert_check_passes

HEAVY = ["fork_join_2_0.8", "fork_join_4_0.8", "span_of_control"]


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVY)
def test_heavy_traffic_check_passes(name: str) -> None:
    assert_check_passes(name, "queueing")
