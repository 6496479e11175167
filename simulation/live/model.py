"""The model behind the live page: a bundled design and the common knobs, seeded."""

from __future__ import annotations

import math
from functools import cache
from typing import Any, ClassVar

from simulation.agents.customer import Customer
from simulation.agents.employee import Employee
from simulation.config.knobs import KNOBS, design_config
from simulation.model.orgmodel import OrgModel

#: The designs offered on the page (bundled scenarios).
DESIGNS = ("pyramid", "inverted_pyramid", "two_way_street", "silos", "flat_team")
#: The design the page opens on: work crosses departments there, so every knob acts but one.
OPENING = "silos"


class LiveModel(OrgModel):
    """``OrgModel`` of a bundled design, with the knobs the design has set and the rest noted.

    A knob the chosen design has no parameter for (report frequency on the silos, which have no
    reporting lines) is listed in ``not_applied`` and set aside, not an error; None keeps the
    design's own value. ``settings()`` says what is in force.

    Args:
        design: A bundled scenario's name (:data:`DESIGNS`).
        communication, manager_rate, reporting_rate, approval_prob, quit_sensitivity: The knobs
            (:data:`simulation.config.knobs.KNOBS`); None keeps the design's own value.
        rng: The seed (a whole number, also as text, as the page's seed box sends it).
        scenario: Mesa's scenario slot (SolaraViz passes a fresh one on Reset).
    """

    employee_class: ClassVar[type[Employee]] = Employee
    customer_class: ClassVar[type[Customer]] = Customer

    def __init__(self, design: str = OPENING, communication: float | None = None,
                 manager_rate: float | None = None, reporting_rate: float | None = None,
                 approval_prob: float | None = None, quit_sensitivity: float | None = None,
                 rng: Any = None, scenario: Any = None) -> None:
        config = design_config(design)
        asked = self._asked({"communication": communication, "manager_rate": manager_rate,
                             "reporting_rate": reporting_rate, "approval_prob": approval_prob,
                             "quit_sensitivity": quit_sensitivity})
        applied = {k: v for k, v in asked.items()
                   if v is not None and KNOBS[k].applies_to(config)}
        super().__init__(config, rng=_seed(rng), scenario=scenario,
                         employee_cls=self.employee_class, customer_cls=self.customer_class,
                         **applied)
        self.design_name = design
        self.applied = applied
        self.not_applied = tuple(k for k, v in asked.items() if v is not None and k not in applied)

    def _asked(self, knobs: dict[str, Any]) -> dict[str, Any]:
        """The knobs as they apply (the page's model reads its sliders here)."""
        return knobs

    def settings(self) -> dict[str, tuple[float, bool]]:
        """Each knob the design has: its value in force, and whether it was set (not its own)."""
        out = {}
        for name, knob in KNOBS.items():
            key = knob.key_for(self.config.design)
            if key is not None:
                target = (self.config.design if knob.section == "design"
                          else getattr(self.config, knob.section))
                out[name] = (float(getattr(target, key)), name in self.applied)
        return out


class PageModel(LiveModel):
    """The live page's model: a slider left where it opened means the design's own value.

    One slider serves every design; it opens at the opening design's value (or, for a knob that
    design lacks, the first design's that has it). Left there, the chosen design keeps its own
    value, so choosing the pyramid and pressing Reset runs the pyramid as bundled, not with the
    silos' approval share; moved, the slider's value is set. Subclass this for a page of your
    own; the page rebuilds ``type(model)`` on Reset, so the class is kept::

        class Grumpy(PageModel):
            employee_class = MyEmployee

        page = make_page(Grumpy(rng=42))
    """

    def _asked(self, knobs: dict[str, Any]) -> dict[str, Any]:
        opening = opening_values()
        return {k: None if v is not None and math.isclose(float(v), opening[k], rel_tol=1e-9,
                                                          abs_tol=1e-12) else v
                for k, v in knobs.items()}


@cache
def opening_values() -> dict[str, float]:
    """Each knob's slider position when the page opens.

    The opening design's value, else that of the first design (of :data:`DESIGNS`) with the knob.
    """
    out = {}
    for name, knob in KNOBS.items():
        for design in (OPENING, *DESIGNS):
            config = design_config(design)
            key = knob.key_for(config.design)
            if key is not None:
                target = config.design if knob.section == "design" else getattr(config,
                                                                                 knob.section)
                out[name] = float(getattr(target, key))
                break
    return out


def _seed(value: Any) -> Any:
    """A seed typed into the page arrives as text: a whole number is read as one."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdecimal()):
            raise ValueError(f"seed = {value!r} is not allowed: a whole number >= 0")
        return int(text)
    return value


def crosses_departments(model: OrgModel) -> bool:
    """Whether any work is handed across a department boundary (communication acts there)."""
    return any(bool(d.get("handoff")) for _, _, d in model.graph.edges(data=True))
