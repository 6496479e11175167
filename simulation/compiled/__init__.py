"""Layer 4, the compiled engine: the chain's semantics over arrays, in numba.

Importing this package imports no numba; :func:`simulation.compiled.gate.load_kernel` does.
"""
