"""Agent-based simulation of an organization as an internal customer service chain.

The public names below load on first use (PEP 562), so ``service-chain`` can start its worker
pool before the heavy imports (Mesa, pandas, numba) and ``import simulation`` costs nothing
until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simulation.core.version import __version__

#: Public name to the module that defines it.
_EXPORTS = {
    "Customer": "simulation.agents.customer",
    **dict.fromkeys(("Employee", "Vacancy"), "simulation.agents.employee"),
    **dict.fromkeys(("Customers", "People", "Scenario", "Work"), "simulation.config.scenario"),
    "ExperimentResult": "simulation.experiments.results",
    **dict.fromkeys(("compare", "compare_until"), "simulation.experiments.experiment"),
    "OrgModel": "simulation.model.orgmodel",
    **dict.fromkeys(("Dependency", "Need", "Request", "ServiceRecord"),
                   "simulation.core.requests"),
    "load_scenario": "simulation.config.files",
    "kpi": "simulation.core.kpis",
    **dict.fromkeys(("CobbDouglas", "Compensatory", "CustomerFirst", "Deterministic", "Erlang",
                     "Exponential", "FirstComeFirstServed", "QualityRule", "QueueDiscipline",
                     "RankFirst", "WeakestLink", "WorkTime"), "simulation.config.strategies"),
    "CustomGraph": "simulation.config.custom_graph",
    **dict.fromkeys(("FlatTeam", "Hierarchy", "InvertedPyramid", "OrgDesign", "Pyramid",
                     "Silos", "TwoWayStreet"), "simulation.config.designs"),
    **dict.fromkeys(("Parameter", "SweepResult", "sweep"), "simulation.experiments.sweep"),
    **dict.fromkeys(("Lever", "MapResult", "map_difference"),
                   "simulation.experiments.design_map"),
}

__all__ = [
    "CobbDouglas",
    "Compensatory",
    "CustomGraph",
    "Customer",
    "CustomerFirst",
    "Customers",
    "Dependency",
    "Deterministic",
    "Employee",
    "Erlang",
    "ExperimentResult",
    "Exponential",
    "FirstComeFirstServed",
    "FlatTeam",
    "Hierarchy",
    "InvertedPyramid",
    "Lever",
    "MapResult",
    "Need",
    "OrgDesign",
    "OrgModel",
    "Parameter",
    "People",
    "Pyramid",
    "QualityRule",
    "QueueDiscipline",
    "RankFirst",
    "Request",
    "Scenario",
    "ServiceRecord",
    "Silos",
    "SweepResult",
    "TwoWayStreet",
    "Vacancy",
    "WeakestLink",
    "Work",
    "WorkTime",
    "__version__",
    "compare",
    "compare_until",
    "kpi",
    "load_scenario",
    "map_difference",
    "sweep",
]


#: Modules reachable as ``from simulation import plots`` (their home is a layer's package).
_MODULES = {"plots": "simulation.report.plots", "stats": "simulation.experiments.stats"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
        globals()[name] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_MODULES})


if TYPE_CHECKING:  # what type checkers and IDEs see
    from simulation.agents.customer import Customer
    from simulation.agents.employee import Employee, Vacancy
    from simulation.config.custom_graph import CustomGraph
    from simulation.config.designs import (
        FlatTeam,
        Hierarchy,
        InvertedPyramid,
        OrgDesign,
        Pyramid,
        Silos,
        TwoWayStreet,
    )
    from simulation.config.files import load_scenario
    from simulation.config.scenario import Customers, People, Scenario, Work
    from simulation.config.strategies import (
        CobbDouglas,
        Compensatory,
        CustomerFirst,
        Deterministic,
        Erlang,
        Exponential,
        FirstComeFirstServed,
        QualityRule,
        QueueDiscipline,
        RankFirst,
        WeakestLink,
        WorkTime,
    )
    from simulation.core.kpis import kpi
    from simulation.core.requests import Dependency, Need, Request, ServiceRecord
    from simulation.experiments.design_map import Lever, MapResult, map_difference
    from simulation.experiments.experiment import compare, compare_until
    from simulation.experiments.results import ExperimentResult
    from simulation.experiments.sweep import Parameter, SweepResult, sweep
    from simulation.model.orgmodel import OrgModel
