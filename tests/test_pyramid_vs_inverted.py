"""Over seeded replications the designs differ clearly, either way, and the mechanisms explain why.

Which design wins is a finding under stated assumptions (docs/odd.md, "Which design wins"): at
the bundled defaults, re-set from sources in issue 15 (weekly reports that managers act on,
approvals as quality gates of a 12-minute check, complaints about half the defects), the two are
close over these 150 days, leaning to the pyramid (clearly the pyramid over the demo's 250);
when every defect brings a complaint the pyramid is better, and at the defaults of before (daily
reports and approvals of a whole task that inform and catch nothing, no complaints) the inverted
pyramid is. Both outcomes are tested.
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
         people: bool = True, failure_demand: float = 0.5) -> dict[str, np.ndarray]:
    """Replication r of every design uses child r of the same seed (common random numbers)."""
    rows = []
    for child in np.random.SeedSequence(seed).spawn(reps):
        scenario = Scenario(design=design).with_people(enabled=people) \
            .with_customers(failure_demand=failure_demand)
        model = OrgModel(scenario, rng=child)
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


def test_at_the_bundled_defaults_the_inverted_pyramid_is_not_better(pyramid, inverted) -> None:
    """Close, leaning to the pyramid (20 x 150 days): delay 0.38 against 0.53 days, paired
    [-0.27, -0.02]; retention 0.894 against 0.874, [-0.001, +0.041]. Fails at the defaults of
    before, where the inverted pyramid is better on both."""
    delay = paired_ci(pyramid["mean_delay"], inverted["mean_delay"])
    kept = paired_ci(pyramid["retention"], inverted["retention"])
    assert delay[0] < 0 and kept[1] > 0, (delay, kept)


#: The pyramid's control as it was before issue 15: daily reports that inform nothing, approvals
#: of a whole task asked for before the work, which catch nothing.
BEFORE = {"approval_work": 1.0, "approval_gate": False, "rebalancing": False}


def test_both_outcomes_are_reachable() -> None:
    """A region where the pyramid is better and one where the inverted pyramid is, each with a
    paired 95% interval of mean delay and of retention on one side of zero (16 x 150 days).

    Found: every defect complained of, pyramid minus inverted delay [-0.42, -0.10] days and
    retention [+0.034, +0.102]; at the defaults of before (no complaints), [+0.40, +1.13] days
    and [-0.112, -0.075].
    """
    regions = {
        "pyramid better": (Pyramid(), InvertedPyramid(), 1.0),
        "inverted better": (Pyramid(**BEFORE, reporting_rate=1.0), InvertedPyramid(**BEFORE),
                            0.0),
    }
    for region, (pyr, inv, complaints) in regions.items():
        p = kpis(pyr, reps=16, failure_demand=complaints)
        i = kpis(inv, reps=16, failure_demand=complaints)
        delay = paired_ci(p["mean_delay"], i["mean_delay"])  # < 0: the pyramid is faster
        kept = paired_ci(p["retention"], i["retention"])  # > 0: the pyramid keeps more
        sign = 1 if region == "pyramid better" else -1
        assert max(sign * delay[0], sign * delay[1]) < 0, (region, delay)
        assert min(sign * kept[0], sign * kept[1]) > 0, (region, kept)


def test_headcount_is_the_same(pyramid, inverted) -> None:
    assert (pyramid["employees"] == inverted["employees"]).all()


@pytest.mark.parametrize("change", [
    {"reporting_rate": 0.0},
    {"approval_prob": 0.05, "escalation_prob": 0.05},
], ids=["no_reporting", "empowerment"])
def test_each_pyramid_mechanism_alone_costs_customers_time(change) -> None:
    """Control that informs and catches nothing is pure cost: less of it, less delay.

    Reports that no manager acts on, approvals as inputs, no failure demand, people dynamics
    off (with them on, approvals and reports are also internal services
    whose value can lift or lower morale against the employees' expectation (issue 15), so
    their net effect is a finding of a run, not a mechanism to assert. Tested on the typical
    run (paired Wilcoxon signed-rank, one-sided). The queue discipline alone is not a clear win:
    it is part of the package, not tested as a standalone effect.
    """
    inert = {"approval_gate": False, "rebalancing": False}
    base = kpis(Pyramid(**inert), people=False, failure_demand=0.0)
    changed = kpis(Pyramid(**inert, **change), people=False, failure_demand=0.0)
    test = stats.wilcoxon(base["mean_delay"], changed["mean_delay"], alternative="greater")
    assert test.pvalue < 0.05, test
    assert np.median(base["mean_delay"] - changed["mean_delay"]) > 0
