"""The formulas are written once (simulation.core.rules) and both engines run that one copy."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.core import rules

PACKAGE = Path(__file__).resolve().parents[1] / "simulation"

CUSTOMERS_DAY = """
import numpy as np
from simulation.compiled import kernel
cf = np.array([[0.9, 0.6, 0.0], [0.2, 0.6, 0.0]])
ids = np.array([0, 1]); leaving = np.empty(2, dtype=np.int64)
k, pos, neg = kernel.customers_day(cf, ids, ids, np.array([0.99, 0.99]), True, 0.01, 9.0,
                                   True, 0.05, 2.0, leaving)
print(repr(pos), repr(neg))
"""


def run_in(copy: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(copy)
    out = subprocess.run([sys.executable, "-c", CUSTOMERS_DAY], cwd=copy, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_editing_a_rule_in_a_copy_of_the_package_changes_the_compiled_result(tmp_path) -> None:
    """numba caches a function by the file that defines it; the kernel's cache is keyed on every
    source it compiles (simulation.compiled.cache), so a rule edited in ``rules.py`` alone
    recompiles the kernel that inlines it instead of loading the stale one."""
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "simulation", ignore=shutil.ignore_patterns("__pycache__"))
    before = run_in(copy)
    assert before == run_in(copy)  # loaded from the cache the first run wrote
    assert list((copy / "simulation" / "compiled" / "__pycache__").glob("kernel.*.nbi"))
    source = copy / "simulation" / "core" / "rules.py"
    text = source.read_text()
    edited = text.replace("return talk_rate * x * x, 0.0", "return 2.0 * talk_rate * x * x, 0.0")
    assert edited != text
    source.write_text(edited)
    after = run_in(copy)
    pos_before, neg_before = map(float, before.split())
    pos_after, neg_after = map(float, after.split())
    assert pos_after == 2.0 * pos_before and neg_after == neg_before


def test_rules_are_plain_functions_of_floats() -> None:
    """What numba compiles and Python calls alike: positional floats, no defaults, no state."""
    for rule in rules.RULES:
        params = inspect.signature(rule).parameters.values()
        assert all(p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
                   for p in params), rule.__name__
    public = {name for name, f in vars(rules).items()
              if inspect.isfunction(f) and f.__module__ == rules.__name__}
    assert public == {r.__name__ for r in rules.RULES}


def test_the_kernel_compiles_every_rule_and_keeps_no_formula_of_its_own() -> None:
    source = (PACKAGE / "compiled" / "kernel.py").read_text()
    for rule in rules.RULES:
        assert f"_rule(rules.{rule.__name__})" in source, rule.__name__
    for formula in ("math.exp(", "math.log(", "** dp["):
        assert formula not in source, f"kernel.py computes {formula} itself: use a rule"


@pytest.mark.parametrize(("rule", "args", "expected"), [
    (rules.discounted, (0.8, 1.0, 2.0), 0.8 * 0.6065306597126334),
    (rules.disconfirmation, (0.7, 0.6, 10.0), 1.0 / (1.0 + 0.36787944117144233)),
    (rules.smoothed, (0.5, 1.0, 0.1), 0.55),
    (rules.averaged, (0.5, 1.0, 5.0), 0.6),
    (rules.handed_over, (0.9, 0.95), 0.855),
    (rules.compensatory, (0.8, 0.6, 0.5), 0.7),
    (rules.cobb_douglas, (0.64, 0.0, 0.5), 0.8),
    (rules.log_quality, (0.0,), -27.631021115928547),
    (rules.effort, (0.5, 0.1, 0.5), 1.15),
    (rules.effort, (0.0, 5.0, 0.5), 0.1),
    (rules.assistance, (0.8, 0.3), 0.24),
    (rules.target_morale, (0.7, 0.8, 0.8, 0.7, 1.0, 0.9, 0.8), 0.68),
    (rules.target_morale, (0.7, 0.8, 1.0, 0.7, 1.0, 0.0, 0.8), 0.94),
    (rules.target_morale, (0.7, 0.8, 0.0, 0.7, 1.0, 2.0, 0.8), 0.0),
    (rules.quit_probability, (0.01, 5.0, 0.7, 0.7), 0.01),
    (rules.quit_probability, (0.5, 5.0, 0.7, 0.0), 1.0),
    (rules.proficiency, (0.3, 1.0, -1.0), 0.85),
    (rules.effective_skill, (0.8, 0.5, 0.4, 0.25), 0.44),
    (rules.effective_skill, (0.8, 1.0, 0.4, 1.0), 1.0),
    (rules.speed, (1.0, 0.3, -0.5), 0.85),
    (rules.speed, (0.01, 0.3, 0.0), 0.05),
    (rules.mean_work, (12.0, 0.5), 1.0 / 6.0),
    (rules.mean_work, (float("inf"), 1.0), 0.0),
    (rules.leave_probability, (0.5, 0.03, 9.0), 0.03),
    (rules.word_of_mouth, (1.0, 0.05, 2.0), (0.05, 0.0)),
    (rules.word_of_mouth, (0.0, 0.05, 2.0), (0.0, 0.1)),
], ids=lambda v: getattr(v, "__name__", None))
def test_each_rule_computes_its_published_formula(rule, args, expected) -> None:
    assert rule(*args) == pytest.approx(expected, rel=1e-12, abs=1e-15)
