"""Mutation testing: mutants the test suite must catch (issue 14, item 5).

Two kinds of mutants, each run on a copy of the package (never on the working tree):

* ``--listed``: hand-listed mutations of the compiled rules (``LISTED`` below: a name, the file,
  the function, a source snippet, its replacement and why the tests must catch it). Most are in
  ``simulation/compiled/kernel.py`` (its calls of the rules, its own loops and branches); a few
  are in ``simulation/core/rules.py``, the formulas the kernel compiles and the Python path
  shares. The engine tests (``ENGINE_TESTS``: rule values, kernel twins, compiled against
  Python) run against each; every one must be caught, and a snippet that is no longer in its
  function (the files are edited by others) is an error, never skipped.
* ``--sampled MODULE...``: mutants drawn with a fixed seed, spread over the functions of a
  module (``MODULES`` below), at mutation sites found with :mod:`ast` in the current source: a
  flipped comparison, a swapped arithmetic operator, a changed constant, a negated condition, a
  dropped return value, a dropped unary minus and ddof-style keyword integers (docstrings,
  decorators, defaults and annotations are left alone). Each mutant runs only the tests mapped
  to its module (a fixed mapping: numba-compiled lines are invisible to coverage).

Each mutant gets a fresh ``NUMBA_CACHE_DIR`` when it changes the kernel (numba then compiles the
mutated source and never touches the real cache); the other mutants share one cache warmed by
the unmutated baseline run. A mutant past ``--timeout`` counts as killed ("timeout").

Usage::

    .venv/bin/python tools/mutate.py --list
    .venv/bin/python tools/mutate.py --listed
    .venv/bin/python tools/mutate.py --known
    .venv/bin/python tools/mutate.py --sampled stats strategies store kernel --seed 14 \
        --per-module 42 --json /tmp/mutants.json

``--known`` runs the survivors of an earlier measurement in the statistics and the store
(``KNOWN``), each against its module's tests.

Exit status: 0 when every listed (and known) mutation was caught, 1 when one survived or a
snippet was missing, 2 when the unmutated baseline fails its tests.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import dataclasses
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KERNEL = "simulation/compiled/kernel.py"
RULES = "simulation/core/rules.py"
#: Files numba compiles into the kernel: a mutant of one gets a fresh numba cache.
COMPILED = (KERNEL, RULES)
COPIED = ("simulation", "tests", "scenarios", "pyproject.toml")

# --------------------------------------------------------------------------- listed mutations


@dataclasses.dataclass(frozen=True)
class Listed:
    """A hand-listed mutation: ``find`` (once in ``function`` of ``path``) -> ``replace``."""

    name: str
    function: str
    find: str
    replace: str
    reason: str
    path: str = KERNEL


def _rule(name: str, function: str, find: str, replace: str, reason: str) -> Listed:
    return Listed(name, function, find, replace, reason, RULES)


LISTED: tuple[Listed, ...] = (
    # ---- the kernel: its calls of the rules, its own loops and branches (engine equivalence)
    Listed("expectation_target_swapped", "_finish_root",
           "_smoothed(cf[cust, C_EXPECT], value, xp[X_LEARN])",
           "_smoothed(cf[cust, C_EXPECT], s, xp[X_LEARN])",
           "expectations learn from the value received, not from the satisfaction"),
    Listed("satisfaction_update_swapped", "_finish_root",
           "_smoothed(cf[cust, C_SAT], s, xp[X_SATW])", "_smoothed(s, cf[cust, C_SAT], xp[X_SATW])",
           "cumulative satisfaction moves towards the judgement"),
    Listed("patience_constant", "_finish_root",
           "_discounted(quality, delay, xp[X_PATIENCE])",
           "_discounted(quality, delay, xp[X_PATIENCE] + 1e-6)",
           "perceived value decays with the customer's patience, exactly"),
    Listed("judgement_swapped", "_finish_root",
           "_disconfirmation(value, cf[cust, C_EXPECT], xp[X_SENS])",
           "_disconfirmation(cf[cust, C_EXPECT], value, xp[X_SENS])",
           "the logistic judgement rises with value above expectation"),
    Listed("price_dropped", "_finish_root",
           "g[G_REVENUE] += price", "g[G_REVENUE] += 0.0",
           "every completed customer request pays the price"),
    Listed("effort_arguments_swapped", "_work_time",
           "_effort(_result(total, comp) / n, relief, xp[X_REWORK])",
           "_effort(_result(total, comp) / n, xp[X_REWORK], relief)",
           "rework and assistance relief are different parameters"),
    Listed("assistance_relief_constant", "_work_time",
           "_assistance(q, xp[X_RELIEF])", "_assistance(q, xp[X_RELIEF] + 1e-6)",
           "assistance takes exactly its relief share of the work off"),
    Listed("handoff_keep_constant", "_deliver",
           "_handed_over(quality, xp[X_HKEEP])", "_handed_over(quality, xp[X_HKEEP] - 1e-6)",
           "a handoff keeps exactly its share of quality"),
    Listed("internal_tolerance_constant", "_judged",
           "_discounted(quality, response, xp[X_ITOL])",
           "_discounted(quality, response, xp[X_ITOL] + 1e-6)",
           "the internal judgement decays with the internal tolerance, exactly"),
    Listed("compensatory_swapped", "_quality",
           "return _compensatory(skill, mean_in, d)", "return _compensatory(mean_in, skill, d)",
           "compensatory quality weighs skill by 1-d and inputs by d (d != 0.5 tested)"),
    Listed("cobb_douglas_log_dropped", "_quality",
           "term = rf[x, F_WEIGHT] * _log_quality(rf[x, F_DELIVERED])",
           "term = rf[x, F_WEIGHT] * rf[x, F_DELIVERED]",
           "Cobb-Douglas averages the inputs' log qualities"),
    Listed("weakest_link_comparison", "_quality",
           "if rf[x, F_DELIVERED] < best:", "if rf[x, F_DELIVERED] > best:",
           "the weakest link is the minimum, not the maximum"),
    Listed("weakest_link_blame", "_blame",
           "worst = n\n", "worst = 0\n",
           "weakest-link blame goes to the weakest input, not always to own skill"),
    Listed("compensatory_blame_swapped", "_blame",
           "shares[0] = (1.0 - d) * (1.0 - skill)", "shares[0] = d * (1.0 - skill)",
           "own-skill blame share is (1 - d)(1 - skill) (d != 0.5 tested)"),
    Listed("erlang_phases_constant", "_work_time",
           "return mean * total / k", "return mean * total / (k + 1e-6)",
           "an Erlang-k time is the mean of k phases"),
    Listed("customer_first_key_swapped", "_accept",
           "key = rf[root, F_ARRIVAL] if customer", "key = rf[r, F_ARRIVAL] if customer",
           "CustomerFirst orders by the customer's arrival, not the sub-request's"),
    Listed("morale_target_swapped", "people_day",
           "_target_morale(dp[D_BASELINE], dp[D_RES_EFFECT], y[Y_RESOURCES, i],",
           "_target_morale(dp[D_BASELINE], y[Y_RESOURCES, i], dp[D_RES_EFFECT],",
           "the morale target: resource effect times resources, not the other way round"),
    Listed("resource_memory_swapped", "people_day",
           "_averaged(y[Y_RESOURCES, i], day_mean, dp[D_RES_MEMORY])",
           "_averaged(day_mean, y[Y_RESOURCES, i], dp[D_RES_MEMORY])",
           "perceived resources move towards the day's internal service"),
    Listed("morale_adjustment_constant", "people_day",
           "_smoothed(y[Y_MORALE, i], target, dp[D_ADJUST])",
           "_smoothed(y[Y_MORALE, i], target, dp[D_ADJUST] + 1e-6)",
           "morale moves its adjustment share towards the target"),
    Listed("learning_curve_constant", "people_day",
           "_proficiency(gap, tasks, dp[D_EXPONENT])",
           "_proficiency(gap, tasks, dp[D_EXPONENT] + 1e-6)",
           "the learning curve's exponent comes from the progress ratio exactly"),
    Listed("quality_effect_dropped", "people_day",
           "dp[D_Q_EFFECT], g)", "dp[D_Q_EFFECT], 0.0)",
           "morale changes effective skill"),
    Listed("speed_effect_sign", "people_day",
           "_speed(y[Y_PROF, i], dp[D_S_EFFECT], g)", "_speed(y[Y_PROF, i], dp[D_S_EFFECT], -g)",
           "higher morale works faster"),
    Listed("quit_probability_swapped", "people_day",
           "_quit_probability(dp[D_QUIT_BASE], dp[D_QUIT_SENS], dp[D_QUIT_REF],",
           "_quit_probability(dp[D_QUIT_SENS], dp[D_QUIT_BASE], dp[D_QUIT_REF],",
           "the quit probability's base rate and sensitivity are different parameters"),
    Listed("churn_loyalty_sign", "customers_day",
           "_leave_probability(s, base, loyalty)", "_leave_probability(s, base, -loyalty)",
           "satisfied customers churn less"),
    Listed("word_of_mouth_ratio_dropped", "customers_day",
           "_word_of_mouth(s, talk_rate, negative_ratio)", "_word_of_mouth(s, talk_rate, 1.0)",
           "unhappy customers talk more (negative ratio)"),
    Listed("vacancy_row_zero", "take_waiting",
           "while r >= 0:", "while r > 0:",
           "work waiting at a vacancy in pool row 0 must not be dropped"),
    Listed("flow_growth_values", "insert_flows",
           "fv[h, 1] = values[i, 1]", "fv[h, 1] = values[i, 2]",
           "the flow table's growth path must carry the scores over"),
    # ---- the rules the kernel compiles (shared with the Python path: exact-value tests)
    _rule("rule_smoothed_sign", "smoothed",
          "return current + weight * (target - current)",
          "return current - weight * (target - current)",
          "exponential smoothing moves towards the target"),
    _rule("rule_disconfirmation_sign", "disconfirmation",
          "math.exp(-sensitivity * (value - expectation))",
          "math.exp(sensitivity * (value - expectation))",
          "the logistic judgement rises with value above expectation"),
    _rule("rule_cobb_douglas_constant", "cobb_douglas",
          "math.exp((1.0 - dependence)", "math.exp((1.0 + 1e-6 - dependence)",
          "Cobb-Douglas: exponent 1-d on skill, exactly"),
    _rule("rule_quit_probability_swapped", "quit_probability",
          "(reference - morale)", "(morale - reference)",
          "low morale raises the quit probability"),
    _rule("rule_word_of_mouth_dropped", "word_of_mouth",
          "talk_rate * negative_ratio * x * x", "talk_rate * x * x",
          "unhappy customers talk more (negative ratio)"),
    _rule("rule_effort_sign", "effort",
          "- relief)", "+ relief)",
          "assistance takes work off, it does not add it"),
    _rule("rule_target_morale_swapped", "target_morale",
          "max(0.0, load - demand_ref)", "max(0.0, demand_ref - load)",
          "demand above its reference lowers the morale target"),
)

#: Survivors of an earlier measurement outside the kernel, by module: each must now be caught.
KNOWN: dict[str, tuple[Listed, ...]] = {
    "stats": (
        Listed("sd_above_one", "difference", "len(d) > 1 and sd > 0 else (",
               "len(d) > 1 and sd > 1 else (",
               "every paired p-value on a 0-1 KPI would become 0",
               "simulation/experiments/stats.py"),
        Listed("relative_against_itself", "relative_differences",
               "part = ok[ok.scenario == row.scenario]", "part = ok[ok.scenario == baseline]",
               "each scenario is compared with the baseline, not the baseline with itself",
               "simulation/experiments/stats.py"),
        Listed("baseline_ddof_zero", "difference", "b.var(ddof=1) / len(b)",
               "b.var(ddof=0) / len(b)", "Welch uses the baseline's sample variance",
               "simulation/experiments/stats.py"),
        Listed("holm_uncapped", "holm", "min(1.0, (m - rank) * p[i])", "(m - rank) * p[i]",
               "Holm-adjusted p-values are capped at 1", "simulation/experiments/stats.py"),
    ),
    "store": (
        Listed("fingerprint_none", "run_experiment", '"scenario": scenario_fingerprint(s)}',
               '"scenario": None}',
               "a changed scenario under the same name must be refused, not resumed",
               "simulation/experiments/experiment.py"),
        Listed("fingerprint_dropped", "scenario_fingerprint", "    return encode(scenario)",
               "    return None", "the fingerprint describes the scenario",
               "simulation/experiments/store.py"),
    ),
}

# --------------------------------------------------------------------------- modules


@dataclasses.dataclass(frozen=True)
class Module:
    """A module to sample mutants in, the functions allowed and the tests that cover it."""

    path: str
    tests: tuple[str, ...]
    scopes: frozenset[str] | None = None  # top-level functions/classes; None: every function
    kernel: bool = False


#: The engine-equivalence tests (compiled against Python path, kernel twins, rule values), the
#: fast exact ones first so that ``-x`` stops early.
ENGINE_TESTS = ("tests/test_rules*.py", "tests/test_twins*.py", "tests/test_compiled.py",
                "tests/test_kernel_paths.py", "tests/test_engine_parameters.py")
#: Tests that cannot kill a mutant and cost a lot: this one compiles the kernel twice in its own
#: copy of the package and compares a rule edit against the same (mutated) copy.
DESELECT = ("tests/test_rules.py::test_editing_a_rule_in_a_copy_of_the_package_changes_the_"
            "compiled_result",)

#: Fixed module -> tests mapping (documented in docs/design.md, section 19). Globs are expanded
#: at run time, so twin/rule tests added later are picked up.
MODULES: dict[str, Module] = {
    "stats": Module("simulation/experiments/stats.py",
                    ("tests/test_stats.py", "tests/test_stats_exact.py")),
    "strategies": Module("simulation/config/strategies.py",
                         ("tests/test_strategies.py", "tests/test_config.py")),
    "store": Module("simulation/experiments/store.py",
                    ("tests/test_store.py",),
                    frozenset({"ResultStore", "scenario_fingerprint", "_write_atomic"})),
    "kernel": Module(KERNEL, ENGINE_TESTS, kernel=True),
    "rules": Module(RULES, ENGINE_TESTS, kernel=True),
}

# --------------------------------------------------------------------------- mutants


@dataclasses.dataclass
class Mutant:
    """One mutated copy of one file."""

    ident: str
    module: str
    path: str
    line: int
    operator: str
    original: str  # the source line before
    mutated: str  # the source line after
    text: str = dataclasses.field(repr=False, default="")  # the whole mutated file
    reason: str = ""
    status: str = "pending"  # killed, survived, timeout, error
    seconds: float = 0.0
    detail: str = ""


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for i, ch in enumerate(data):
        if ch == 10:
            starts.append(i + 1)
    return starts


class Source:
    """A file's text with byte offsets for AST positions (``col_offset`` counts UTF-8 bytes)."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        self.starts = _line_starts(self.data)
        self.tree = ast.parse(self.data)

    def offset(self, line: int, col: int) -> int:
        """Byte offset of an AST (line, column)."""
        return self.starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Byte range of a node."""
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def line_of(self, offset: int) -> int:
        """1-based line number of a byte offset."""
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] <= offset:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def line_text(self, data: bytes, line: int) -> str:
        """A line of ``data`` (which shares this file's line starts up to ``line``)."""
        start = self.starts[line - 1]
        end = data.find(b"\n", start)
        return data[start:end if end >= 0 else len(data)].decode().strip()


@dataclasses.dataclass(frozen=True)
class Site:
    """A candidate edit: replace bytes ``start:end`` with ``new``."""

    scope: str
    start: int
    end: int
    new: bytes
    operator: str


FLIP_COMPARE = {ast.Lt: (b"<", b">"), ast.Gt: (b">", b"<"), ast.LtE: (b"<=", b">="),
                ast.GtE: (b">=", b"<="), ast.Eq: (b"==", b"!="), ast.NotEq: (b"!=", b"==")}
SWAP_BINOP = {ast.Add: (b"+", b"-"), ast.Sub: (b"-", b"+"), ast.Mult: (b"*", b"/"),
              ast.Div: (b"/", b"*"), ast.FloorDiv: (b"//", b"/"), ast.Mod: (b"%", b"//"),
              ast.Pow: (b"**", b"*"), ast.BitAnd: (b"&", b"|"), ast.BitOr: (b"|", b"&")}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                out.add(id(body[0].value))
    return out


def _find_token(src: Source, lo: int, hi: int, token: bytes) -> int | None:
    """Offset of ``token`` between two operands, skipping comments and brackets' text."""
    gap = src.data[lo:hi]
    depth_free = gap.replace(b"(", b" ").replace(b")", b" ")
    i = depth_free.find(token)
    while i >= 0:
        before = depth_free[i - 1:i] if i > 0 else b" "
        after = depth_free[i + len(token):i + len(token) + 1]
        ops = b"<>=!*/%&|+-"
        if (before not in ops or before == b"") and (after not in ops or after == b""):
            return lo + i
        i = depth_free.find(token, i + 1)
    return None


def _sites_in(src: Source, scope: str, root: ast.AST, docstrings: set[int]) -> list[Site]:
    sites: list[Site] = []
    for node in ast.walk(root):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                pair = FLIP_COMPARE.get(type(op))
                if pair:
                    a, b = src.span(left)[1], src.span(right)[0]
                    at = _find_token(src, a, b, pair[0])
                    if at is not None:
                        sites.append(Site(scope, at, at + len(pair[0]), pair[1],
                                          "flipped comparison"))
                left = right
        elif isinstance(node, ast.BinOp):
            pair = SWAP_BINOP.get(type(node.op))
            if pair:
                a, b = src.span(node.left)[1], src.span(node.right)[0]
                at = _find_token(src, a, b, pair[0])
                if at is not None:
                    sites.append(Site(scope, at, at + len(pair[0]), pair[1], "swapped operator"))
        elif isinstance(node, ast.AugAssign):
            pair = SWAP_BINOP.get(type(node.op))
            if pair:
                a, b = src.span(node.target)[1], src.span(node.value)[0]
                at = _find_token(src, a, b, pair[0] + b"=")
                if at is not None:
                    sites.append(Site(scope, at, at + len(pair[0]) + 1, pair[1] + b"=",
                                      "swapped operator"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            start, end = src.span(node)
            inner = src.span(node.operand)
            if not isinstance(node.operand, ast.Constant):
                sites.append(Site(scope, start, inner[0], b"", "flipped sign"))
        elif isinstance(node, ast.If | ast.While | ast.IfExp):
            start, end = src.span(node.test)
            text = src.data[start:end]
            sites.append(Site(scope, start, end, b"not (" + text + b")", "negated condition"))
        elif (isinstance(node, ast.Return) and node.value is not None
              and not (isinstance(node.value, ast.Constant) and node.value.value is None)):
            start, end = src.span(node.value)
            sites.append(Site(scope, start, end, b"None", "dropped return value"))
        elif isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant) \
                and type(node.value.value) is int:
            value = node.value.value
            start, end = src.span(node.value)
            new = value - 1 if value > 0 else value + 1
            sites.append(Site(scope, start, end, str(new).encode(), "ddof-style integer"))
        if isinstance(node, ast.Constant) and id(node) not in docstrings \
                and type(node.value) in (int, float):
            start, end = src.span(node)
            value = node.value
            new = str(value + 1) if type(value) is int else repr(value * 1.5) if value else "1.0"
            sites.append(Site(scope, start, end, new.encode(), "constant changed"))
    return sites


def _scopes(tree: ast.Module, allowed: frozenset[str] | None) -> list[tuple[str, ast.AST]]:
    """(qualified name, function node) of every function to mutate in."""
    out: list[tuple[str, ast.AST]] = []
    for node in tree.body:
        if allowed is not None and getattr(node, "name", None) not in allowed:
            continue
        if isinstance(node, ast.FunctionDef):
            out.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    out.append((f"{node.name}.{item.name}", item))
    return out


def candidates(name: str, module: Module, root: Path = REPO) -> dict[str, list[Mutant]]:
    """Every valid mutant of a module, grouped by function."""
    path = root / module.path
    src = Source(path)
    docstrings = _docstring_nodes(src.tree)
    grouped: dict[str, list[Mutant]] = {}
    for scope, fn in _scopes(src.tree, module.scopes):
        # decorators, defaults and annotations are not in the body: mutate the body only
        seen: set[tuple[int, int, bytes]] = set()
        for stmt in fn.body:  # type: ignore[attr-defined]
            for site in _sites_in(src, scope, stmt, docstrings):
                key = (site.start, site.end, site.new)
                if key in seen:
                    continue
                seen.add(key)
                data = src.data[:site.start] + site.new + src.data[site.end:]
                try:
                    ast.parse(data)
                except SyntaxError:
                    continue
                line = src.line_of(site.start)
                original = src.line_text(src.data, line)
                after_starts = _line_starts(data)
                end = data.find(b"\n", after_starts[line - 1])
                mutated = data[after_starts[line - 1]:end].decode().strip()
                if data == src.data:
                    continue
                grouped.setdefault(scope, []).append(Mutant(
                    ident="", module=name, path=module.path, line=line, operator=site.operator,
                    original=original, mutated=mutated, text=data.decode()))
    return grouped


def sample(name: str, module: Module, n: int, seed: int) -> list[Mutant]:
    """``n`` mutants spread over functions: one per function in turn, order fixed by ``seed``."""
    rng = random.Random(f"{seed}:{name}")
    grouped = candidates(name, module)
    scopes = sorted(grouped)
    rng.shuffle(scopes)
    pools = {s: rng.sample(grouped[s], len(grouped[s])) for s in scopes}
    chosen: list[Mutant] = []
    while len(chosen) < n and any(pools.values()):
        for scope in scopes:
            if pools[scope] and len(chosen) < n:
                chosen.append(pools[scope].pop())
    chosen.sort(key=lambda m: (m.line, m.mutated))
    for i, m in enumerate(chosen, 1):
        m.ident = f"{name}-{i:02d}"
    return chosen


def listed_mutants(entries: tuple[Listed, ...] = LISTED, group: str = "listed",
                   root: Path = REPO) -> tuple[list[Mutant], list[str]]:
    """The listed mutations, and an error line for each snippet not found exactly once."""
    out: list[Mutant] = []
    errors: list[str] = []
    for m in entries:
        text = (root / m.path).read_text()
        lines = text.splitlines(keepends=True)
        starts = [0]
        for ln in lines:
            starts.append(starts[-1] + len(ln))
        functions = {n.name: n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
        fn = functions.get(m.function)
        if fn is None:
            errors.append(f"{m.name}: function {m.function} not found in {m.path}")
            continue
        lo, hi = starts[fn.lineno - 1], starts[fn.end_lineno]  # type: ignore[index]
        body = text[lo:hi]
        count = body.count(m.find)
        if count != 1:
            errors.append(f"{m.name}: snippet {m.find!r} found {count} times in {m.function} "
                          f"of {m.path} (expected once)")
            continue
        at = lo + body.index(m.find)
        new = text[:at] + m.replace + text[at + len(m.find):]
        line = text.count("\n", 0, at) + 1
        out.append(Mutant(ident=m.name, module=group, path=m.path, line=line,
                          operator="listed", original=lines[line - 1].strip(),
                          mutated=new.splitlines()[line - 1].strip(), text=new,
                          reason=m.reason))
    return out, errors


# --------------------------------------------------------------------------- running


def _tests(module: Module, root: Path) -> list[str]:
    found: list[str] = []
    for pattern in module.tests:
        found.extend(sorted(str(p.relative_to(root)) for p in root.glob(pattern)))
    return found


class Runner:
    """Copies of the package (one per job) to run mutants in."""

    def __init__(self, jobs: int, timeout: float | None) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mutate-"))
        self.base = self.tmp / "base"
        self._copy(REPO, self.base)
        self.copies: queue.Queue[Path] = queue.Queue()
        for j in range(jobs):
            dst = self.tmp / f"w{j}"
            shutil.copytree(self.base, dst, symlinks=True)
            self.copies.put(dst)
        self.jobs = jobs
        self.timeout = timeout
        self.warm_cache = self.tmp / "numba-clean"

    @staticmethod
    def _copy(src: Path, dst: Path) -> None:
        dst.mkdir(parents=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.nbi",
                                        "*.nbc")
        for name in COPIED:
            s = src / name
            if s.is_dir():
                shutil.copytree(s, dst / name, ignore=ignore, symlinks=True)
            elif s.exists():
                shutil.copy2(s, dst / name)

    def close(self) -> None:
        """Remove the copies."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pytest(self, root: Path, tests: list[str], cache: Path,
               timeout: float | None) -> tuple[str, float, str]:
        """Run the tests in a copy: (``passed``/``failed``/``timeout``/``error``, s, tail)."""
        env = {**os.environ, "PYTHONPATH": str(root), "NUMBA_CACHE_DIR": str(cache),
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
        env.pop("PYTEST_ADDOPTS", None)
        deselect = [f"--deselect={t}" for t in DESELECT if t.split("::")[0] in tests]
        cmd = [sys.executable, "-m", "pytest", *deselect, "-x", "-q", "-p", "no:cacheprovider",
               "-m", "not slow", "-o", "addopts=", "--no-header", "--hypothesis-seed=0", "-W",
               "ignore::pytest.PytestUnknownMarkWarning", *tests]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "timeout", time.monotonic() - start, ""
        seconds = time.monotonic() - start
        tail = out.decode(errors="replace").strip().splitlines()
        last = tail[-1] if tail else ""
        if proc.returncode == 0:
            return "passed", seconds, last
        if proc.returncode in (1, 2):  # failures, or errors while collecting (import broke)
            return "failed", seconds, last
        if proc.returncode < 0:  # a crash (segfault in mutated compiled code)
            return "failed", seconds, f"signal {-proc.returncode}"
        return "error", seconds, "\n".join(tail[-15:])

    def baseline(self, tests: list[str], kernel: bool) -> float:
        """Run the unmutated tests (warming the shared numba cache); exits 2 when they fail."""
        root = self.copies.get()
        try:
            cache = Path(tempfile.mkdtemp(dir=self.tmp)) if kernel else self.warm_cache
            status, seconds, tail = self.pytest(root, tests, cache, None)
        finally:
            self.copies.put(root)
        print(f"  baseline {' '.join(tests)}: {status} in {seconds:.0f} s", flush=True)
        if status != "passed":
            print(f"ERROR: the unmutated tests do not pass ({status}): {tail}", file=sys.stderr)
            sys.exit(2)
        # numba keys its cache by the source file's path: each copy warms its own on first use
        return seconds

    def run_one(self, mutant: Mutant, tests: list[str], timeout: float) -> Mutant:
        """Apply a mutant to a free copy, run its tests, restore the file."""
        root = self.copies.get()
        target = root / mutant.path
        kernel = mutant.path in COMPILED
        cache = Path(tempfile.mkdtemp(dir=self.tmp)) if kernel else self.warm_cache
        try:
            target.write_text(mutant.text)
            status, seconds, tail = self.pytest(root, tests, cache, timeout)
        finally:
            shutil.copy2(self.base / mutant.path, target)  # mtime kept: the warm cache holds
            if kernel:
                shutil.rmtree(cache, ignore_errors=True)
            self.copies.put(root)
        mutant.seconds = seconds
        mutant.status = {"passed": "survived", "failed": "killed"}.get(status, status)
        mutant.detail = tail
        return mutant

    def run_all(self, mutants: list[Mutant], tests: list[str], timeout: float,
                label: str) -> None:
        """Run mutants on the copies, ``jobs`` at a time, printing each result."""
        with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
            futures = [pool.submit(self.run_one, m, tests, timeout) for m in mutants]
            for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                m = fut.result()
                mark = {"killed": "killed ", "timeout": "timeout", "survived": "SURVIVED",
                        "error": "ERROR  "}[m.status]
                print(f"  [{label} {i}/{len(mutants)}] {mark} {m.ident} ({m.seconds:.0f} s) "
                      f"{m.path}:{m.line} {m.original} -> {m.mutated}", flush=True)
                if m.status == "error":
                    print(f"    {m.detail}", flush=True)


def _print_mutant(m: Mutant) -> None:
    extra = f"  # {m.reason}" if m.reason else ""
    print(f"{m.ident:32s} {m.operator:22s} {m.path}:{m.line}\n    {m.original}\n"
          f" -> {m.mutated}{extra}")


def _rate(mutants: list[Mutant]) -> tuple[int, int]:
    killed = sum(m.status in ("killed", "timeout") for m in mutants)
    return killed, len(mutants)


def markdown(results: dict[str, list[Mutant]], seed: int) -> str:
    """Kill rates and a table of every mutant, per group."""
    out = ["| group | killed | total | rate |", "| --- | --- | --- | --- |"]
    for name, mutants in results.items():
        killed, total = _rate(mutants)
        out.append(f"| {name} | {killed} | {total} | {100.0 * killed / max(total, 1):.1f}% |")
    out.append(f"\nSampling seed: {seed}.\n")
    for name, mutants in results.items():
        out += [f"\n#### {name}\n", "| id | status | line | original | mutated |",
                "| --- | --- | --- | --- | --- |"]
        for m in mutants:
            cells = [m.ident, m.status, f"{Path(m.path).name}:{m.line}",
                     f"`{m.original}`", f"`{m.mutated}`"]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known", action="store_true",
                        help="run the survivors of an earlier measurement (KNOWN)")
    parser.add_argument("--listed", action="store_true",
                        help="run the listed mutations of the kernel and its rules")
    parser.add_argument("--sampled", nargs="+", choices=sorted(MODULES), metavar="MODULE",
                        help=f"sample mutants in these modules ({', '.join(MODULES)})")
    parser.add_argument("--seed", type=int, default=14, help="sampling seed (default 14)")
    parser.add_argument("--per-module", type=int, default=42,
                        help="sampled mutants per module (default 42)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 3 x the baseline run + 30)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument("--only", nargs="+", default=None,
                        help="run only the mutants with these ids (names)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="write the kill rates and every mutant as markdown tables here")
    args = parser.parse_args(argv)
    if not args.listed and not args.sampled and not args.known:
        args.listed, args.sampled = True, ["stats", "strategies", "store", "kernel"]

    groups: list[tuple[str, Module, list[Mutant]]] = []
    errors: list[str] = []
    if args.listed:
        mutants, errors = listed_mutants()
        groups.append(("listed", MODULES["kernel"], mutants))
    if args.known:
        for name, entries in KNOWN.items():
            mutants, missing = listed_mutants(entries, f"known-{name}")
            errors += missing
            groups.append((f"known-{name}", MODULES[name], mutants))
    for name in args.sampled or []:
        groups.append((name, MODULES[name], sample(name, MODULES[name], args.per_module,
                                                   args.seed)))
    if args.only:
        groups = [(n, mod, [m for m in ms if m.ident in args.only]) for n, mod, ms in groups]
        groups = [g for g in groups if g[2]]
    for line in errors:
        print(f"ERROR: listed mutation not applicable: {line}", file=sys.stderr)

    if args.list:
        for name, _, mutants in groups:
            print(f"== {name}: {len(mutants)} mutants")
            for m in mutants:
                _print_mutant(m)
        return 1 if errors else 0

    runner = Runner(args.jobs, args.timeout)
    results: dict[str, list[Mutant]] = {}
    try:
        for name, module, mutants in groups:
            tests = _tests(module, runner.base)
            print(f"== {name}: {len(mutants)} mutants; tests: {' '.join(tests)}", flush=True)
            took = runner.baseline(tests, module.kernel)
            timeout = args.timeout or 3 * took + 30
            runner.run_all(mutants, tests, timeout, name)
            results[name] = mutants
    finally:
        runner.close()

    print("\n== kill rates" + (f" (seed {args.seed})" if args.sampled else ""))
    for name, mutants in results.items():
        killed, total = _rate(mutants)
        timeouts = sum(m.status == "timeout" for m in mutants)
        pct = 100.0 * killed / total if total else 100.0
        print(f"{name:12s} {killed}/{total} killed ({pct:.1f}%)"
              + (f", {timeouts} by timeout" if timeouts else ""))
    for name, mutants in results.items():
        for m in mutants:
            if m.status not in ("killed", "timeout"):
                print(f"{m.status.upper()}: [{name}] {m.ident} {m.path}:{m.line} "
                      f"{m.original}  ->  {m.mutated}")
    if args.json:
        args.json.write_text(json.dumps(
            {"seed": args.seed, "per_module": args.per_module, "errors": errors,
             "results": {n: [{k: v for k, v in dataclasses.asdict(m).items() if k != "text"}
                             for m in ms] for n, ms in results.items()}}, indent=1))
    if args.markdown:
        args.markdown.write_text(markdown(results, args.seed))
    listed = [m for name, ms in results.items() if name == "listed" or name.startswith("known")
              for m in ms]
    if errors or any(m.status not in ("killed", "timeout") for m in listed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
