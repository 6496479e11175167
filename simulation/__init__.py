"""Agent-based simulation of an organization as an internal customer service chain.

The public names below load on first use (PEP 562), so ``service-chain`` can start its worker
pool before the heavy imports (Mesa, pandas, numba) and ``import simulation`` costs nothing
until a name is used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name to the module that defines it.
_EXPORTS = {
    **dict.fromkeys(("Customer", "Employee", "Vacancy"), "simulation.agents"),
    **dict.fromkeys(("Customers", "People", "Scenario", "Work"), "simulation.config"),
    **dict.fromkeys(("ExperimentResult", "compare", "compare_until"), "simulation.experiment"),
    "OrgModel": "simulation.model",
    **dict.fromkeys(("Dependency", "Need", "Request", "ServiceRecord"), "simulation.requests"),
    "load_scenario": "simulation.scenario_files",
    **dict.fromkeys(("CobbDouglas", "Compensatory", "CustomerFirst", "Deterministic", "Erlang",
                     "Exponential", "FirstComeFirstServed", "QualityRule", "QueueDiscipline",
                     "RankFirst", "WeakestLink", "WorkTime"), "simulation.strategies"),
    **dict.fromkeys(("CustomGraph", "FlatTeam", "Hierarchy", "InvertedPyramid", "OrgDesign",
                     "Pyramid", "Silos", "TwoWayStreet"), "simulation.structures"),
    **dict.fromkeys(("Parameter", "SweepResult", "sweep"), "simulation.sweep"),
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
    "load_scenario",
    "sweep",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(types.ModuleType):
    """Keeps ``simulation.sweep`` the function when its submodule of the same name loads.

    Importing a submodule sets it as an attribute of its package; an eager ``__init__`` rebinds
    the exported function afterwards, a lazy one cannot, so that one assignment is declined (the
    submodule stays reachable in ``sys.modules`` and by ``from simulation.sweep import ...``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "sweep" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # what type checkers and IDEs see
    from simulation.agents import Customer, Employee, Vacancy
    from simulation.config import Customers, People, Scenario, Work
    from simulation.experiment import ExperimentResult, compare, compare_until
    from simulation.model import OrgModel
    from simulation.requests import Dependency, Need, Request, ServiceRecord
    from simulation.scenario_files import load_scenario
    from simulation.strategies import (
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
    from simulation.structures import (
        CustomGraph,
        FlatTeam,
        Hierarchy,
        InvertedPyramid,
        OrgDesign,
        Pyramid,
        Silos,
        TwoWayStreet,
    )
    from simulation.sweep import Parameter, SweepResult, sweep
