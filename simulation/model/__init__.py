"""Layer 5, the model and its results: ``OrgModel`` wires and schedules; tables come from it."""

from simulation.model.orgmodel import OrgModel

__all__ = ["OrgModel"]
