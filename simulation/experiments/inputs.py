"""What every experiment checks and fixes about its inputs before any run starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from simulation.config import bounds
from simulation.config.orgdata import OrgChart
from simulation.config.scenario import Scenario


def check_counts(**counts: int | None) -> None:
    """Refuse a count below 1 (``runs=0`` must not mean "the default") or beyond the bounds."""
    for name, value in counts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer)
                                  or value < 1):
            raise ValueError(f"{name} = {value!r} is not allowed: an integer >= 1 (or None for "
                             "the default)")
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


def check_scenarios(scenarios: object) -> list[Scenario]:
    """The scenarios as a list, refusing none at all and anything that is not a Scenario."""
    if isinstance(scenarios, Scenario | str):
        raise TypeError("scenarios must be a list of Scenario objects (load_scenario(name) "
                        "loads one), not a single one")
    try:
        out = list(scenarios)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"scenarios = {scenarios!r} is not allowed: a list of Scenario objects"
                        ) from None
    if not out:
        raise ValueError("scenarios is empty: an experiment needs at least one scenario")
    for i, s in enumerate(out):
        if not isinstance(s, Scenario):
            hint = " (load_scenario(name) loads one)" if isinstance(s, str | Path) else ""
            raise TypeError(f"scenarios[{i}] = {s!r} is not allowed: a Scenario{hint}")
    return out


def check_seed(seed: object) -> None:
    """Refuse a root seed that is not a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r} is not allowed: an integer >= 0")

