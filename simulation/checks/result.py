"""One validation check's result, the sources it cites, and how verdicts are worded."""

from __future__ import annotations

import dataclasses

import numpy as np

from simulation.experiments.stats import mean_ci

PASS, FAIL = "pass", "FAIL"


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
        verdict: ``pass`` or ``FAIL``.
        detail: How it was run and what the verdict rests on.
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
    "Flatto & Hahn 1984": "Flatto, L., & Hahn, S. (1984). Two parallel queues created by "
                          "arrivals with two demands I. SIAM Journal on Applied Mathematics, "
                          "44(5), 1041-1053.",
    "Nelson & Tantawi 1988": "Nelson, R., & Tantawi, A. N. (1988). Approximate analysis of "
                             "fork/join synchronization in parallel queues. IEEE Transactions "
                             "on Computers, 37(6), 739-743.",
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


def against_theory(check: str, source: str, theory: float, values: np.ndarray, tol: float,
                    detail: str) -> CheckResult:
    """A queueing check's result: the replications' mean against the theory's value."""
    mean, low, high = mean_ci(values)
    ok = abs(mean - theory) <= tol * theory
    return CheckResult(check, "queueing", source, f"{theory:.4g}", mean, low, high, verdict(ok),
                       f"{detail}; pass when within {tol:.0%} of theory "
                       f"(theory {'inside' if low <= theory <= high else 'outside'} the CI)")
