"""Collapse risk: a documented definition, its share over runs with a Wilson interval, and the
KPIs again over the runs that did not collapse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import OrgModel
from simulation.cli.commands import main
from simulation.config.files import load_scenario
from simulation.core.collapse import collapsed
from simulation.experiments.results import ExperimentResult
from simulation.experiments.stats import proportion_ci

RNG = np.random.default_rng(4)
DAYS = 200
ARRIVALS = RNG.poisson(100, DAYS).astype(float)


def test_a_backlog_that_keeps_growing_is_a_collapse() -> None:
    growing = np.cumsum(RNG.poisson(10, DAYS)).astype(float)  # 10% of arrivals not done
    assert collapsed(growing, ARRIVALS) == 1.0


def test_a_level_backlog_is_not_even_when_large() -> None:
    level = 2000 + RNG.normal(0, 30, DAYS)
    assert collapsed(level, ARRIVALS) == 0.0


def test_a_crisis_that_ended_is_not_a_collapse() -> None:
    days = np.arange(DAYS)
    crisis = np.where(days < 120, days * 8.0, np.maximum(960 - (days - 120) * 40.0, 50.0))
    assert collapsed(crisis + RNG.normal(0, 5, DAYS), ARRIVALS) == 0.0


def test_a_slow_significant_drift_below_the_deficit_is_not() -> None:
    """The size rule matters: a trend alone (the mutant) would call this a collapse."""
    slow = 100 + np.arange(DAYS) * 0.05 + RNG.normal(0, 0.3, DAYS)  # 2.5 requests in 50 days
    assert collapsed(slow, ARRIVALS) == 0.0
    from scipy import stats

    tail = slow[-50:].reshape(10, 5).mean(axis=1)
    assert stats.linregress(np.arange(10), tail).pvalue < 0.01


def test_too_short_to_judge() -> None:
    assert np.isnan(collapsed(np.arange(30.0), np.ones(30)))


def test_the_model_flags_demand_above_capacity_and_not_the_defaults() -> None:
    over = load_scenario("pyramid").with_customers(request_rate=0.3, churn=False)
    assert OrgModel(over, rng=1).run(120).kpis()["collapsed"] == 1.0
    for name in ("pyramid", "inverted_pyramid"):
        assert OrgModel(load_scenario(name), rng=1).run(120).kpis()["collapsed"] == 0.0
    assert np.isnan(OrgModel(rng=1).run(20).kpis()["collapsed"])


@pytest.mark.parametrize(("events", "n", "low", "high"), [
    (0, 20, 0.0, 0.1611), (20, 20, 0.8389, 1.0), (3, 10, 0.1078, 0.6032), (1, 1, 0.2065, 1.0)])
def test_wilson_interval_exact(events, n, low, high) -> None:
    share, lo, hi = proportion_ci(events, n)
    assert share == events / n
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)
    assert 0.0 <= lo <= share <= hi <= 1.0


def _result(tmp_path, flags: dict[str, list[float]]) -> ExperimentResult:
    rows = [{"scenario": s, "replication": r, "status": "ok", "spawn_key": str(r),
             "collapsed": c, "mean_delay": 10.0 if c else 1.0 + r / 10}
            for s, cs in flags.items() for r, c in enumerate(cs)]
    return ExperimentResult(tmp_path, {"scenarios": list(flags)}, pd.DataFrame(rows),
                            pd.DataFrame())


def test_risk_and_kpis_without_the_collapsed_runs(tmp_path) -> None:
    result = _result(tmp_path, {"a": [1, 0, 0, 1, 0], "b": [0, 0, 0, 0, 0]})
    risk = result.collapse_risk().set_index("scenario")
    assert risk.loc["a", "collapsed"] == 2 and risk.loc["a", "runs"] == 5
    assert risk.loc["b", "collapsed"] == 0 and risk.loc["b", "high"] > 0.4
    kept = result.summary(["mean_delay"], collapsed=False).set_index("scenario")
    assert kept.loc["a", "n"] == 3 and kept.loc["a", "mean"] == pytest.approx((1.1 + 1.2 + 1.4) / 3)
    every = result.summary(["mean_delay"]).set_index("scenario")
    assert every.loc["a", "mean"] > 4


def test_compare_prints_the_risk_and_the_table_without_collapses(tmp_path, capsys) -> None:
    for name, rate in (("over", 0.3), ("fine", 0.15)):
        (tmp_path / f"{name}.toml").write_text(
            f'name = "{name}"\n[organization]\nbuilder = "pyramid"\n'
            f"[customers]\nrequest_rate = {rate}\nchurn = false\n")
    assert main(["compare", str(tmp_path / "fine.toml"), str(tmp_path / "over.toml"),
                 "--runs", "3", "--days", "60", "--workers", "1", "-q",
                 "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "Collapse risk" in text and "over 3 of 3 runs" in text and "fine 0 of 3 runs" in text
    assert "Every replication collapsed in at least one scenario." in text
    assert (tmp_path / "out" / "collapse_risk.csv").exists()
