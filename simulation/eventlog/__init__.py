"""Event logs: a real organization's log in, a discovered service chain, simulated logs out.

Read a ticketing or workflow system's log (:mod:`.read`), discover a service chain from it
(:mod:`.discover`, written as a scenario by :mod:`.scenario`), and write a run's own log
(:mod:`.write`).
"""
