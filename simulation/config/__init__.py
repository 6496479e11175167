"""Layer 1, configuration: the scenario, strategies, organization designs and scenario files."""

from simulation.config.scenario import Customers, People, Scenario, Work

__all__ = ["Customers", "People", "Scenario", "Work"]
