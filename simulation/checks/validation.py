"""Validation: the model against queueing theory and the service-profit chain's patterns.

Each check runs seeded simulations and returns a :class:`CheckResult` (what was expected, what
was simulated with a 95% confidence interval, and the verdict). ``service-chain validate`` runs
them all and can write ``docs/validation.md``; ``tests/test_validation_*.py`` assert each one.
``scale`` multiplies run lengths and replications (1 is the documented size).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from concurrent.futures import as_completed

from simulation.checks.patterns import (
    check_exit_and_voice,
    check_loyalty,
    check_profit_chain,
    check_turnover,
    check_turnover_held_out,
    check_word_of_mouth,
)
from simulation.checks.queueing import (
    check_covering,
    check_fork_join,
    check_fork_join_subset,
    check_handoff,
    check_jackson_network,
    check_little,
    check_priority,
    check_random_network,
    check_rework,
    check_single_server,
    check_span_of_control,
    check_tandem,
    check_vacancy,
)
from simulation.checks.result import FAIL, PASS, REFERENCES, CheckResult  # noqa: F401 - public

#: Every check, in the order of the table: name -> function returning one or more results.
CHECKS: dict[str, Callable[..., CheckResult | list[CheckResult]]] = {
    "little": check_little,
    "tandem": check_tandem,
    "single_server": check_single_server,
    "priority": check_priority,
    "handoff": check_handoff,
    "rework": check_rework,
    "random_network": check_random_network,
    "fork_join_2_0.5": lambda scale=1.0: check_fork_join(2, 0.5, scale),
    "fork_join_2_0.8": lambda scale=1.0: check_fork_join(2, 0.8, scale),
    "fork_join_4_0.5": lambda scale=1.0: check_fork_join(4, 0.5, scale),
    "fork_join_4_0.8": lambda scale=1.0: check_fork_join(4, 0.8, scale),
    "fork_join_subset": check_fork_join_subset,
    "jackson_network": check_jackson_network,
    "vacancy": check_vacancy,
    "covering": check_covering,
    "span_of_control": check_span_of_control,
    "profit_chain": check_profit_chain,
    "exit_and_voice": check_exit_and_voice,
    "loyalty": check_loyalty,
    "word_of_mouth": check_word_of_mouth,
    "turnover": check_turnover,
    "turnover_held_out": check_turnover_held_out,
}


#: The sections of the table: what each check can show.
ENGINE = "engine"  # the engine against exact queueing theory (verification by emergent results)
FORMULA = "formula"  # a formula of the model evaluates as documented (verification)
CALIBRATION = "calibration"  # a target the defaults were set to reach: not evidence by itself
VALIDATION = "validation"  # against data the model was not tuned on
SECTIONS = {
    ENGINE: "Verification: the engine against exact queueing theory",
    FORMULA: "Verification: the model's formulas evaluate as documented",
    CALIBRATION: "Calibration: targets the defaults were set to reach",
    VALIDATION: "Validation against data the model was not tuned on",
}
_FORMULA_CHECKS = ("profit_chain", "exit_and_voice", "loyalty", "word_of_mouth")
_CALIBRATION_CHECKS = ("turnover",)
_VALIDATION_CHECKS = ("turnover_held_out",)


def section_of(name: str) -> str:
    """The section of the check called ``name``."""
    if name in _FORMULA_CHECKS:
        return FORMULA
    if name in _CALIBRATION_CHECKS:
        return CALIBRATION
    if name in _VALIDATION_CHECKS:
        return VALIDATION
    return ENGINE


def verified(results: list[CheckResult]) -> bool:
    """Every verification and calibration check passed (validation rows are findings)."""
    return all(r.passed for r in results if r.section != VALIDATION)


#: The checks of the engine section, which the mutants are run against.
ENGINE_CHECKS = tuple(name for name in CHECKS if section_of(name) == ENGINE)


def run_check(name: str, scale: float = 1.0) -> list[CheckResult]:
    """Run one check; its results carry their section."""
    result = CHECKS[name](scale=scale)
    return [dataclasses.replace(r, section=section_of(name))
            for r in (result if isinstance(result, list) else [result])]


def run_checks(names: list[str] | None = None, scale: float = 1.0,
               progress: Callable[[str], None] | None = None,
               workers: int = 1) -> list[CheckResult]:
    """Run the named checks (all by default) and return their results in table order.

    ``progress`` is called with each check's name when it is done.

    ``workers`` > 1 runs checks side by side in processes; each check is seeded, so the results
    are the same whatever the number of workers.
    """
    unknown = sorted(set(names or []) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}: one of {', '.join(CHECKS)}")
    chosen = [name for name in CHECKS if not names or name in names]
    done: dict[str, list[CheckResult]] = {}
    if workers <= 1 or len(chosen) == 1:
        for name in chosen:
            done[name] = run_check(name, scale)
            if progress:
                progress(name)
    else:
        from simulation.experiments.pool import process_pool

        # the slowest first, so that a long check does not start last
        order = sorted(chosen, key=lambda n: -_COST.get(n, 1.0))
        with process_pool(min(workers, len(chosen))) as pool:
            futures = {pool.submit(run_check, name, scale): name for name in order}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                if progress:
                    progress(futures[future])
    return [r for name in chosen for r in done[name]]


#: Rough seconds per check at scale 1 (2-core machine), to start the long ones first.
_COST = {"span_of_control": 40, "turnover": 15, "single_server": 25, "priority": 25,
         "fork_join_2_0.8": 16, "fork_join_4_0.8": 15, "rework": 11, "fork_join_4_0.5": 8,
         "profit_chain": 7, "random_network": 7, "fork_join_subset": 12,
         "jackson_network": 12, "vacancy": 10, "covering": 10}


def _cell(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4g}"


def _interval(r: CheckResult) -> str:
    return _cell(r.simulated) + (f" [{_cell(r.low)}, {_cell(r.high)}]"
                                 if not math.isnan(r.low) else "")


def _share(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.0%}" if x >= 0.1 else f"{x:.1%}"


def table(results: list[CheckResult]) -> str:
    """A plain-text table: check, source, expected, simulated [95% CI], margin, power, verdict."""
    rows = [("check", "source", "expected", "simulated [95% CI]", "margin", "power", "verdict")]
    for r in results:
        rows.append((r.check, r.source, r.expected, _interval(r), _share(r.margin),
                     _share(r.power), r.verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results: list[CheckResult], command: str, date: str,
             mutants: list[str] | None = None, mutant_command: str = "") -> str:
    """``docs/validation.md``: each check by section, how it is run, the figures, the mutants.

    ``mutants`` is :func:`simulation.checks.mutants.mutant_lines` of a mutant run.
    """
    checks = [r for r in results if r.section != VALIDATION]
    findings = [r for r in results if r.section == VALIDATION]
    summary = f"{sum(r.passed for r in checks)} of {len(checks)} checks pass" + (
        f"; {sum(r.passed for r in findings)} of {len(findings)} validation rows agree with "
        "data the model was not tuned on" if findings else "")
    lines = [
        "# Validation: the model against theory and published patterns", "",
        "Generated by `" + command + "` on " + date + f": {summary}.",
        "Every check is also a test (`tests/test_validation_*.py`, marked slow, run by CI). "
        "Queueing checks reduce the model to a pure queueing network "
        "(`simulation.config.presets.queueing_network`: quality, people dynamics, churn and "
        "word of mouth off; the vacancy and covering checks keep the people model's quits, "
        "cover and hires) and most speed time up, running k times the traffic against k-fold "
        "rates, which leaves sojourns in the network's own time unit unchanged.", "",
        "A queueing check is an equivalence test: it passes when the whole 95% confidence "
        "interval over seeded replications lies within the stated margin of the exact value. "
        "*Power* is the chance that a correct engine passes at the precision reached; an engine "
        "off by more than the margin fails, and so does one too imprecise to tell.",
    ]
    for key, title in SECTIONS.items():
        part = [r for r in results if r.section == key]
        if not part:
            continue
        lines += ["", f"## {title}", "",
                  "| check | source | expected | simulated [95% CI] | margin | power | verdict |",
                  "|---|---|---|---|---|---|---|"]
        for r in part:
            lines.append(f"| {r.check} | {r.source} | {r.expected} | {_interval(r)} | "
                         f"{_share(r.margin)} | {_share(r.power)} | {r.verdict} |")
    if not any(r.section == VALIDATION for r in results):
        lines += ["", f"## {SECTIONS[VALIDATION]}", "",
                  "Not run here. The checks above show that the engine computes what queueing "
                  "theory says it must and that the model's formulas do what the documentation "
                  "says; neither is evidence that organizations behave as the model does."]
    else:
        held = [r for r in results if r.section == VALIDATION]
        agree = sum(r.passed for r in held)
        lines += ["", f"{agree} of {len(held)} validation rows agree with their benchmark. "
                  "The calibration row is the target the people model's quit rate was set to "
                  "(the three hierarchies), so it cannot validate it; the validation rows run "
                  "bundled organizations held out of that calibration against the same "
                  "benchmark. Their verdicts are findings about the model, not about the "
                  "engine: `validate` exits 0 when every verification and calibration check "
                  "passes, whatever they say."]
    if mutants:
        caught = sum("NOT CAUGHT" not in line for line in mutants)
        lines += ["", "## Mutant engines: checks that can fail", "",
                  f"Generated by `{mutant_command}`: {caught} of {len(mutants)} deliberately "
                  "wrong engines are caught (`simulation/checks/mutants.py` edits a copy of the "
                  "compiled kernel; each runs the engine checks above).", ""]
        lines += [f"- {line}" for line in mutants]
    lines += ["", "## How each check is run", ""]
    for r in results:
        lines.append(f"- **{r.check}** ({r.source}): {r.detail}.")
    lines += ["", "## Reading the figures", "",
              "Margins are 2% of the exact value where every station's load is below 0.6, 3% "
              "up to 0.85 and 6% near saturation (10% for the span-of-control relief, a "
              "difference of two delays); quantiles get 3%. Replications and run lengths are set "
              "so that each power is at least 0.95. The service-profit chain checks test signs, "
              "shapes and ranges, not exact values. The model's correlations across business "
              "units are as large as or larger than the published meta-analytic ones: the model "
              "observes morale and satisfaction without survey error, which attenuates "
              "published correlations, and it has no other causes of turnover than morale. A "
              "correlation near 1 would mean the model is too deterministic; the checks fail at "
              "|r| >= 0.95.",
              "",
              "The service-profit chain (Heskett et al. 1994) links internal service quality to "
              "employee satisfaction and retention, to external service value, customer "
              "satisfaction and loyalty, and to revenue; the formula checks above test its "
              "links one by one."]
    lines += ["", "## References", ""]
    used = dict.fromkeys([*(r.source for r in results), "Heskett et al. 1994"])
    for key in used:
        lines.append(f"- {REFERENCES.get(key, key)}")
    return "\n".join(lines) + "\n"


__all__ = ["CHECKS", "ENGINE_CHECKS", "REFERENCES", "SECTIONS", "CheckResult", "markdown",
           "run_check", "run_checks", "section_of", "table"]
