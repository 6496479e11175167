"""Agent-based simulation of an organization as an internal customer service chain."""

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

__version__ = "0.1.0"

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
