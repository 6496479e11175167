"""The common knobs: a few scenario parameters by short names, for Mesa's ``batch_run`` and sliders.

``OrgModel(design="silos", communication=0.9)`` is ``load_scenario("silos")`` with
``work.communication = 0.9``. A knob names one parameter of the scenario; where designs call it
differently (a pyramid's ``manager_rate`` is a silo's ``head_rate``) the knob says so, and a knob
a design does not have (report frequency on a flat team, which has no managers) is refused with
the designs that have it, never ignored.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from simulation.config.designs import Hierarchy, OrgDesign, Silos
from simulation.config.files import ScenarioError, bundled, load_scenario, plain_error
from simulation.config.scenario import Scenario


@dataclass(frozen=True)
class Knob:
    """One common parameter: where it lives, what it is called, its unit and a slider's range."""

    name: str
    short: str
    label: str
    unit: str
    section: str  # "work", "people" or "design"
    keys: tuple[tuple[type, str], ...] = ()  # per design class, for section "design"
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05

    def key_for(self, design: OrgDesign) -> str | None:
        """The design's own name for this knob, None when the design has no such parameter."""
        if self.section != "design":
            return self.name
        return next((key for cls, key in self.keys if isinstance(design, cls)), None)

    def applies_to(self, config: Scenario) -> bool:
        """Whether the scenario's design has this parameter."""
        return self.key_for(config.design) is not None

    def where(self) -> str:
        """Which designs have this knob, in words."""
        if self.section != "design":
            return "every design"
        return " and ".join(f"{cls.__name__} ({key})" for cls, key in self.keys)


KNOBS: dict[str, Knob] = {k.name: k for k in (
    Knob("communication", "Communication", "Communication across departments (0 to 1)",
         "(0 to 1)", "work"),
    Knob("manager_rate", "Manager capacity", "Manager capacity (tasks a day)", "tasks a day",
         "design", ((Hierarchy, "manager_rate"), (Silos, "head_rate")), 2.0, 40.0, 1.0),
    Knob("reporting_rate", "Report frequency",
         "Reports each manager asks of each direct report (a day)", "reports a day", "design",
         ((Hierarchy, "reporting_rate"),), 0.0, 2.0, 0.1),
    Knob("approval_prob", "Approval share", "Share of work needing approval (0 to 1)",
         "(0 to 1)", "design", ((Hierarchy, "approval_prob"), (Silos, "approval_prob"))),
    Knob("quit_sensitivity", "Quit sensitivity",
         "Quit sensitivity to low morale (log hazard ratio per unit of morale)",
         "(log hazard ratio)", "people", (), 0.0, 20.0, 0.5),
)}


def design_config(design: str) -> Scenario:
    """The bundled scenario named ``design`` (``pyramid``, ``inverted_pyramid``, ``silos``...)."""
    if not isinstance(design, str) or design not in bundled():
        raise ValueError(f"design = {design!r} is not allowed: one of "
                         f"{', '.join(sorted(bundled()))} (the bundled scenarios), or pass "
                         "config=load_scenario(...) for your own")
    try:
        return load_scenario(design)
    except ScenarioError as err:  # pragma: no cover - bundled files are tested
        raise ValueError(str(err)) from None


def with_knobs(config: Scenario, **values: Any) -> Scenario:
    """``config`` with the knobs given a value set (None keeps the scenario's own).

    Raises:
        ValueError: naming the knob, the value and what is allowed, or the designs that have it.
    """
    for name, value in values.items():
        if value is None:
            continue
        knob = KNOBS.get(name)
        if knob is None:
            raise ValueError(f"{name} is not a knob: one of {', '.join(KNOBS)}")
        key = knob.key_for(config.design)
        if key is None:
            raise ValueError(f"{name} = {value!r}: the {config.name} design "
                             f"({type(config.design).__name__}) has no such parameter; it "
                             f"applies to {knob.where()}")
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} = {value!r} is not allowed: a number")
        target = config.design if knob.section == "design" else getattr(config, knob.section)
        try:
            changed = dataclasses.replace(target, **{key: float(value)})
        except ValidationError as err:
            raise ValueError(f"{name} = {value!r} is not allowed: "
                             f"{'; '.join(plain_error(e) for e in err.errors())}") from None
        config = dataclasses.replace(config, **{knob.section: changed})
    return config
