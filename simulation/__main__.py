"""``python -m simulation``: the same command line as ``service-chain``."""

from simulation.cli.launcher import main

raise SystemExit(main())
