"""Layer 7, checks: offered load from the traffic equations, and validation against theory."""
