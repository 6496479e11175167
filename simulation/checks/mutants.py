"""Mutant engines: deliberately wrong variants of the compiled kernel that the checks must catch.

A check that cannot fail proves nothing. Each :class:`Mutant` is a small edit of the engine's
source (``simulation/compiled/kernel.py``): a queue served last come first served, work of the
wrong law, a join that waits for the first input instead of the last, hand-off delays dropped,
routing probabilities off by a tenth, priorities ignored. :func:`run_mutant` copies the package,
applies the edit, and runs the named checks on the copy in a separate process, so the engine
under test is the mutant and the installed one is untouched. ``service-chain validate
--mutants`` prints which checks catch which mutant; ``tests/test_mutants.py`` asserts that each
is caught by the checks named for it.

The production code carries no switch for any of this. When the kernel changes so that an edit
no longer applies, :func:`apply` says so by name instead of running the correct engine under a
mutant's name.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from simulation.checks.result import CheckResult

#: The file every mutant edits, relative to the package.
KERNEL = "compiled/kernel.py"


@dataclasses.dataclass(frozen=True)
class Mutant:
    """A deliberately wrong engine: edits of the kernel's source and the checks meant to catch it.

    Attributes:
        name: Short name (``--mutants NAME``).
        description: What is wrong, in words.
        edits: ``(old, new, count)``: ``old`` must occur exactly ``count`` times.
        caught_by: Checks (names in ``CHECKS``) that must catch it.
    """

    name: str
    description: str
    edits: tuple[tuple[str, str, int], ...]
    caught_by: tuple[str, ...]


class MutantError(RuntimeError):
    """A mutant's edit no longer matches the kernel's source."""


MUTANTS: tuple[Mutant, ...] = (
    Mutant("lcfs", "queues served last come first served (ties broken by the newest)",
           (("and ri[a, R_SEQ] < ri[b, R_SEQ])", "and ri[a, R_SEQ] > ri[b, R_SEQ])", 1),),
           ("tandem",)),
    Mutant("work_law", "exponential work drawn as a hypoexponential of coefficient of "
           "variation squared 0.94 (same mean)",
           (("            return mean * size\n",
             "            return mean * (0.97 * size + 0.03 * _exponential(e, ic))\n", 1),
            ("        return mean * _exponential(e, ic)\n",
             "        return mean * (0.97 * _exponential(e, ic) + 0.03 * _exponential(e, ic))\n",
             1)),
           ("tandem",)),
    Mutant("first_input", "a join goes ahead when its first input arrives, not its last (first "
           "passes only; a request still awaiting inputs when its customer is served is kept, "
           "not recycled, which is safe for joins one level deep, as in the checks)",
           (("            ri[parent, R_PENDING] -= 1\n            if ri[parent, R_PENDING] == 0:",
             "            ri[parent, R_PENDING] -= 1\n            if ((ri[parent, R_PASSES] == 0"
             " and ri[parent, R_FIRST] == child)\n                    or (ri[parent, R_PASSES]"
             " > 0 and ri[parent, R_PENDING] == 0)):", 1),
            ("_free_tree(ri, free, ic, root, sk)\n",
             "_free_tree(ri, free, ic, root, sk) if ri[root, R_PENDING] <= 0 else None\n", 2)),
           ("fork_join_2_0.5",)),
    Mutant("no_handoff", "hand-off delays between departments dropped",
           (("and xp[X_HMEAN] > 0.0:", "and xp[X_HMEAN] < 0.0:", 2),),
           ("handoff",)),
    Mutant("routing", "each input of probability below 1 needed with 0.9 times its probability "
           "(exclusive alternatives too)",
           (("_keyed_uniform(key, j - lo) >= p:", "_keyed_uniform(key, j - lo) >= 0.9 * p:", 1),
            ("total += ew[i, W_P]", "total += 0.9 * ew[i, W_P]", 1)),
           ("random_network", "jackson_network")),
    Mutant("exclusive", "exclusive alternatives drawn independently, each with its probability "
           "(work may wait for two inputs at once)",
           (("        if ei[j, E_EXCL]:\n            if j != chosen:",
             "        if False:\n            if j != chosen:", 1),),
           ("jackson_network",)),
    Mutant("no_priority", "queue disciplines ignored: every queue first come first served",
           (("return rf[a, F_KEY] < rf[b, F_KEY] or (rf[a, F_KEY] == rf[b, F_KEY]",
             "return False or (True", 1),),
           ("priority",)),
    Mutant("overtaken", "every start during a wait counted as overtaking it (prioritisation), "
           "the work that was there first too",
           (("        if ri[x, R_SEQ] < seq:\n", "        if True:\n", 1),),
           ("priority",)),
)


def mutant(name: str) -> Mutant:
    """The mutant called ``name``."""
    for m in MUTANTS:
        if m.name == name:
            return m
    raise ValueError(f"unknown mutant {name!r}: one of {', '.join(m.name for m in MUTANTS)}")


def apply(m: Mutant, source: str) -> str:
    """The kernel's ``source`` with ``m``'s edits; :class:`MutantError` if one does not match."""
    for old, new, count in m.edits:
        found = source.count(old)
        if found != count:
            raise MutantError(f"mutant {m.name}: expected {count} occurrence(s) of {old!r} in "
                              f"{KERNEL}, found {found}; update simulation/checks/mutants.py")
        source = source.replace(old, new)
    return source


def default_root() -> Path:
    """Where mutated copies live: a stable folder, so numba's cache of each mutant is reused."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "service-chain" / "mutants"


def build(m: Mutant, root: Path | None = None) -> Path:
    """A copy of the package with ``m`` applied; returns the folder to put on ``sys.path``."""
    package = Path(__file__).resolve().parents[1]
    target = (root or default_root()) / m.name
    copy = target / "simulation"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.nbi",
                                                                  "*.nbc"))
    kernel = copy / KERNEL
    kernel.write_text(apply(m, kernel.read_text()))
    from simulation.config.files import bundled_dir

    scenarios = target / "scenarios"  # the bundled scenarios, where the copy looks for them
    if scenarios.exists():
        shutil.rmtree(scenarios)
    shutil.copytree(bundled_dir(), scenarios)
    return target


_RUNNER = """
import dataclasses, json, sys
sys.path.insert(0, sys.argv[1])
import simulation
assert simulation.__file__.startswith(sys.argv[1]), simulation.__file__
from simulation.checks.validation import run_checks
results = run_checks(json.loads(sys.argv[2]), scale=float(sys.argv[3]))
print(json.dumps([dataclasses.asdict(r) for r in results]))
"""


def run_mutant(m: Mutant, checks: Sequence[str] | None = None, scale: float = 1.0,
               root: Path | None = None) -> list[CheckResult]:
    """Run ``checks`` (by default the ones that must catch ``m``) on the mutated engine."""
    return _run_built(m, build(m, root), list(checks or m.caught_by), scale)


def _run_built(m: Mutant, folder: Path, names: list[str], scale: float) -> list[CheckResult]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(folder), json.dumps(names),
                           str(scale)], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise MutantError(f"mutant {m.name}: the checks did not run: {tail[0]}")
    return [CheckResult(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def run_mutants(names: Sequence[str] | None = None, checks: Sequence[str] | None = None,
                scale: float = 1.0, workers: int = 1, root: Path | None = None,
                progress: Callable[[str], None] | None = None) -> dict[str, list[CheckResult]]:
    """Each named mutant (all by default) against ``checks`` (by default the engine checks).

    Each mutant runs in its own process (a copy of the package); ``workers`` of them at once.
    """
    from concurrent.futures import ThreadPoolExecutor

    from simulation.checks.validation import ENGINE_CHECKS

    chosen = [mutant(n) for n in names] if names else list(MUTANTS)
    battery = list(checks or ENGINE_CHECKS)
    folders = {m.name: build(m, root) for m in chosen}  # one snapshot of the sources for all
    out: dict[str, list[CheckResult]] = {}
    with ThreadPoolExecutor(max(1, workers)) as pool:  # the work is in the subprocesses
        futures = {m.name: pool.submit(_run_built, m, folders[m.name], battery, scale)
                   for m in chosen}
        for name, future in futures.items():
            out[name] = future.result()
            if progress:
                progress(name)
    return out


def mutant_lines(matrix: dict[str, list[CheckResult]]) -> list[str]:
    """One line per mutant: what is wrong, and the checks that caught it (or that none did)."""
    lines = []
    for name, results in matrix.items():
        failed = [r.check for r in results if not r.passed]
        verdict = (f"caught by {len(failed)} of {len(results)} checks: " + "; ".join(failed)
                   if failed else f"NOT CAUGHT by any of {len(results)} checks")
        lines.append(f"{name} ({mutant(name).description}): {verdict}")
    return lines


def caught(results: Sequence[CheckResult]) -> bool:
    """Whether any check failed, which is what a mutant should make happen."""
    return any(not r.passed for r in results)


__all__ = ["MUTANTS", "Mutant", "MutantError", "apply", "build", "caught", "mutant",
           "mutant_lines", "run_mutant", "run_mutants"]
