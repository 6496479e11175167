"""Benchmarks B1 to B6, side by side with the tools a user would otherwise pick.

    pip install -e '.[bench]'
    python benchmarks/run.py                 # all, printed
    python benchmarks/run.py b1 b3 --write   # some, and record them in benchmarks/README.md

Each benchmark runs its competitors in the same invocation and prints ratios, so the machine's
noise cancels. Medians of ``--repeats`` runs (5 by default; Ciw and SimPy, the slow ones, 3).

- B1: W1, a tandem line of three M/M/1 stations (arrival 0.8, service 1, 200,000 customers,
  mean sojourn 15) and a fork-join of two M/M/1 branches (arrival 0.5, service 1, theory
  2.875): the full model configured as a pure queueing network against Ciw (W1 only), SimPy and
  a minimal heapq loop written here and a compiled loop (``numba_reference.py``).
- B2: the bundled pyramid with every dynamic on against the same organization as a pure
  queueing network: requests and days per second.
- B3: the same per-employee load from 20 to 2,000 employees: cost per request.
- B4: peak memory of one 250-day run of a 500-employee organization; a worker's memory over
  100 runs.
- B5: the demo end to end (with its report); the 40-run compare (the demo's: 20 runs of each
  design, 250 days; and of 100 days) on 1 and 2 workers as a command each, and in one session
  where imports are paid once and pools fork warm (``session_compare.py``).
  Its serial fraction: what of the issue's 400-run compare does not divide among workers, and
  the speed-up it allows 16 workers (Amdahl; ``bench_serial.py``).
- B6: cold start: importing and compiling the engine with an empty numba cache (against a warm
  one), and the README's demo command on a fresh clone of HEAD, install included.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_CUSTOMERS = 200_000
SPEED = 1000  # customers per simulated day scale: rates x SPEED, same network in its own time


# ------------------------------------------------------------------ workloads: the model


def _model(graph_name: str, lam: float, n: int, seed: int) -> tuple[int, float, float]:
    """The full model as a pure queueing network: (customers, seconds, mean sojourn)."""
    from simulation import OrgModel
    from simulation.config.presets import fork_join_graph, queueing_network, speed_up, tandem_graph

    graph = tandem_graph((1.0, 1.0, 1.0)) if graph_name == "tandem" else fork_join_graph(2, 1.0)
    model = OrgModel(queueing_network(speed_up(graph, SPEED), lam * SPEED), rng=seed)
    start = time.perf_counter()
    model.run(math.ceil(n / (lam * SPEED)))
    seconds = time.perf_counter() - start
    k = model.kpis()
    return k["external_completed"], seconds, k["mean_delay"] * SPEED


def model_tandem(n: int, seed: int) -> tuple[int, float, float]:
    """The full model as W1 (three M/M/1 in series, arrival 0.8)."""
    return _model("tandem", 0.8, n, seed)


def model_fork_join(n: int, seed: int) -> tuple[int, float, float]:
    """The full model as a two-branch fork-join (arrival 0.5)."""
    return _model("fork_join", 0.5, n, seed)


# ------------------------------------------------------------------ workloads: references


def heapq_tandem(n: int, seed: int, stations: int = 3, lam: float = 0.8,
                 mu: float = 1.0) -> tuple[int, float, float]:
    """A minimal event loop: arrivals and departures on one heap, FIFO queues."""
    rng = np.random.default_rng(seed)
    inter = rng.exponential(1 / lam, n).tolist()
    service = rng.exponential(1 / mu, n * stations).tolist()
    start = time.perf_counter()
    queues = [deque() for _ in range(stations)]
    busy = [False] * stations
    born = [0.0] * n
    heap = [(inter[0], 0, -1, 0)]  # (time, order, station or -1 for an arrival, customer)
    seq, s_i, total, done, arrived = 1, 0, 0.0, 0, 0
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        now, _, station, c = pop(heap)
        if station < 0:  # an arrival: schedule the next one
            born[c] = now
            arrived += 1
            if arrived < n:
                push(heap, (now + inter[arrived], seq, -1, arrived))
                seq += 1
            nxt = 0
        else:  # a departure
            q = queues[station]
            if q:
                push(heap, (now + service[s_i], seq, station, q.popleft()))
                seq += 1
                s_i += 1
            else:
                busy[station] = False
            nxt = station + 1
            if nxt == stations:
                total += now - born[c]
                done += 1
                continue
        if busy[nxt]:
            queues[nxt].append(c)
        else:
            busy[nxt] = True
            push(heap, (now + service[s_i], seq, nxt, c))
            seq += 1
            s_i += 1
    return done, time.perf_counter() - start, total / done


def heapq_fork_join(n: int, seed: int, lam: float = 0.5, mu: float = 1.0
                    ) -> tuple[int, float, float]:
    """A minimal event loop for the fork-join: each arrival joins both FIFO queues."""
    rng = np.random.default_rng(seed)
    inter = rng.exponential(1 / lam, n).tolist()
    service = rng.exponential(1 / mu, 2 * n).tolist()
    start = time.perf_counter()
    queues = [deque(), deque()]
    busy = [False, False]
    born = [0.0] * n
    pending = [2] * n
    heap = [(inter[0], 0, -1, 0)]
    seq, s_i, total, done, arrived = 1, 0, 0.0, 0, 0
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        now, _, branch, c = pop(heap)
        if branch < 0:
            born[c] = now
            arrived += 1
            if arrived < n:
                push(heap, (now + inter[arrived], seq, -1, arrived))
                seq += 1
            for b in (0, 1):
                if busy[b]:
                    queues[b].append(c)
                else:
                    busy[b] = True
                    push(heap, (now + service[s_i], seq, b, c))
                    seq += 1
                    s_i += 1
            continue
        q = queues[branch]
        if q:
            push(heap, (now + service[s_i], seq, branch, q.popleft()))
            seq += 1
            s_i += 1
        else:
            busy[branch] = False
        pending[c] -= 1
        if pending[c] == 0:
            total += now - born[c]
            done += 1
    return done, time.perf_counter() - start, total / done


def numba_tandem(n: int, seed: int, fork: bool = False) -> tuple[int, float, float]:
    """The compiled reference loop (``numba_reference.py``), compiled before timing."""
    sys.path.insert(0, str(Path(__file__).parent))
    from numba_reference import simulate

    lam = 0.5 if fork else 0.8
    rates = [1e12, 1.0, 1.0] if fork else [1.0, 1.0, 1.0]
    deps = {0: [(1, 1.0), (2, 1.0)]} if fork else {0: [(1, 1.0)], 1: [(2, 1.0)]}
    simulate(seed, 10.0, lam, rates, deps)  # compile (cached on disk after the first time)
    start = time.perf_counter()
    done, w = simulate(seed, n / lam, lam, rates, deps)
    return done, time.perf_counter() - start, w


def ciw_tandem(n: int, seed: int) -> tuple[int, float, float]:
    """Ciw's tandem line (Ciw seeds its own global generator; a benchmark-only call)."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(0.8), None, None],
        service_distributions=[ciw.dists.Exponential(1.0)] * 3,
        routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
        number_of_servers=[1, 1, 1])
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    start = time.perf_counter()
    sim.simulate_until_max_customers(n, method="Finish")
    seconds = time.perf_counter() - start
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    count: dict[int, int] = {}
    for r in sim.get_all_records():
        first[r.id_number] = min(first.get(r.id_number, math.inf), r.arrival_date)
        last[r.id_number] = max(last.get(r.id_number, -math.inf), r.exit_date)
        count[r.id_number] = count.get(r.id_number, 0) + 1
    full = [i for i, k in count.items() if k == 3]
    return len(full), seconds, sum(last[i] - first[i] for i in full) / len(full)


def simpy_tandem(n: int, seed: int, fork: bool = False) -> tuple[int, float, float]:
    """SimPy's tandem line (or, with ``fork``, the two-branch fork-join)."""
    import simpy

    rng = np.random.default_rng(seed)
    lam = 0.5 if fork else 0.8
    inter = iter(rng.exponential(1 / lam, n).tolist())
    service = iter(rng.exponential(1.0, 3 * n).tolist())
    env = simpy.Environment()
    servers = [simpy.Resource(env, 1) for _ in range(2 if fork else 3)]
    sojourns: list[float] = []

    def visit(server: simpy.Resource):
        with server.request() as req:
            yield req
            yield env.timeout(next(service))

    def tandem_customer():
        t0 = env.now
        for s in servers:
            yield from visit(s)
        sojourns.append(env.now - t0)

    def fork_customer():
        t0 = env.now
        yield env.all_of([env.process(visit(s)) for s in servers])
        sojourns.append(env.now - t0)

    def source():
        for _ in range(n):
            yield env.timeout(next(inter))
            env.process(fork_customer() if fork else tandem_customer())

    env.process(source())
    start = time.perf_counter()
    env.run()
    return len(sojourns), time.perf_counter() - start, sum(sojourns) / len(sojourns)


# ------------------------------------------------------------------ measuring


def median_rate(fn: Callable[[int, int], tuple[int, float, float]], n: int,
                repeats: int) -> tuple[float, float]:
    """Median customers per second over ``repeats`` seeds, and the mean sojourn of seed 0."""
    rates, sojourn = [], math.nan
    for seed in range(repeats):
        gc.collect()
        done, seconds, w = fn(n, seed)
        rates.append(done / seconds)
        if seed == 0:
            sojourn = w
    return statistics.median(rates), sojourn


def b1(repeats: int, quick: bool) -> list[str]:
    n = N_CUSTOMERS // (10 if quick else 1)
    slow = max(1, min(3, repeats))
    lines = [f"B1: customers per second, medians ({repeats} repeats; Ciw and SimPy {slow}), "
             f"{n:,} customers"]
    for workload, theory, entries in (
            ("W1 tandem, 3 x M/M/1, rho 0.8", 15.0, [
                ("service-chain model", model_tandem, repeats),
                ("heapq reference", heapq_tandem, repeats),
                ("numba reference", numba_tandem, repeats),
                ("SimPy", simpy_tandem, slow),
                ("Ciw", ciw_tandem, slow)]),
            ("fork-join, 2 x M/M/1, rho 0.5", 2.875, [
                ("service-chain model", model_fork_join, repeats),
                ("heapq reference", heapq_fork_join, repeats),
                ("numba reference", lambda k, s: numba_tandem(k, s, fork=True), repeats),
                ("SimPy", lambda k, s: simpy_tandem(k, s, fork=True), slow)])):
        lines.append(f"  {workload} (theory: mean sojourn {theory})")
        results = {name: median_rate(fn, n, r) for name, fn, r in entries}
        model = results["service-chain model"][0]
        for name, (rate, w) in results.items():
            ratio = "" if name == "service-chain model" else f"   model / {name}: " \
                f"{model / rate:.2f}x"
            lines.append(f"    {name:<22}{rate:>12,.0f} /s   mean sojourn {w:7.3f}{ratio}")
    return lines


def b2(repeats: int, quick: bool) -> list[str]:
    from simulation import OrgModel
    from simulation.config.files import load_scenario

    days = 60 if quick else 250
    full = load_scenario("pyramid")
    pure = full.with_people(enabled=False).with_customers(
        churn=False, word_of_mouth=False, acquisition_per_day=0.0).with_work(
        handoff_delay=0.0, handoff_loss=0.0, rework=0.0, assistance_relief=0.0)
    lines = [f"B2: the bundled pyramid, {days} days, medians of {repeats}"]
    out = {}
    for label, scenario in (("every dynamic on", full), ("pure queueing", pure)):
        per_request, per_day, reqs = [], [], []
        for seed in range(repeats):
            gc.collect()
            model = OrgModel(scenario, rng=seed)
            start = time.perf_counter()
            model.run(days)
            seconds = time.perf_counter() - start
            requests = model.metrics.requests_completed
            per_request.append(seconds / requests * 1e6)
            per_day.append(days / seconds)
            reqs.append(requests / seconds)
        out[label] = statistics.median(per_request)
        lines.append(f"  {label:<18}{statistics.median(reqs):>10,.0f} requests/s "
                     f"{statistics.median(per_day):>8,.1f} days/s "
                     f"{out[label]:>7.2f} us per request")
    lines.append(f"  cost per request, every dynamic on / pure queueing: "
                 f"{out['every dynamic on'] / out['pure queueing']:.2f}x (target <= 1.5x)")
    return lines


def b3(repeats: int, quick: bool) -> list[str]:
    from simulation import FlatTeam, OrgModel, Pyramid, Scenario

    days = 10 if quick else 30
    lines = [f"B3: the same per-employee load, growing organizations ({days} days, medians of "
             f"{repeats})"]
    ratios = []
    for label, designs in (
            ("flat team", [FlatTeam(size=n) for n in (20, 200, 2000)]),
            ("pyramid, span 5", [Pyramid(levels=k, span=5) for k in (3, 4, 5)])):
        costs = {}
        for design in designs:
            per_request, size = [], 0
            for seed in range(repeats):
                gc.collect()
                model = OrgModel(Scenario(design=design), rng=seed)
                size = len(model.chain.occupant)
                start = time.perf_counter()
                model.run(days)
                seconds = time.perf_counter() - start
                per_request.append(seconds / model.metrics.requests_completed * 1e6)
            costs[size] = statistics.median(per_request)
            lines.append(f"  {label:<16}{size:>6} positions {costs[size]:>8.2f} us per request")
        ratios.append(max(costs.values()) / min(costs.values()))
        lines.append(f"  {label}: largest / smallest cost per request {ratios[-1]:.2f}x "
                     "(target <= 1.5x)")
    return lines


B4_SCRIPT = """
import gc, sys
from simulation import FlatTeam, OrgModel, Scenario
from simulation.config.files import load_scenario
runs = int(sys.argv[1])
scenario = (Scenario(design=FlatTeam(size=500)) if sys.argv[3] == "big"
            else load_scenario("pyramid"))
rss = []
for seed in range(runs):
    model = OrgModel(scenario, rng=seed)
    model.run(int(sys.argv[2]))
    model.kpis(); model.daily(); model.positions(); model.flows()
    del model
    gc.collect()
    with open("/proc/self/statm") as f:
        rss.append(int(f.read().split()[1]) * 4096 / 2**20)
# VmHWM: this process's own peak (ru_maxrss would carry the benchmark parent's over exec)
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
print(peak, *rss)
"""


def b4(repeats: int, quick: bool) -> list[str]:
    days = 60 if quick else 250
    runs = 20 if quick else 100
    one = subprocess.run([sys.executable, "-c", B4_SCRIPT, "1", str(days), "big"],
                         capture_output=True, text=True, check=True).stdout.split()
    many = subprocess.run([sys.executable, "-c", B4_SCRIPT, str(runs), "60", "bundled"],
                          capture_output=True, text=True, check=True).stdout.split()
    rss = [float(x) for x in many[1:]]
    tenth = rss[min(9, len(rss) - 1)]
    return ["B4: memory",
            f"  one {days}-day run of a 500-employee flat team (stable: no position above 85% "
            f"load): peak RSS {float(one[0]):,.0f} MB (target < 300 MB)",
            f"  a worker over {runs} runs of the bundled pyramid (60 days each): RSS after run "
            f"10 {tenth:,.0f} MB, after run {runs} {rss[-1]:,.0f} MB (growth "
            f"{rss[-1] - tenth:+,.1f} MB)"]


def b5(repeats: int, quick: bool) -> list[str]:
    exe = Path(sys.executable).with_name("service-chain")
    lines = ["B5: end to end"]
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(exe), "demo", "--quiet", "--out", f"{tmp}/demo"]
        if quick:
            args += ["--runs", "4"]
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        lines.append(f"  demo{' (4 runs)' if quick else ''} with its report: "
                     f"{time.perf_counter() - start:.1f} s wall (target < 60 s)")
        runs, sizes = (10, (60,)) if quick else (40, (250, 100))
        for days in sizes:
            walls: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(1 if quick else 3):
                for workers in (1, 2):
                    start = time.perf_counter()
                    subprocess.run([str(exe), "compare", "pyramid", "inverted_pyramid", "--runs",
                                    str(runs // 2), "--days", str(days), "--quiet", "-w",
                                    str(workers), "--out", f"{tmp}/w{workers}-{days}-{_}"],
                                   check=True, capture_output=True)
                    walls[workers].append(time.perf_counter() - start)
            one, two = (statistics.median(walls[w]) for w in (1, 2))
            lines.append(f"  {runs}-run compare ({days} days), a command each (imports and pool "
                         f"start-up included): 1 worker {one:.2f} s, 2 workers {two:.2f} s, "
                         f"speed-up {one / two:.2f}x")
    days = 60 if quick else 250
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "session_compare.py"),
                          str(runs), str(days), str(1 if quick else repeats)],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    one, two = (statistics.median(float(x) for x in line.split()) for line in out[:2])
    lines.append(f"  {runs}-run compare ({days} days) in a session (imports paid once, workers "
                 f"forked warm): 1 worker {one:.2f} s, 2 workers {two:.2f} s, speed-up "
                 f"{one / two:.2f}x" + ("" if quick else " (target >= 1.8x)"))
    serial = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_serial.py"),
                             *(("40", "60") if quick else ("400", "250"))],
                            capture_output=True, text=True, check=True).stdout
    lines += ["  " + line for line in serial.strip().splitlines()]
    return lines


def _first_compile(cache: str) -> float:
    """Seconds to import the package and load the engine, with numba's cache in ``cache``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from simulation.experiments.warm import warm; warm()"],
                   check=True, capture_output=True, env={**os.environ, "NUMBA_CACHE_DIR": cache})
    return time.perf_counter() - start


def _readme_demo_command() -> str:
    setup = (ROOT / "README.md").read_text().split("## Set-up", 1)[1]
    return setup.split("```bash\n", 1)[1].split("\n```", 1)[0]


def b6(repeats: int, quick: bool) -> list[str]:
    lines = ["B6: cold start (nothing compiled, nothing cached)"]
    with tempfile.TemporaryDirectory() as tmp:
        cold = [_first_compile(f"{tmp}/cache{i}") for i in range(1 if quick else 2)]
        warm = [_first_compile(f"{tmp}/cache0") for _ in range(1 if quick else 3)]
        lines.append(f"  import and load the engine: empty numba cache "
                     f"{statistics.median(cold):.1f} s, warm cache {statistics.median(warm):.1f} s")
        if quick:
            return lines
        command = _readme_demo_command()
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "NUMBA_CACHE_DIR")}
        start = time.perf_counter()
        subprocess.run(["bash", "-c", command], cwd=clone, check=True, capture_output=True,
                       env=env)
        lines.append(f"  the README's demo command on a fresh clone of HEAD (venv, install, first "
                     f"compile, demo): {time.perf_counter() - start:.1f} s (target < 60 s)")
    return lines


BENCHMARKS = {"b1": b1, "b2": b2, "b3": b3, "b4": b4, "b5": b5, "b6": b6}


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks B1 to B6 (see the module doc).")
    parser.add_argument("which", nargs="*", choices=[*BENCHMARKS, []], default=[],
                        help="benchmarks to run (all by default)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--write", action="store_true",
                        help="record the output in benchmarks/README.md")
    args = parser.parse_args()
    which = args.which or list(BENCHMARKS)
    header = (f"python benchmarks/run.py {' '.join(args.which)}"
              f"{' --quick' if args.quick else ''}".strip()
              + f" on {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores")
    print(header)
    out = [header, ""]
    for name in which:
        lines = BENCHMARKS[name](args.repeats, args.quick)
        print("\n".join(lines), flush=True)
        out += [*lines, ""]
    if args.write:
        readme = Path(__file__).with_name("README.md")
        text = readme.read_text() if readme.exists() else ""
        marker = "## Latest results"
        before, _, rest = text.partition(marker)
        after = rest[rest.find("\n## "):] if "\n## " in rest else "\n"  # later sections stay
        readme.write_text(before.rstrip() + f"\n\n{marker}\n\n```\n" + "\n".join(out).rstrip()
                          + "\n```\n" + after)


if __name__ == "__main__":
    main()
