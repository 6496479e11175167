"""Layer 0, vocabulary and streams: units, requests and records, random streams, errors, KPIs.

Imports nothing from the package above it.
"""
