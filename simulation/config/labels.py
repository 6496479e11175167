"""Readable names for scenario parameters: ``organization.approval_prob`` -> approval probability.

A sweep names its parameters by their path in a scenario file; a reader wants words. The words
come from the scenario schema itself: each field's ``Field(description=...)`` (the text
``service-chain schema --docs`` puts in ``scenarios/README.md``) gives the long description and
the unit where it states one ("Tasks per day a manager completes." -> tasks per day; "Mean days
(exponential) a vacancy stays open." -> days). The short name is the field's key in words, with
abbreviations spelled out, or a curated name where the key alone says too little
(``manager_rate`` is the manager's capacity). The path itself stays in the label
(:attr:`ParameterLabel.path`), for the provenance and the details.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from simulation.config.designs import OrgDesign
from simulation.config.files import BUILDERS, SECTIONS

#: Short names where the key in words says too little; keyed by ``section.key``
#: (``organization.key`` covers every builder with that key).
SHORT_NAMES: dict[str, str] = {
    "organization.inverted": "inverted drawing",
    "organization.levels": "levels of hierarchy",
    "organization.span": "span of control",
    "organization.frontline_rate": "frontline capacity",
    "organization.manager_rate": "manager capacity",
    "organization.peer_prob": "peer help probability",
    "organization.approval_work": "work per approval",
    "organization.report_work": "work per report",
    "organization.support_work": "work per assistance",
    "organization.coaching_work": "work per coaching session",
    "organization.peer_work": "work per peer help",
    "organization.thoroughness": "approver thoroughness",
    "organization.approval_gate": "approvals as quality gates",
    "organization.rebalancing": "rebalancing of work",
    "organization.size": "team size",
    "organization.helpers": "helpers per member",
    "organization.rate": "member capacity",
    "organization.skill": "mean skill",
    "organization.departments": "number of departments",
    "organization.members": "staff per department",
    "organization.cross_prob": "back-office probability",
    "organization.specialist_rate": "specialist capacity",
    "organization.head_rate": "department head capacity",
    "organization.cross_work": "work per back-office part",
    "work.max_depth": "longest chain of sub-requests",
    "work.handoff_loss": "handoff quality loss",
    "work.communication": "communication between departments",
    "work.internal_tolerance": "internal delay tolerance",
    "work.rework": "rework per quality shortfall",
    "people.enabled": "people dynamics",
    "people.adjustment": "speed of morale adjustment",
    "people.resource_effect": "effect of internal service on morale",
    "people.resource_ref": "neutral internal service satisfaction",
    "people.internal_expectation": "expectation of internal service",
    "people.internal_sensitivity": "sensitivity to internal service",
    "people.internal_expectation_learning": "learning of internal expectations",
    "people.resource_memory": "memory of internal service",
    "people.demand_effect": "effect of overload on morale",
    "people.demand_ref": "overload threshold",
    "people.demand_memory": "memory of workload",
    "people.quality_effect": "effect of morale on skill",
    "people.speed_effect": "effect of morale on speed",
    "people.quit_rate_per_month": "quit rate",
    "people.quit_sensitivity": "sensitivity of quits to morale",
    "people.quit_morale_ref": "reference morale for quits",
    "people.interim": "interim cover of vacancies",
    "people.new_hire_proficiency": "new-hire proficiency",
    "people.progress_ratio": "learning progress ratio",
    "people.reputation_effect": "effect of reputation on hires",
    "customers.per_position": "customers per customer-facing position",
    "customers.count": "customers at the start",
    "customers.request_rate": "customer request rate",
    "customers.price": "price per request",
    "customers.expectation": "customer expectation",
    "customers.expectation_spread": "spread of customer expectations",
    "customers.expectation_learning": "learning of customer expectations",
    "customers.patience": "customer patience",
    "customers.sensitivity": "customer sensitivity",
    "customers.satisfaction_weight": "weight of each experience",
    "customers.initial_satisfaction": "satisfaction of a new customer",
    "customers.failure_demand": "complaint probability",
    "customers.churn": "customer churn",
    "customers.churn_rate_per_month": "customer churn rate",
    "customers.loyalty": "customer loyalty",
    "customers.market": "market size",
    "customers.acquisition_per_day": "acquisition by marketing",
    "customers.talk_rate": "word-of-mouth rate",
    "customers.negative_ratio": "negative to positive talk",
    "customers.recruits_per_message": "customers won per message",
    "customers.deterred_per_message": "prospects lost per message",
    "customers.departure_messages": "messages of a leaving customer",
}

#: Abbreviations in keys, spelled out.
WORDS = {"prob": "probability", "ref": "reference", "max": "maximum", "min": "minimum"}


@dataclasses.dataclass(frozen=True)
class ParameterLabel:
    """A varied parameter in words.

    Attributes:
        path: The parameter's path in a scenario file (``organization.approval_prob``).
        name: A short name (``approval probability``).
        unit: The unit the schema states (``days``, ``tasks per day``, ``0-1``), or empty.
        description: The schema's description of the field, or empty when it has none.
    """

    path: str
    name: str
    unit: str = ""
    description: str = ""

    @property
    def title(self) -> str:
        """Name with its unit, for axes and table headers."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


def _design_class(design: type | str | None) -> type | None:
    if design is None or isinstance(design, type):
        return design
    by_class = {cls.__name__: cls for cls in BUILDERS.values()}
    return BUILDERS.get(design) or by_class.get(design)


def _field_description(section: str, key: str, design: type | None) -> str:
    if section == "organization":
        classes = [design] if design is not None else []
        classes += [c for c in BUILDERS.values() if c is not design]
    else:
        classes = [SECTIONS[section]] if section in SECTIONS else []
    for cls in classes:
        info = getattr(cls, "__pydantic_fields__", {}).get(key)
        if info is not None and info.description:
            return " ".join(info.description.split())
    return ""


def unit_of(description: str) -> str:
    """The unit a field's description states, or "" (``Mean days ...`` -> ``days``).

    Args:
        description: A schema description (``Field(description=...)``).

    Returns:
        ``<things> per day``, ``days``, ``per month``, ``tasks`` (work content) or ``0-1``
        (a share, probability or a value stated as 0 to 1); empty when none is stated.
    """
    text = description.strip()
    if m := re.match(r"([A-Z][a-z-]*(?: [a-z-]+){0,2}) per day\b", text):
        return f"{m.group(1).lower()} per day"
    if re.match(r"(Mean )?[Dd]ays\b", text) or re.search(r"\(days\b", text):
        return "days"
    if re.search(r"\bper month\b", text.split(".")[0]):
        return "per month"
    if re.match(r"Work content\b", text):
        return "tasks"
    if re.search(r"\b0 to 1\b", text) or re.match(r"(Share|Probability) ", text) \
            or re.search(r"\b[Pp]robability\b", text.split(".")[0]):
        return "0-1"
    return ""


def _words(key: str) -> str:
    return " ".join(WORDS.get(w, w) for w in key.split("_") if w)


@cache
def _label(path: str, design: type | None) -> ParameterLabel:
    section, _, key = path.partition(".")
    if not key:
        return ParameterLabel(path, _words(path) or path)
    description = _field_description(section, key, design)
    name = SHORT_NAMES.get(f"{section}.{key}") or _words(key)
    return ParameterLabel(path, name, unit_of(description), description)


def parameter_label(path: str, design: type[OrgDesign] | str | None = None) -> ParameterLabel:
    """The readable name, unit and description of a parameter path.

    Args:
        path: ``section.key`` as a sweep varies it (``organization.manager_rate``,
            ``people.hiring_delay``); any other text is put in words as it is.
        design: The organization's builder (its class, class name or builder name, e.g.
            ``"Pyramid"`` or ``"pyramid"``), so that an ``organization`` key is described as
            that builder describes it; by default the first builder that has the key.

    Returns:
        The label; ``label.title`` is the name with its unit (``manager capacity (tasks per
        day)``), ``label.path`` the path unchanged.
    """
    return _label(path, _design_class(design))
