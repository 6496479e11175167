"""One validation check's result, the sources it cites, and how verdicts are worded."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import optimize, stats

from simulation.experiments.stats import mean_ci

PASS, FAIL = "pass", "FAIL"
#: A validation row whose interval straddles the band: the data cannot tell yet.
UNCLEAR = "unclear"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one validation check.

    Attributes:
        check: What is checked.
        group: ``queueing`` or ``service-profit chain``.
        source: The published source (short citation; full ones in ``REFERENCES``).
        expected: The theory or the published pattern, in words and numbers.
        simulated: The simulated value (mean over replications where there are several).
        low: Lower end of its 95% confidence interval (NaN when not applicable).
        high: Upper end.
        verdict: ``pass`` or ``FAIL`` (``unclear`` for a validation row whose interval
            straddles its band).
        detail: How it was run and what the verdict rests on.
        margin: The equivalence margin, relative to the theory (NaN where the check is not an
            equivalence test).
        power: The chance that a correct engine passes, at the precision achieved
            (:func:`equivalence_power`).
        detectable: The relative bias an engine must have to fail with probability 0.8.
        section: ``engine`` (the engine against exact theory), ``formula`` (a formula
            evaluates as documented), ``calibration`` (a target the defaults were set to) or
            ``validation`` (against data the model was not tuned on: a finding, never the
            exit status). ``run_check`` sets it from the check's name.
    """

    check: str
    group: str
    source: str
    expected: str
    simulated: float
    low: float
    high: float
    verdict: str
    detail: str
    margin: float = math.nan
    power: float = math.nan
    detectable: float = math.nan
    section: str = "engine"

    @property
    def passed(self) -> bool:
        """True when the verdict is pass."""
        return self.verdict == PASS


REFERENCES = {
    "Little 1961": "Little, J. D. C. (1961). A proof for the queuing formula L = lambda W. "
                   "Operations Research, 9(3), 383-387.",
    "Jackson 1957": "Jackson, J. R. (1957). Networks of waiting lines. Operations Research, "
                    "5(4), 518-521.",
    "Jackson 1963": "Jackson, J. R. (1963). Jobshop-like queueing systems. Management Science, "
                    "10(1), 131-142.",
    "Neuts 1981": "Neuts, M. F. (1981). Matrix-Geometric Solutions in Stochastic Models. Johns "
                  "Hopkins University Press (a queue in a Markov-modulated environment; here "
                  "solved directly over day boundaries, simulation.checks.oracles.vacancy_queue)"
                  ".",
    "covering reference": "A direct simulation of two peers covering each other's vacancies "
                          "(tools/covering_reference.py: an event loop over queue lengths "
                          "from the documented rules, not the model), 40 x 40,000 days.",
    "Kelly 1979": "Kelly, F. P. (1979). Reversibility and Stochastic Networks. Wiley (routes "
                  "chosen on arrival keep each first-come-first-served exponential station "
                  "M/M/1 at its visit rate).",
    "Flatto & Hahn 1984": "Flatto, L., & Hahn, S. (1984). Two parallel queues created by "
                          "arrivals with two demands I. SIAM Journal on Applied Mathematics, "
                          "44(5), 1041-1053.",
    "Nelson & Tantawi 1988": "Nelson, R., & Tantawi, A. N. (1988). Approximate analysis of "
                             "fork/join synchronization in parallel queues. IEEE Transactions "
                             "on Computers, 37(6), 739-743.",
    "Lindley recursion": "Lindley, D. V. (1952). The theory of queues with a single server. "
                         "Mathematical Proceedings of the Cambridge Philosophical Society, 48(2), "
                         "277-289; the fork-join reference computed by it in "
                         "tools/fork_join_reference.py.",
    "Reich 1957": "Reich, E. (1957). Waiting times when queues are in tandem. Annals of "
                  "Mathematical Statistics, 28(3), 768-773 (the sojourns at successive M/M/1 "
                  "stations are independent).",
    "Pollaczek 1930": "Pollaczek, F. (1930). Uber eine Aufgabe der Wahrscheinlichkeitstheorie. "
                      "Mathematische Zeitschrift, 32, 64-100; Khinchine, A. Y. (1932). "
                      "Mathematical theory of a stationary queue. Matematicheskii Sbornik, "
                      "39(4), 73-84 (M/G/1 mean waiting time).",
    "Cobham 1954": "Cobham, A. (1954). Priority assignment in waiting line problems. Journal of "
                   "the Operations Research Society of America, 2(1), 70-76.",
    "Wolff 1982": "Wolff, R. W. (1982). Poisson arrivals see time averages. Operations "
                  "Research, 30(2), 223-231 (the manager's work arriving during a customer's "
                  "wait: its load times the wait).",
    "Kleinrock 1975": "Kleinrock, L. (1975). Queueing Systems, Volume 1: Theory. Wiley "
                      "(M/M/1: W = 1 / (mu - lambda)).",
    "Tett & Meyer 1993": "Tett, R. P., & Meyer, J. P. (1993). Job satisfaction, organizational "
                         "commitment, turnover intention, and turnover: path analyses based on "
                         "meta-analytic findings. Personnel Psychology, 46(2), 259-293.",
    "Heskett et al. 1994": "Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E., & "
                           "Schlesinger, L. A. (1994). Putting the service-profit chain to work. "
                           "Harvard Business Review, 72(2), 164-174.",
    "Harter et al. 2002": "Harter, J. K., Schmidt, F. L., & Hayes, T. L. (2002). Business-unit-"
                          "level relationship between employee satisfaction, employee "
                          "engagement, and business outcomes: a meta-analysis. Journal of "
                          "Applied Psychology, 87(2), 268-279.",
    "Hirschman 1970": "Hirschman, A. O. (1970). Exit, Voice, and Loyalty. Harvard University "
                      "Press.",
    "Jones & Sasser 1995": "Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers "
                           "defect. Harvard Business Review, 73(6), 88-99.",
    "Anderson 1998": "Anderson, E. W. (1998). Customer satisfaction and word of mouth. Journal "
                     "of Service Research, 1(1), 5-17.",
    "BLS JOLTS": "U.S. Bureau of Labor Statistics, Job Openings and Labor Turnover Survey: "
                 "total private quits rate, about 2.3% to 2.5% a month in 2023-2024.",
}


def verdict(ok: bool) -> str:
    """The verdict's word."""
    return PASS if ok else FAIL


def seeds(seed: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent seeds for the replications of one check."""
    return np.random.SeedSequence(seed).spawn(n)


def _pass_probability(bias: float, margin: float, sd_mean: float, df: int) -> float:
    """P(the interval lies in the band) for an engine off by ``bias`` (all relative to theory).

    Averages over the sample standard deviation's chi-square law (60 quantiles), so it holds for
    few replications as well as many.
    """
    t = float(stats.t.ppf(0.975, df))
    u = (np.arange(60) + 0.5) / 60
    s = sd_mean * np.sqrt(stats.chi2.ppf(u, df) / df)  # the estimated standard error's law
    half = t * s
    upper = stats.norm.cdf((margin - bias - half) / sd_mean)
    lower = stats.norm.cdf((-margin - bias + half) / sd_mean)
    return float(np.clip(upper - lower, 0.0, 1.0).mean())


def equivalence_power(theory: float, se: float, df: int, margin: float) -> tuple[float, float]:
    """Power of the interval-containment test, and the bias it detects with probability 0.8.

    The check passes when the 95% t interval ``mean +- t se`` lies inside
    ``theory (1 +- margin)``. The power is the chance that a correct engine passes, and the
    detectable bias the relative error at which an engine fails with probability 0.8, both at the
    standard error reached (``se``, taken as the truth) and ``df`` degrees of freedom.
    """
    if not (se > 0 and theory > 0 and df >= 1):
        return math.nan, math.nan
    rel = se / theory
    power = _pass_probability(0.0, margin, rel, df)
    if power <= 0.2:
        return power, 0.0
    detectable = optimize.brentq(lambda b: _pass_probability(b, margin, rel, df) - 0.2, 0.0,
                                 margin + 10 * rel)
    return power, float(detectable)


def contained(low: float, high: float, theory: tuple[float, float], margin: float) -> bool:
    """The equivalence rule: ``[low, high]`` inside ``[t_low (1 - m), t_high (1 + m)]``."""
    return bool(theory[0] * (1 - margin) <= low and high <= theory[1] * (1 + margin))


def against_theory(check: str, source: str, theory: float | tuple[float, float, float],
                   values: np.ndarray, margin: float, detail: str) -> CheckResult:
    """A queueing check as an equivalence test: the replications' 95% interval inside the margin.

    ``theory`` is an exact value or a reference ``(value, low, high)`` computed with its own
    interval (which widens the band: ``[low (1 - margin), high (1 + margin)]``). Passing needs
    the whole interval in the band, so an engine whose mean is off by more than the margin
    fails, and so does one too imprecise to tell; the power says how likely a correct engine is
    to pass at the precision reached.
    """
    value, ref_low, ref_high = theory if isinstance(theory, tuple) else (theory,) * 3
    mean, low, high = mean_ci(values)
    ok = contained(low, high, (ref_low, ref_high), margin)
    n = int(np.isfinite(np.asarray(values, dtype=float)).sum())
    se = float(np.nanstd(values, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    power, detectable = equivalence_power(value, se, n - 1, margin)
    expected = (f"{value:.4g}" if ref_low == ref_high
                else f"{value:.4g} [{ref_low:.4g}, {ref_high:.4g}]")
    inside = "inside" if low <= value <= high else "outside"
    return CheckResult(check, "queueing", source, expected, mean, low, high, verdict(ok),
                       f"{detail}; pass when the 95% CI lies within {margin:.1%} of theory "
                       f"(theory {inside} the CI)", margin, power, detectable)
