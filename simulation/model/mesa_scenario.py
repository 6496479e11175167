"""Mesa's ``model.scenario`` slot, kept Mesa's: the project's configuration is ``model.config``.

Mesa 3.5 reserves ``Model.scenario`` for its experimental ``Scenario`` (the seed and the
parameters of one computational experiment); SolaraViz validates it and rebuilds it on Reset.
Up to 0.1 the slot held the project's own ``Scenario``; reading one of that object's fields
through it (``model.scenario.people``) still works in 0.2, with a ``DeprecationWarning`` naming
``model.config``, and goes in 0.3.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

from mesa.experimental.scenarios import Scenario as MesaScenario

from simulation.config.scenario import Scenario

#: The project's configuration fields and methods readable through the old name for one release.
FORWARDED = frozenset({*(f.name for f in dataclasses.fields(Scenario)), "with_work",
                       "with_people", "with_customers", "with_design"})


class ModelScenario(MesaScenario):
    """Mesa's scenario of an ``OrgModel``: its seed (``rng``) and nothing else of Mesa's.

    Reading a field of the project's configuration through it is deprecated: use
    ``model.config``.
    """

    def __getattr__(self, name: str) -> Any:
        if name in FORWARDED:
            model = self.__dict__.get("_owner")
            if model is not None:
                warnings.warn(f"model.scenario.{name} is deprecated: the model's configuration "
                              f"is model.config (model.config.{name}); model.scenario is "
                              "Mesa's scenario slot", DeprecationWarning, stacklevel=2)
                return getattr(model.config, name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def bind(self, model: Any) -> None:
        """Tie this scenario to the model it seeds, for the old name's reads."""
        self.__dict__["_owner"] = model

    def to_dict(self) -> dict[str, Any]:
        """Mesa's dict of the scenario, without the back-reference kept for the old name."""
        out = super().to_dict()
        out.pop("_owner", None)
        return out

    def __iter__(self):
        return iter((k, v) for k, v in self.__dict__.items() if k != "_owner")

    def __len__(self) -> int:
        return sum(1 for _ in self)
