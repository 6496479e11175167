"""What every experiment checks and fixes about its inputs before any run starts."""

from __future__ import annotations

import dataclasses

import numpy as np

from simulation.config.orgdata import OrgChart
from simulation.config.scenario import Scenario


def check_counts(**counts: int | None) -> None:
    """Refuse a count below 1 (``runs=0`` must not mean "the default")."""
    for name, value in counts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer)
                                  or value < 1):
            raise ValueError(f"{name} = {value!r} is not allowed: an integer >= 1 (or None: the "
                             "scenario's own)")


def with_file_contents(scenario: Scenario) -> Scenario:
    """The scenario with its organization's files read into it (an ``OrgChart``'s CSVs).

    Every run then builds the organization from the same text, however the files change while
    the experiment runs, and a worker on another machine needs no access to them.
    """
    if isinstance(scenario.design, OrgChart):
        return dataclasses.replace(scenario, design=scenario.design.with_contents())
    return scenario
