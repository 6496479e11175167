"""What every experiment checks and fixes about its inputs before any run starts."""

from __future__ import annotations

import dataclasses

import numpy as np

from simulation.config import bounds
from simulation.config.orgdata import OrgChart
from simulation.config.scenario import Scenario


def check_counts(**counts: int | None) -> None:
    """Refuse a count below 1 (``runs=0`` must not mean "the default") or beyond the bounds."""
    for name, value in counts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer)
                                  or value < 1):
            raise ValueError(f"{name} = {value!r} is not allowed: an integer >= 1 (or None: the "
                             "scenario's own)")
        if value is None:
            continue
        if name == "days" and value > bounds.MAX_DAYS:
            raise bounds.TooLargeError(f"days = {value:,} is beyond the longest run the model "
                                       f"holds ({bounds.MAX_DAYS:,} working days)")
        if name != "days":
            bounds.check_runs(int(value), f"{name} = {bounds.count(value)}")


def with_file_contents(scenario: Scenario) -> Scenario:
    """The scenario with its organization's files read into it (an ``OrgChart``'s CSVs).

    Every run then builds the organization from the same text, however the files change while
    the experiment runs, and a worker on another machine needs no access to them.
    """
    if isinstance(scenario.design, OrgChart):
        return dataclasses.replace(scenario, design=scenario.design.with_contents())
    return scenario
