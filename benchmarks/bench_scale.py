"""B7, company scale: building organizations of 1,000 to 100,000 people, memory per person and
per customer, and one year of a 100,000-person organization against a 2,000-person one.

    python benchmarks/bench_scale.py build [SIZES...]     # build time and memory (default 1,000
                                                          # 10,000 100,000)
    python benchmarks/bench_scale.py year [PEOPLE] [DAYS] # one run: time, peak memory, cost per
                                                          # request (default 100,000 and 250)
    python benchmarks/bench_scale.py all                  # both, and 2,000 people for a year

Each measurement runs in a fresh process (its own peak memory, ``VmHWM``), with the engine
compiled beforehand (numba's cache warm). The organization is a flat team at the bundled
per-person load (12 tasks a day, 40 customers a position): every member serves customers and
relies on two teammates, the design whose size is one number.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

ONE = r"""
import gc, json, sys, time
def status():
    out = {}
    for line in open("/proc/self/status"):
        key, value = line.split(":", 1)
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out
from simulation import FlatTeam, OrgModel, Scenario
from simulation.config.scenario import Customers
import simulation.compiled.day  # imports paid before the clock starts
people, days, per_position = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
OrgModel(Scenario(design=FlatTeam(size=20)), rng=0).step()  # the engine loaded
gc.collect()
before = status()["VmRSS"]
scenario = Scenario(design=FlatTeam(size=people), customers=Customers(per_position=per_position))
start = time.perf_counter()
model = OrgModel(scenario, rng=1)
build = time.perf_counter() - start
built = status()["VmRSS"] - before
seconds, done = 0.0, 0
if days:
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - start
    done = model.metrics.requests_completed
print(json.dumps({"people": people, "customers": len(model.customers), "build": build,
                  "built_bytes": built, "days": days, "seconds": seconds, "requests": done,
                  "peak": status()["VmHWM"]}))
"""


def one(people: int, days: int = 0, per_position: float = 40.0) -> dict:
    """One fresh process: build (and run ``days``); its figures."""
    out = subprocess.run([sys.executable, "-c", ONE, str(people), str(days), str(per_position)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(sizes: list[int]) -> list[str]:
    """Build time and memory per person and per customer at each size."""
    lines = ["B7: building a flat team (40 customers a position), a fresh process each"]
    for n in sizes:
        alone = one(n, per_position=0.0)  # the organization without its customers
        full = one(n)
        per_person = alone["built_bytes"] / n
        per_customer = (full["built_bytes"] - alone["built_bytes"]) / max(full["customers"], 1)
        lines.append(
            f"  {n:>7,} people, {full['customers']:>9,} customers: built in {full['build']:6.2f} s "
            f"({alone['build']:5.2f} s without customers); {per_person / 1e3:5.1f} KB a person, "
            f"{per_customer:5.0f} B a customer; "
            f"{full['build'] / n * 1e6:6.1f} us a person with their customers")
    return lines


def year(people: int, days: int) -> list[str]:
    """One run of ``days``: time, peak memory and cost per request."""
    r = one(people, days)
    per_request = r["seconds"] / max(r["requests"], 1) * 1e6
    return [f"  {people:>7,} people, {days} days: built in {r['build']:.1f} s, ran in "
            f"{r['seconds']:.0f} s ({r['seconds'] / days:.2f} s a day), {r['requests']:,} "
            f"requests, {per_request:.2f} us a request, peak memory {r['peak'] / 1e9:.2f} GB"], \
        per_request


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    start = time.perf_counter()
    if what == "build":
        sizes = [int(a) for a in sys.argv[2:]] or [1_000, 10_000, 100_000]
        print("\n".join(build(sizes)))
    elif what == "year":
        people = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
        days = int(sys.argv[3]) if len(sys.argv) > 3 else 250
        print("\n".join(year(people, days)[0]))
    else:
        lines = build([1_000, 10_000, 100_000])
        lines.append("B7: one year (250 working days) of a flat team, a fresh process each")
        small, small_cost = year(2_000, 250)
        large, large_cost = year(100_000, 250)
        lines += small + large
        lines.append(f"  cost per request, 100,000 people / 2,000 people: "
                     f"{large_cost / small_cost:.2f}x (target <= 2x)")
        print("\n".join(lines))
    print(f"({time.perf_counter() - start:.0f} s in all)")


if __name__ == "__main__":
    main()
