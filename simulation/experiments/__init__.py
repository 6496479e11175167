"""Layer 6, experiments: replications, the result store, sweeps, statistics, the process pool.

Importing this package is cheap (the command line starts the pool before the heavy imports).
"""
