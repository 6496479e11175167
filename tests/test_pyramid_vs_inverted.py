"""Over seeded replications the designs differ clearly, either way, and the mechanisms explain why.

Which design wins is a finding under stated assumptions (docs/odd.md, "Which design wins"): at
the bundled defaults the inverted pyramid does; with a lean pyramid and support and coaching
that cost managers what a session costs, the pyramid does. Both regions are tested here.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation import InvertedPyramid, OrgModel, Pyramid, Scenario

pytestmark = pytest.mark.slow

REPS = 20
DAYS = 150


def kpis(design, reps: int = REPS, days: int = DAYS, seed: int = 2026,
         people: bool = True) -> dict[str, np.ndarray]:
    """Replication r of every design uses child r of the same seed (common random numbers)."""
    rows = []
    for child in np.random.SeedSequence(seed).spawn(reps):
        model = OrgModel(Scenario(design=design).with_people(enabled=people), rng=child)
        model.run_for(days)
        rows.append(model.kpis())
    return {k: np.array([r[k] for r in rows]) for k in ("mean_delay", "retention",
                                                       "mean_quality", "mean_morale",
                                                       "employees", "turnover_per_month")}


@pytest.fixture(scope="module")
def pyramid() -> dict[str, np.ndarray]:
    return kpis(Pyramid())


@pytest.fixture(scope="module")
def inverted() -> dict[str, np.ndarray]:
    return kpis(InvertedPyramid())


def paired_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    d = a - b
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() - half, d.mean() + half


def test_at_the_bundled_defaults_the_inverted_pyramid_serves_faster(pyramid, inverted) -> None:
    lo, hi = paired_ci(pyramid["mean_delay"], inverted["mean_delay"])
    assert lo > 0, (lo, hi)
    assert np.median(pyramid["mean_delay"] / inverted["mean_delay"]) > 1.3


def test_at_the_bundled_defaults_the_inverted_pyramid_keeps_more_customers(pyramid,
                                                                           inverted) -> None:
    lo, hi = paired_ci(inverted["retention"], pyramid["retention"])
    assert lo > 0, (lo, hi)


#: A lean pyramid: weekly reports of a quarter task, approvals of a quarter task on 15% of the
#: frontline's work (5% of managers'); every value inside the ranges of docs/odd.md.
LEAN = {"reporting_rate": 0.2, "report_work": 0.25, "approval_prob": 0.15,
        "escalation_prob": 0.05, "approval_work": 0.25}
#: Support and coaching that cost a manager two tasks each (a 45-minute session at 20 tasks a day).
COSTLY_CARE = {"support_work": 2.0, "coaching_work": 2.0}


def test_both_outcomes_are_reachable() -> None:
    """A region where the pyramid is better and one where the inverted pyramid is, each with a
    paired 95% interval of mean delay and of retention on one side of zero (16 x 150 days).

    Found: at the defaults, pyramid minus inverted delay [+0.23, +0.53] days and inverted minus
    pyramid retention [+0.058, +0.088]; lean pyramid against costly care, [-1.24, -0.51] days
    and [-0.219, -0.166].
    """
    regions = {
        "inverted better": (Pyramid(), InvertedPyramid()),
        "pyramid better": (Pyramid(**LEAN, **COSTLY_CARE), InvertedPyramid(**COSTLY_CARE)),
    }
    for region, (pyr, inv) in regions.items():
        p, i = kpis(pyr, reps=16), kpis(inv, reps=16)
        delay = paired_ci(p["mean_delay"], i["mean_delay"])  # > 0: the inverted is faster
        kept = paired_ci(i["retention"], p["retention"])  # > 0: the inverted keeps more
        sign = 1 if region == "inverted better" else -1
        assert min(sign * delay[0], sign * delay[1]) > 0, (region, delay)
        assert min(sign * kept[0], sign * kept[1]) > 0, (region, kept)


def test_headcount_is_the_same(pyramid, inverted) -> None:
    assert (pyramid["employees"] == inverted["employees"]).all()


@pytest.mark.parametrize("change", [
    {"reporting_rate": 0.0},
    {"approval_prob": 0.05, "escalation_prob": 0.05},
], ids=["no_reporting", "empowerment"])
def test_each_pyramid_mechanism_alone_costs_customers_time(change) -> None:
    """As a queueing network, the pyramid's control is pure cost: less of it, less delay.

    People dynamics are off: with them on, approvals and reports are also internal services
    whose value can lift or lower morale against the employees' expectation (issue 15), so
    their net effect is a finding of a run, not a mechanism to assert. Tested on the typical
    run (paired Wilcoxon signed-rank, one-sided). The queue discipline alone is not a clear win:
    it is part of the package, not tested as a standalone effect.
    """
    base = kpis(Pyramid(), people=False)
    changed = kpis(Pyramid(**change), people=False)
    test = stats.wilcoxon(base["mean_delay"], changed["mean_delay"], alternative="greater")
    assert test.pvalue < 0.05, test
    assert np.median(base["mean_delay"] - changed["mean_delay"]) > 0
