"""``python -m simulation``: the same command line as ``service-chain``."""

from simulation.launcher import main

raise SystemExit(main())
