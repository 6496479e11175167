"""Mean and 95th percentile delay count every request that arrived, open ones included.

The run-out follows the requests open at the horizon to delivery while the organization runs
on (customers keep arriving, people keep quitting), counting only the requests of the run.
Little's law for those requests then holds with the new mean delay, measured by two independent
bookkeepings: the area under the count of requests present, and the summed delays.
"""

from __future__ import annotations

import math

import pytest

from simulation import OrgModel
from simulation.config.files import load_scenario

COLLAPSING = load_scenario("pyramid").with_customers(request_rate=0.3, churn=False)
HIGH_TURNOVER = load_scenario("pyramid").with_people(quit_rate_per_month=0.5)


def little_error(k: dict[str, float], w_key: str = "little_W") -> float:
    """|L - lambda W| / L."""
    return abs(k["little_L"] - k["little_lambda"] * k[w_key]) / k["little_L"]


@pytest.mark.parametrize(("scenario", "days", "seed"), [
    (load_scenario("pyramid"), 250, 1),
    (load_scenario("pyramid"), 250, 3),
    (load_scenario("inverted_pyramid"), 250, 1),
    (load_scenario("two_way_street"), 250, 2),
    (HIGH_TURNOVER, 120, 1),
    (COLLAPSING, 120, 1),
], ids=["pyramid-1", "pyramid-3", "inverted-1", "two_way-2", "quits-25pc", "collapsing"])
def test_littles_law_holds_with_the_new_mean_delay_on_every_run(scenario, days, seed) -> None:
    model = OrgModel(scenario, rng=seed).run(days)
    k = model.final_kpis()
    assert little_error(k) < 0.01


def test_the_high_turnover_and_collapsing_runs_are_what_they_claim() -> None:
    quits = OrgModel(HIGH_TURNOVER, rng=1).run(120).final_kpis()
    assert quits["turnover_per_month"] > 0.25
    model = OrgModel(COLLAPSING, rng=1).run(120)
    backlog = model.daily().backlog
    assert backlog.iloc[-1] > 2 * backlog.iloc[60] > 1000  # the backlog keeps growing
    k = model.final_kpis()
    assert k["run_out_days"] == 120  # capped at the run's length: still open ones at their age
    assert k["delay_open"] > 0


def test_the_completed_only_mean_fails_littles_law_where_requests_stay_open() -> None:
    """The check can fail: the old estimator (delivered requests only) misses by far more."""
    for scenario, days in ((HIGH_TURNOVER, 120), (COLLAPSING, 120)):
        k = OrgModel(scenario, rng=1).run(days).final_kpis()
        assert little_error(k, "mean_delay_completed") > 0.05
        assert k["mean_delay"] > 1.1 * k["mean_delay_completed"]


def test_the_run_out_changes_no_other_table_and_collects_no_daily_rows() -> None:
    model = OrgModel(load_scenario("pyramid"), rng=3).run(60)
    before = model.kpis()
    daily = model.daily()
    out = model.run_out()
    assert out["run_out_days"] > 0 and out["delay_open"] == 0
    assert len(model.daily()) == 60
    assert model.daily().equals(daily)
    assert before["mean_delay_completed"] <= out["mean_delay"]
    assert before["p95_delay_completed"] <= out["p95_delay"]
    # a second call goes on from where the first stopped and changes nothing
    assert model.run_out() == {**out, "run_out_days": out["run_out_days"]}


def test_open_requests_count_at_their_age_before_any_run_out() -> None:
    model = OrgModel(COLLAPSING, rng=2).run(60)
    k = model.kpis()
    assert k["delay_open"] > 1000
    assert k["mean_delay"] > k["mean_delay_completed"]
    assert little_error(k) < 1e-9  # area = delivered delays + open ages, exactly
    assert little_error(k, "mean_delay_completed") > 0.02


@pytest.mark.parametrize("scenario", [load_scenario("pyramid"), COLLAPSING],
                         ids=["pyramid", "collapsing"])
def test_both_engines_run_out_alike(scenario) -> None:
    figures = []
    for compiled in (False, True):
        model = OrgModel(scenario, rng=3, compiled=compiled).run(30)
        figures.append(model.final_kpis(max_days=8))
    a, b = figures
    for key in ("mean_delay", "p95_delay", "delay_open", "run_out_days", "little_L",
                "mean_delay_completed"):
        assert a[key] == b[key] or (math.isnan(a[key]) and math.isnan(b[key])), key


def test_experiment_rows_carry_the_run_out_figures() -> None:
    from simulation.experiments.experiment import Task, run_task

    row, tables = run_task(Task(COLLAPSING, 0, 7, 30))
    assert row["status"] == "ok", row["error"]
    assert row["days"] == 30 and len(tables["daily"]) == 30
    assert row["run_out_days"] > 0
    assert row["mean_delay"] > row["mean_delay_completed"]
    assert little_error(row) < 0.01


def test_little_lambda_is_the_runs_arrival_rate_after_a_run_out() -> None:
    """Review finding: dividing by the clock after the run-out halved the arrival rate."""
    model = OrgModel(HIGH_TURNOVER, rng=2).run(40)
    before = model.kpis()
    out = model.run_out()
    assert out["run_out_days"] > 0
    assert out["little_lambda"] == before["little_lambda"]  # arrivals a day of the run
    assert out["little_L"] >= before["little_L"]  # their time open, run-out included


def test_the_run_out_counts_nothing_that_arrives_after_the_window_in_either_engine() -> None:
    for compiled in (False, True):
        model = OrgModel(load_scenario("pyramid").with_customers(failure_demand=1.0), rng=2,
                         compiled=compiled).run(20)
        k = model.kpis()
        model.run_out(5)
        after = model.kpis()
        assert model.today["arrivals"] == 0.0, compiled  # the day's arrivals are not counted
        assert after["external_arrived"] == k["external_arrived"]
        assert after["failure_demand"] == k["failure_demand"]  # later complaints uncounted
        # per-request means count the window's requests only, not later deliveries
        assert 0.0 <= after["mean_quality"] <= 1.0
