"""Two checkouts of the project, the same runs, in one session: is a change slower?

    git worktree add /tmp/before HEAD~1
    python benchmarks/ab_commits.py /tmp/before .

For each case (a bundled scenario at a multiple of its demand), one warm-up run, then the
median of three 250-day runs (seeds 0-2) in each checkout, each in its own process, and the
ratio. The mean delays are printed beside the times: a change that should not move results
shows the same numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys

CASES = (("pyramid", 1.0), ("inverted_pyramid", 1.0), ("inverted_pyramid", 1.6),
         ("pyramid", 3.0), ("inverted_pyramid", 3.0))

CODE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from simulation import OrgModel, load_scenario
out = {}
for name, factor in json.loads(sys.argv[2]):
    s = load_scenario(name)
    s = s.with_customers(request_rate=s.customers.request_rate * factor)
    OrgModel(s, rng=1).run(5)
    times = []
    for seed in range(3):
        t = time.perf_counter()
        m = OrgModel(s, rng=seed).run(250)
        times.append(time.perf_counter() - t)
    out[f"{name} x{factor:g}"] = (sorted(times)[1], m.kpis()["mean_delay"])
print(json.dumps(out))
"""


def main(before: str, after: str) -> None:
    """Print each case's median time in both checkouts and their ratio."""
    results = {}
    for label, root in (("before", before), ("after", after)):
        run = subprocess.run([sys.executable, "-c", CODE, root, json.dumps(CASES)],
                             capture_output=True, text=True, check=True, cwd="/")
        results[label] = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"{'case':<24} {'before':>8} {'after':>8} {'ratio':>6}  mean delay before, after")
    for case, (t0, d0) in results["before"].items():
        t1, d1 = results["after"][case]
        print(f"{case:<24} {t0:7.2f}s {t1:7.2f}s {t1 / t0:6.2f}  {d0:.4f}, {d1:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
