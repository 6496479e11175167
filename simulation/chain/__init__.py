"""Layer 3, the Python chain (the reference semantics): routing, staffing, clock, metrics."""

from simulation.chain.service_chain import ServiceChain

__all__ = ["ServiceChain"]
