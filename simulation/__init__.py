"""Agent-based simulation of an organization as an internal customer service chain."""

from simulation.agents import Customer, Employee, Vacancy
from simulation.config import Customers, People, Scenario, Work
from simulation.model import OrgModel
from simulation.requests import Dependency, Need, Request, ServiceRecord
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
    "Exponential",
    "FirstComeFirstServed",
    "FlatTeam",
    "Hierarchy",
    "InvertedPyramid",
    "Need",
    "OrgDesign",
    "OrgModel",
    "People",
    "Pyramid",
    "QualityRule",
    "QueueDiscipline",
    "RankFirst",
    "Request",
    "Scenario",
    "ServiceRecord",
    "Silos",
    "TwoWayStreet",
    "Vacancy",
    "WeakestLink",
    "Work",
    "WorkTime",
    "__version__",
]
