"""Layer 9, the command line: ``service-chain`` (:mod:`simulation.cli.launcher` starts it).

Importing this package is cheap: the launcher starts the process pool before the heavy imports.
"""
